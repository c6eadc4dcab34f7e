"""Disagreements: where a story's reports differ, typed and explained in one sentence.

Only claims whose predicate we understand (``Fact.disputable``: a figure with a known predicate,
a superlative) are compared, and only within a *bucket*: the same kind, predicate and scope
("people evacuated in Eastbrook"). Inside a bucket, claims are ordered by when they were first
reported (a day the sentence names, else publication) and cut into *moments*: claims first
reported on the same (UTC) day. Two claims conflict when their
values are incompatible (see :mod:`storyline.synthesize.claims` for when figures agree).

* **revision** (correction): an article's correction notice withdraws a figure ("An earlier
  version of this article said 4,200"); paired with the figure the same article now gives.
* **revision** (update): consecutive moments whose leading claims (most independent sources,
  then earliest) conflict: a later report changed an earlier figure (casualty counts rising).
* **contradiction**: conflicting claims in one moment, all stated as exact figures (or, for
  superlatives, different references for the same superlative): they cannot all be true.
* **spread**: conflicting claims in one moment where at least one is an estimate ("about",
  "nearly", "more than", a range): sources estimate one quantity differently.
* **spread** (undated): reports without a publication time giving different counts that grow
  (people dead, fighters): whether one revised another cannot be told.
* never between figures dated to two happenings of one story (two quakes, two votes).
* **scope**: the same kind and predicate with different scopes whose leading claims conflict
  ("8,000 across the region" vs "3,000 in Eastbrook"): similar-looking figures about different
  things, listed so that a reader does not take them for a contradiction.

Cost: linear in the number of claims plus, per predicate, at most :data:`MAX_SCOPES` squared
scope pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from itertools import pairwise

from storyline.model import ClaimKind, Disagreement, DisagreementType
from storyline.synthesize.claim_facts import Fact, StoryContext
from storyline.synthesize.claim_groups import ClaimGroup

__all__ = ["MAX_SCOPES", "find_disagreements"]

MAX_SCOPES = 4
"""Scopes of one predicate compared pairwise (the best-supported ones)."""


def _conflict(a: ClaimGroup, b: ClaimGroup) -> bool:
    if not a.same_happening(b.days):
        return False  # figures of two happenings of one story (two quakes, two votes)
    if a.bucket[0] in (ClaimKind.QUANTITY, ClaimKind.EVENT):
        return not a.compatible(b.low, b.high, b.points)
    return a.value != b.value


def _day(moment: datetime | None) -> str:
    return "undated" if moment is None else f"{moment.day} {moment:%B %Y}"


def _first(group: ClaimGroup) -> Fact:
    return _first_of(group.facts)


def _who(ctx: StoryContext, fact: Fact) -> str:
    """Who gave a fact: the attributed source if any, and the outlet that reported it."""
    article = ctx.articles_by_id.get(fact.article_id)
    outlet = article.source if article is not None and article.source else fact.article_id
    if fact.attributed and fact.attributed.casefold() not in outlet.casefold():
        return f"{fact.attributed}, in {outlet}"
    return outlet


def _cite(ctx: StoryContext, group: ClaimGroup, on: date | None = None) -> str:
    """The claim's value with who reported it and when (on a given day, if one is given)."""
    facts = [f for f in group.facts if on is None or (f.as_of and f.as_of.date() == on)]
    fact = _first(group) if not facts else _first_of(facts)
    return f"{group.value} ({_who(ctx, fact)}, {_day(fact.as_of)})"


def _first_of(facts: Sequence[Fact]) -> Fact:
    return min(facts, key=lambda f: (f.as_of is None, f.as_of or datetime.max, f.order))


def _leader(groups: Sequence[ClaimGroup]) -> ClaimGroup:
    return min(groups, key=lambda g: (-g.sources, _sort_time(g), g.value))


def _sort_time(group: ClaimGroup) -> datetime:
    seen = group.first_seen
    return datetime.max if seen is None else seen.replace(tzinfo=None)


def _subject(group: ClaimGroup) -> str:
    assert group.claim is not None
    if group.bucket[0] is ClaimKind.SUPERLATIVE:
        return f"the {group.bucket[2]} {group.bucket[1]}"
    if group.bucket[0] is ClaimKind.EVENT and group.bucket[1] == group.bucket[1].lower():
        return f"the {group.claim.subject}"  # "the strike", not "strike"; names stay bare
    return group.claim.subject


