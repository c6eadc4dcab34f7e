"""Claim groups: a claim with the facts behind it, shared by :mod:`storyline.synthesize.claims`
(which makes them) and :mod:`storyline.synthesize.disagreements` (which compares them).

Imports flow one way: facts -> groups -> claims and disagreements -> :func:`analyze_claims`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storyline.model import Claim, ClaimKind
from storyline.synthesize.claim_facts import Fact

__all__ = ["INTERVAL_KINDS", "Bucket", "ClaimGroup"]

INTERVAL_KINDS = (ClaimKind.QUANTITY, ClaimKind.EVENT)
"""Kinds whose values are intervals (figures; dates as day ordinals) compared by overlap."""

Bucket = tuple[ClaimKind, str, str, str]
"""(kind, measure, predicate, scope): what a fact is about, regardless of its value."""


@dataclass(slots=True)
class ClaimGroup:
    """A claim with the facts behind it, what disagreements are computed from."""

    bucket: Bucket
    facts: list[Fact]
    low: float | None = None
    high: float | None = None
    """Common interval of the figures (their intersection)."""
    claim: Claim | None = None
    retracted: bool = False
    sources: int = 0

    @property
    def first_seen(self) -> datetime | None:
        times = [f.as_of for f in self.facts if f.as_of is not None]
        return min(times) if times else None

    @property
    def estimate(self) -> bool:
        return any(f.estimate for f in self.facts)

    @property
    def disputable(self) -> bool:
        return any(f.disputable for f in self.facts)

    @property
    def value(self) -> str:
        assert self.claim is not None
        return self.claim.value

    @property
    def days(self) -> set[tuple[int, int]]:
        """The days of the happening its figures count, when every one of its sentences dates
        it (one undated figure may be of either happening: then none is known)."""
        days = {f.happened for f in self.facts}
        return set() if None in days else {d for d in days if d is not None}

    def same_happening(self, days: set[tuple[int, int]]) -> bool:
        """Whether figures dated to ``days`` may count what this group counts: yes unless
        both are dated and no day of one overlaps a day of the other (two quakes, two
        votes of one story are never one figure, nor a disagreement)."""
        mine = self.days
        if not mine or not days:
            return True
        # A day either way: a weekday resolved against two publication times may differ by one.
        return any(a[0] - 1 <= b[1] and b[0] <= a[1] + 1 for a in mine for b in days)

    @property
    def points(self) -> list[float]:
        return [f.point for f in self.facts if f.point is not None]

    def compatible(
        self, low: float | None, high: float | None, points: Sequence[float] = ()
    ) -> bool:
        """Whether values in ``[low, high]`` stated as ``points`` agree with this group's.

        The intervals must overlap, and when both sides state figures, one side's figure must
        lie in the other's interval: "about 300" and "about 250" overlap only at the edges of
        their bands (270-275) and are two estimates, not one.
        """
        if not _overlap(self.low, self.high, low, high):
            return False
        mine = self.points
        if not points or not mine:
            return True
        return any(_inside(p, self.low, self.high) for p in points) or any(
            _inside(p, low, high) for p in mine
        )


def _inside(point: float, low: float | None, high: float | None) -> bool:
    return (low is None or low <= point) and (high is None or point <= high)


def _overlap(
    a_low: float | None, a_high: float | None, b_low: float | None, b_high: float | None
) -> bool:
    lo1 = -math.inf if a_low is None else a_low
    hi1 = math.inf if a_high is None else a_high
    lo2 = -math.inf if b_low is None else b_low
    hi2 = math.inf if b_high is None else b_high
    return max(lo1, lo2) <= min(hi1, hi2)
