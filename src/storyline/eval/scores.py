"""Scores shared by the evaluation modules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["PRF"]


@dataclass(frozen=True, slots=True)
class PRF:
    """Counts and the precision, recall and F1 they give."""

    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return f1_score(self.precision, self.recall)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "true_positives": self.true_positives,
            "predicted": self.predicted,
            "gold": self.gold,
        }


def prf_table(rows: Sequence[tuple[str, PRF]]) -> list[str]:
    """Text lines of a P / R / F1 table: a header, then one line per named score."""
    lines = [f"{'':28}{'P':>7}{'R':>7}{'F1':>7}"]
    for name, prf in rows:
        lines.append(f"{name:28}{prf.precision:7.3f}{prf.recall:7.3f}{prf.f1:7.3f}")
    return lines


def f1_score(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall (0 when both are 0)."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0