def _ids(groups: Sequence[ClaimGroup]) -> tuple[str, ...]:
    return tuple(g.claim.id for g in groups if g.claim is not None)


def _corrections(ctx: StoryContext, groups: Sequence[ClaimGroup]) -> list[Disagreement]:
    found: list[Disagreement] = []
    for withdrawn in (g for g in groups if g.retracted):
        wrong = _first(withdrawn)
        # The corrected figure is the one the same article gives closest after the notice.
        candidates = [
            (f.order[1] < wrong.order[1], abs(f.order[1] - wrong.order[1]), g.value, g)
            for g in groups
            if not g.retracted
            for f in g.facts
            if f.article_id == wrong.article_id
        ]
        if not candidates:
            continue
        current = min(candidates, key=lambda c: c[:3])[3]
        what = "date" if current.bucket[0] is ClaimKind.EVENT else "figure"
        article = ctx.articles_by_id.get(_first(withdrawn).article_id)
        outlet = article.source if article is not None and article.source else "An outlet"
        found.append(
            Disagreement(
                type=DisagreementType.REVISION,
                claim_ids=_ids([withdrawn, current]),
                explanation=(
                    f"{outlet} corrected its {what} for {_subject(current)} from "
                    f"{withdrawn.value} to {current.value}."
                ),
            )
        )
    return found


Day = tuple[date | None, list[ClaimGroup]]


def _days(groups: Sequence[ClaimGroup]) -> list[Day]:
    """The groups present on each day a fact of the bucket is dated, in day order."""
    present: dict[date, dict[int, ClaimGroup]] = {}
    for g in groups:
        for f in g.facts:
            if f.as_of is not None:
                present.setdefault(f.as_of.date(), {})[id(g)] = g
    return [(d, list(present[d].values())) for d in sorted(present)]


def _undated(groups: Sequence[ClaimGroup]) -> list[ClaimGroup]:
    """The groups none of whose figures has a date: reports without a publication time."""
    return [g for g in groups if all(f.as_of is None for f in g.facts)]


def _counts_so_far(group: ClaimGroup) -> bool:
    """A count that grows as a story goes on (people dead, injured, arrested, evacuated)."""
    return group.bucket[0] is ClaimKind.QUANTITY and group.bucket[1].startswith(
        ("people ", "fighters", "homes ")
    )


def _unordered(ctx: StoryContext, groups: Sequence[ClaimGroup]) -> Disagreement | None:
    """Conflicting figures of reports with no date: a count that grows is a spread (whether a
    later report revised an earlier one cannot be told); other values follow the same-time
    rule."""
    conflicting = [g for g in groups if any(_conflict(g, h) for h in groups if h is not g)]
    if len(conflicting) < 2:
        return None
    if not all(_counts_so_far(g) for g in conflicting):
        return _same_moment(ctx, (None, conflicting), undated=True)
    conflicting.sort(key=lambda g: (-g.sources, g.value))
    cited = "; ".join(_cite(ctx, g) for g in conflicting)
    return Disagreement(
        type=DisagreementType.SPREAD,
        claim_ids=_ids(conflicting),
        explanation=(
            f"Reports give different figures for {_subject(conflicting[0])}, and none is dated,"
            f" so a later count revising an earlier one cannot be told from a spread: {cited}."
        ),
    )


def _same_moment(ctx: StoryContext, day: Day, undated: bool = False) -> Disagreement | None:
    on, moment = day
    conflicting = [g for g in moment if any(_conflict(g, h) for h in moment if h is not g)]
    if len(conflicting) < 2:
        return None
    conflicting.sort(key=lambda g: (-g.sources, _sort_time(g), g.value))
    subject = _subject(conflicting[0])
    cited = "; ".join(_cite(ctx, g, on) for g in conflicting)
    estimates = any(g.estimate for g in conflicting)
    when = "" if undated else " at the same time"
    if conflicting[0].bucket[0] is ClaimKind.QUANTITY and estimates:
        return Disagreement(
            type=DisagreementType.SPREAD,
            claim_ids=_ids(conflicting),
            explanation=f"Sources gave different estimates of {subject}{when}: {cited}.",
        )
    kind = conflicting[0].bucket[0]
    if kind is ClaimKind.EVENT:
        what = f"Reports give incompatible dates for when {subject} {conflicting[0].bucket[2]}"
    elif kind is ClaimKind.SUPERLATIVE:
        what = f"Reports disagree on what {subject} is measured against"
    else:
        what = f"Reports state incompatible values for {subject}{when}"
    return Disagreement(
        type=DisagreementType.CONTRADICTION,
        claim_ids=_ids(conflicting),
        explanation=f"{what}: {cited}.",
    )


