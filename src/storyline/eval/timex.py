"""Time-expression scores on MEANTIME-style JSONL (``doc_id``, ``dct``, ``text``, ``timexes``).

Spans match when they overlap (relaxed, one-to-one, greedy in text order); a matched pair also
counts for value when the values are equal. MEANTIME marks some event-anchored expressions
``XXXX-XX-XX`` (unresolvable): scores are reported twice, over all gold timexes ("all") and with
those gold timexes and any prediction overlapping them left out ("excluding unresolvable").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from storyline.annotate.timex import find_timexes
from storyline.eval.scores import PRF, prf_table
from storyline.model import Timex

__all__ = ["PRF", "TimexScores", "evaluate_timex", "report"]

UNRESOLVABLE = "XXXX-XX-XX"


@dataclass(frozen=True, slots=True)
class TimexScores:
    """Span and value scores, over all gold timexes and excluding unresolvable ones."""

    documents: int
    span: PRF
    value: PRF
    span_resolvable: PRF
    value_resolvable: PRF
    unresolvable_gold: int

    def to_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "unresolvable_gold": self.unresolvable_gold,
            "span": self.span.to_dict(),
            "value": self.value.to_dict(),
            "span_resolvable": self.span_resolvable.to_dict(),
            "value_resolvable": self.value_resolvable.to_dict(),
        }


def _gold(record: dict[str, object]) -> list[Timex]:
    raw = record.get("timexes") or []
    assert isinstance(raw, list)
    return [
        Timex(text=t["text"], start=t["start"], end=t["end"], type=t["type"], value=t["value"])
        for t in raw
    ]


def _match(gold: list[Timex], pred: list[Timex]) -> list[tuple[Timex, Timex]]:
    """One-to-one pairs of overlapping spans, each gold taking the first free prediction."""
    pairs: list[tuple[Timex, Timex]] = []
    used: set[int] = set()
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and p.start < g.end and g.start < p.end:
                used.add(i)
                pairs.append((g, p))
                break
    return pairs


def _counts(gold: list[Timex], pred: list[Timex]) -> tuple[int, int, int, int]:
    pairs = _match(gold, pred)
    return len(pairs), sum(g.value == p.value for g, p in pairs), len(pred), len(gold)


def evaluate_timex(path: str | Path) -> TimexScores:
    """Run :func:`find_timexes` on every document of a MEANTIME JSONL file and score it."""
    totals = [0] * 8
    docs = unresolvable = 0
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        docs += 1
        dct = date.fromisoformat(record["dct"][:10]) if record.get("dct") else None
        pred = find_timexes(record["text"], dct)
        gold = _gold(record)
        hard = [g for g in gold if g.value == UNRESOLVABLE]
        unresolvable += len(hard)
        easy = [g for g in gold if g.value != UNRESOLVABLE]
        easy_pred = [p for p in pred if not any(p.start < h.end and h.start < p.end for h in hard)]
        for k, n in enumerate(_counts(gold, pred) + _counts(easy, easy_pred)):
            totals[k] += n
    span, value, npred, ngold, rspan, rvalue, rpred, rgold = totals
    return TimexScores(
        documents=docs,
        span=PRF(span, npred, ngold),
        value=PRF(value, npred, ngold),
        span_resolvable=PRF(rspan, rpred, rgold),
        value_resolvable=PRF(rvalue, rpred, rgold),
        unresolvable_gold=unresolvable,
    )


def report(path: str | Path) -> str:
    """A small text table of :func:`evaluate_timex` figures."""
    s = evaluate_timex(path)
    lines = [
        f"timex: {s.documents} documents, {s.span.gold} gold timexes "
        f"({s.unresolvable_gold} unresolvable {UNRESOLVABLE})",
        *prf_table(
            [
                ("span (all)", s.span),
                ("value (all)", s.value),
                ("span (excl. unresolvable)", s.span_resolvable),
                ("value (excl. unresolvable)", s.value_resolvable),
            ]
        ),
    ]
    return "\n".join(lines)
