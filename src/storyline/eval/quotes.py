"""Quote attribution scores on PolNeAR-style JSONL (``text``, ``attributions``).

Each gold attribution is ``{"source", "cue", "content"}``, each ``{"text", "start", "end",
"fragments"}`` or null. Scoring follows the project's matching rule:

* a predicted quote **matches** an unused gold attribution when their content spans overlap by
  at least half the gold content's length (``start``/``end`` are used, so a discontinuous gold
  content counts as the stretch that covers all its fragments); each prediction, in text order,
  takes the matching unused gold it overlaps most;
* for **(content, speaker)** pairs a match also needs the predicted speaker span to overlap the
  gold source span. The pairs are matched on their own, so a prediction may pair with the gold
  whose source it got right. A gold attribution without a source cannot be matched as a pair but
  still counts in the recall denominator.

Gold attributions with a null content are skipped (there is nothing to locate): a few dozen in
PolNeAR, annotation leftovers with no content, usually with no cue or source either.

Scores are reported over all attributions and over **direct** quotes only. An attribution is
direct when its content holds quotation marks: any double mark (``"`` ``“`` ``”`` ``«`` ``»``, or
``''``/`````` used as one) or a pair of single marks (``'...'``, ``‘...’``) that are not
apostrophes, as :func:`~storyline.annotate.quotes.quoted_spans` pairs them. The same rule picks
the direct subset of gold and predicted quotes, so a paraphrase quoting a few words ("said the
plan was "a disaster"") is direct on both sides; the subset is matched on its own.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language

from storyline.annotate.quotes import quoted_spans
from storyline.eval.scores import PRF, prf_table
from storyline.model import Quote, QuoteKind

__all__ = ["QuoteScores", "evaluate_quotes", "holds_quote_marks", "report"]

_DOUBLE_MARKS = ('"', "“", "”", "«", "»", "''", "``")


def holds_quote_marks(text: str) -> bool:
    """Whether ``text`` holds quotation marks (the "direct quote" test of this module).

    >>> holds_quote_marks('the plan was "a disaster"'), holds_quote_marks("the voters' choice")
    (True, False)
    """
    return any(m in text for m in _DOUBLE_MARKS) or bool(quoted_spans(text))


@dataclass(frozen=True, slots=True)
class _Gold:
    start: int
    end: int
    source: tuple[int, int] | None
    direct: bool


@dataclass(frozen=True, slots=True)
class QuoteScores:
    """Content and (content, speaker) scores over all attributions and over direct quotes."""

    documents: int
    content: PRF
    speaker: PRF
    direct_content: PRF
    direct_speaker: PRF
    gold_direct: int
    gold_indirect: int
    gold_skipped: int
    """Gold attributions with a null content, left out of every score."""
    gold_without_source: int
    predicted_direct: int
    """Predicted quotes of kind direct (``QuoteKind.DIRECT``)."""
    predicted_indirect: int

    def to_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "gold": {
                "direct": self.gold_direct,
                "indirect": self.gold_indirect,
                "skipped_null_content": self.gold_skipped,
                "without_source": self.gold_without_source,
            },
            "predicted": {"direct": self.predicted_direct, "indirect": self.predicted_indirect},
            "content": self.content.to_dict(),
            "speaker": self.speaker.to_dict(),
            "direct_content": self.direct_content.to_dict(),
            "direct_speaker": self.direct_speaker.to_dict(),
        }


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _matches(gold: Sequence[_Gold], pred: Sequence[Quote], *, speaker: bool) -> int:
    """How many predictions match a gold attribution one-to-one under the matching rule."""
    used: set[int] = set()
    hits = 0
    for q in pred:
        best, best_overlap = -1, 0
        for i, g in enumerate(gold):
            if i in used:
                continue
            n = _overlap(q.content.start, q.content.end, g.start, g.end)
            if n == 0 or 2 * n < g.end - g.start:
                continue
            if speaker:
                s = q.speaker
                if s is None or g.source is None or not _overlap(s.start, s.end, *g.source):
                    continue
            if n > best_overlap:
                best, best_overlap = i, n
        if best >= 0:
            used.add(best)
            hits += 1
    return hits


def _gold(record: dict[str, Any]) -> tuple[list[_Gold], int]:
    gold: list[_Gold] = []
    skipped = 0
    for a in record.get("attributions") or []:
        content = a.get("content")
        if content is None:
            skipped += 1
            continue
        source = a.get("source")
        gold.append(
            _Gold(
                start=content["start"],
                end=content["end"],
                source=None if source is None else (source["start"], source["end"]),
                direct=holds_quote_marks(content["text"]),
            )
        )
    return gold, skipped


def _records(path: str | Path, limit: int | None) -> Iterator[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as lines:
        n = 0
        for line in lines:
            if not line.strip():
                continue
            if limit is not None and n >= limit:
                return
            n += 1
            yield json.loads(line)


def default_pipeline() -> Language:
    """spaCy's model with our line breaker and entity component (when they are installed) and
    the quote finder."""
    components = ["storyline_quotes"]
    if importlib.util.find_spec("storyline.annotate.entities") is not None:
        components.insert(0, "storyline_entities")
    if importlib.util.find_spec("storyline.annotate.lines") is not None:
        components.insert(0, "storyline_lines")
    from storyline.annotate.pipeline import build_pipeline

    return build_pipeline(components=components)


def evaluate_quotes(
    path: str | Path, nlp: Language | None = None, *, limit: int | None = None
) -> QuoteScores:
    """Run ``nlp`` over a PolNeAR JSONL file (its first ``limit`` records) and score the
    ``doc._.quotes`` it leaves against the gold attributions.

    Without ``nlp``, :func:`default_pipeline` is used. Texts go through ``nlp.pipe`` in
    batches.
    """
    nlp = nlp or default_pipeline()
    records = list(_records(path, limit))
    totals = [0] * 8
    docs = skipped = no_source = 0
    gold_direct = gold_indirect = pred_direct = pred_indirect = 0
    for record, doc in zip(
        records, nlp.pipe((r["text"] for r in records), batch_size=16), strict=True
    ):
        docs += 1
        gold, n_skipped = _gold(record)
        skipped += n_skipped
        no_source += sum(g.source is None for g in gold)
        pred: list[Quote] = list(doc._.quotes or [])
        pred.sort(key=lambda q: (q.content.start, q.content.end))
        gold_d = [g for g in gold if g.direct]
        pred_d = [q for q in pred if holds_quote_marks(q.content.text)]
        gold_direct += len(gold_d)
        gold_indirect += len(gold) - len(gold_d)
        pred_direct += sum(q.kind == QuoteKind.DIRECT for q in pred)
        pred_indirect += sum(q.kind == QuoteKind.INDIRECT for q in pred)
        counts = (
            _matches(gold, pred, speaker=False),
            _matches(gold, pred, speaker=True),
            len(pred),
            len(gold),
            _matches(gold_d, pred_d, speaker=False),
            _matches(gold_d, pred_d, speaker=True),
            len(pred_d),
            len(gold_d),
        )
        for k, n in enumerate(counts):
            totals[k] += n
    content, speaker, npred, ngold, dcontent, dspeaker, dpred, dgold = totals
    return QuoteScores(
        documents=docs,
        content=PRF(content, npred, ngold),
        speaker=PRF(speaker, npred, ngold),
        direct_content=PRF(dcontent, dpred, dgold),
        direct_speaker=PRF(dspeaker, dpred, dgold),
        gold_direct=gold_direct,
        gold_indirect=gold_indirect,
        gold_skipped=skipped,
        gold_without_source=no_source,
        predicted_direct=pred_direct,
        predicted_indirect=pred_indirect,
    )


def report(scores: QuoteScores) -> str:
    """A small text table of :func:`evaluate_quotes` figures."""
    s = scores
    lines = [
        f"quotes: {s.documents} documents, {s.content.gold} gold attributions "
        f"({s.gold_direct} direct, {s.gold_indirect} indirect; {s.gold_without_source} without "
        f"source, {s.gold_skipped} with null content skipped)",
        f"predicted: {s.content.predicted} quotes ({s.predicted_direct} direct, "
        f"{s.predicted_indirect} indirect)",
        *prf_table(
            [
                ("content (all)", s.content),
                ("content+speaker (all)", s.speaker),
                ("content (direct)", s.direct_content),
                ("content+speaker (direct)", s.direct_speaker),
            ]
        ),
    ]
    return "\n".join(lines)