def _updates(ctx: StoryContext, days: Sequence[Day]) -> list[Disagreement]:
    """A day's leading figure that conflicts with the previous day's, and was not already
    reported that day (then it is a spread, not a change)."""
    found: list[Disagreement] = []
    for (day_before, before), (day_after, after) in pairwise(days):
        old, new = _leader(before), _leader(after)
        if not _conflict(old, new) or any(g is new for g in before):
            continue
        verb = "changed"
        if old.bucket[0] is ClaimKind.QUANTITY and old.low is not None and new.low is not None:
            verb = "rose" if new.low > old.low else "fell"
        found.append(
            Disagreement(
                type=DisagreementType.REVISION,
                claim_ids=_ids([old, new]),
                explanation=(
                    f"The reported {_subject(new)} {verb} from {_cite(ctx, old, day_before)} to "
                    f"{_cite(ctx, new, day_after)}: a later report revised the earlier figure."
                ),
            )
        )
    return found


def _scopes(ctx: StoryContext, groups: Sequence[ClaimGroup]) -> list[Disagreement]:
    by_predicate: dict[tuple[ClaimKind, str, str], dict[str, list[ClaimGroup]]] = {}
    for g in groups:
        if g.retracted or g.bucket[0] is not ClaimKind.QUANTITY or not g.bucket[3]:
            continue
        kind, measure, predicate, scope = g.bucket
        by_predicate.setdefault((kind, measure, predicate), {}).setdefault(scope, []).append(g)
    found: list[Disagreement] = []
    for (_kind, measure, _predicate), scopes in sorted(by_predicate.items()):
        if len(scopes) < 2:
            continue
        leaders = sorted(
            (_leader(gs) for gs in scopes.values()),
            key=lambda g: (-g.sources, _sort_time(g), g.bucket[3]),
        )[:MAX_SCOPES]
        for i, a in enumerate(leaders):
            for b in leaders[i + 1 :]:
                if not _conflict(a, b):
                    continue
                found.append(
                    Disagreement(
                        type=DisagreementType.SCOPE,
                        claim_ids=_ids([a, b]),
                        explanation=(
                            f"{a.value} ({measure} in {a.bucket[3]}) and {b.value} (in "
                            f"{b.bucket[3]}) are figures for different places or groups, not "
                            f"one figure reported differently."
                        ),
                    )
                )
    return found


def find_disagreements(groups: Sequence[ClaimGroup], ctx: StoryContext) -> list[Disagreement]:
    """The disagreements among a story's claim groups (rules in the module docstring).

    Order: by type (revision, contradiction, spread, scope), then by the claims' ids.
    """
    buckets: dict[tuple[ClaimKind, str, str, str], list[ClaimGroup]] = {}
    for g in groups:
        if g.claim is None or not g.disputable:
            continue
        if g.bucket[0] not in (ClaimKind.QUANTITY, ClaimKind.SUPERLATIVE, ClaimKind.EVENT):
            continue
        buckets.setdefault(g.bucket, []).append(g)
    found: list[Disagreement] = []
    for bucket in sorted(buckets, key=lambda b: (b[0].value, b[1], b[2], b[3])):
        members = buckets[bucket]
        found.extend(_corrections(ctx, members))
        current = [g for g in members if not g.retracted]
        if bucket[0] in (ClaimKind.SUPERLATIVE, ClaimKind.EVENT):
            # A date or a superlative does not change as a story goes on: any two reports of
            # it are compared, whenever they were published.
            days: list[Day] = [(None, current)] if current else []
        else:
            days = _days(current)
        for day in days:
            same = _same_moment(ctx, day)
            if same is not None:
                found.append(same)
        if bucket[0] is ClaimKind.QUANTITY:
            found.extend(_updates(ctx, days))
            unordered = _unordered(ctx, _undated(current))
            if unordered is not None:
                found.append(unordered)
    found.extend(_scopes(ctx, [g for gs in buckets.values() for g in gs]))
    order = {
        DisagreementType.REVISION: 0,
        DisagreementType.CONTRADICTION: 1,
        DisagreementType.SPREAD: 2,
        DisagreementType.SCOPE: 3,
    }
    unique = {(d.type, d.claim_ids): d for d in found}
    return sorted(unique.values(), key=lambda d: (order[d.type], d.claim_ids))
