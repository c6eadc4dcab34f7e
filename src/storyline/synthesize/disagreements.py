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
* **revision** (undated): a report saying its figure is a later count ("the death toll rose
  to 24") revises the lower figures of reports without a date; the others follow the
  same-time rules (exact figures contradict, estimates spread).
* never between figures dated to two happenings of one story (two quakes, two votes), nor
  between the figures of one article only (several measures it tells apart), nor with a
  zero or a figure more than :data:`MAX_RATIO` times off the best-supported one (another
  count the wording did not tell apart).
* Scopes of one measure are compared as one unless an article tells them apart (a figure for
  each); in one sentence ("15 of the 40 injured were in Kesh") a part is never disputed.
* **scope**: the same kind and predicate for scopes an article sets apart in separate
  sentences, whose leading claims conflict ("8,000 across the region" ... "3,000 in
  Eastbrook"): similar-looking figures about different things, listed so that a reader does
  not take them for a contradiction.

Cost: linear in the number of claims plus, per predicate, at most :data:`MAX_SCOPES` squared
scope pairs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from itertools import pairwise

from storyline.model import ClaimKind, Disagreement, DisagreementType
from storyline.synthesize.claim_facts import Fact, StoryContext
from storyline.synthesize.claim_groups import ClaimGroup

__all__ = ["MAX_RATIO", "MAX_SCOPES", "find_disagreements"]

MAX_SCOPES = 4
"""Scopes of one predicate compared pairwise (the best-supported ones)."""

MAX_RATIO = 4.0
"""Reports of one figure at one time that differ by more than this factor are more likely two
figures (another happening, place or group the wording did not tell apart) than one figure
reported differently: the outlier is left out of the spread or contradiction. A dated
revision may grow further (a toll rising from 2 to 23 over days)."""

_RISE = re.compile(
    r"\b(?:rose|rises|risen|rising|climbed|climbs|jumped|increased|went up|has gone up|grew"
    r"|has grown|was raised|has been raised|raised (?:the |its )?(?:death )?toll)\s+to\b",
    re.IGNORECASE,
)
"""A report saying its figure is a later count ("the death toll rose to 24")."""

Bucket = tuple[ClaimKind, str, str, str]


def _articles(group: ClaimGroup) -> set[str]:
    return {f.article_id for f in group.facts}


def _conflict(a: ClaimGroup, b: ClaimGroup) -> bool:
    if not a.same_happening(b.days):
        return False  # figures of two happenings of one story (two quakes, two votes)
    if len(_articles(a) | _articles(b)) < 2:
        return False  # one article's own figures: several measures it tells apart, not a dispute
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


def _cite_all(ctx: StoryContext, groups: Sequence[ClaimGroup], on: date | None = None) -> str:
    """Each value once (scopes merged for comparison may repeat one), with its first report."""
    seen: dict[str, str] = {}
    for g in groups:
        seen.setdefault(g.value, _cite(ctx, g, on))
    return "; ".join(seen.values())


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


def _magnitude(group: ClaimGroup) -> float | None:
    """A figure's size for comparing orders of magnitude: its stated point, else its band's
    middle (None for dates and open-ended bands)."""
    if group.bucket[0] is not ClaimKind.QUANTITY:
        return None
    points = group.points
    if points:
        return sum(points) / len(points)
    if group.low is not None and group.high is not None:
        return (group.low + group.high) / 2
    return group.low if group.low is not None else group.high


def _plausible(groups: list[ClaimGroup]) -> list[ClaimGroup]:
    """The groups that may be one figure reported differently: no zero ("no one was hurt" is
    a state), none more than :data:`MAX_RATIO` times off the best-supported one (the median
    one when several are as well supported)."""
    kept = [g for g in groups if _magnitude(g) != 0]
    sizes = [(g, _magnitude(g)) for g in kept]
    if not sizes or any(m is None for _, m in sizes):
        return kept
    # The reference: the best-supported figure, or the median one when none leads.
    support = sorted((g.sources for g in kept), reverse=True)
    if len(support) > 1 and support[0] == support[1]:
        top = sorted(m for _, m in sizes if m is not None)[(len(sizes) - 1) // 2]
    else:
        top = _magnitude(_leader(kept)) or 0.0
    return [g for g, m in sizes if m is not None and max(m, top) <= MAX_RATIO * min(m, top)]


def _says_rise(ctx: StoryContext, group: ClaimGroup) -> bool:
    """Whether a report of the group says its figure is a later count ("rose to 24")."""
    for f in group.facts:
        article = ctx.articles_by_id.get(f.article_id)
        if article is not None and _RISE.search(article.text, f.start, f.end):
            return True
    return False


def _unordered(ctx: StoryContext, groups: Sequence[ClaimGroup]) -> list[Disagreement]:
    """Conflicting figures of reports with no date. A figure whose report says it is a later
    count ("the death toll rose to 24") revises the lower ones; the others follow the
    same-time rule (exact figures that cannot both hold contradict; estimates spread):
    without a date, whether one report revised another cannot be told otherwise."""
    conflicting = [g for g in groups if any(_conflict(g, h) for h in groups if h is not g)]
    if len(conflicting) < 2:
        return []
    found: list[Disagreement] = []
    risers = [g for g in conflicting if g.low is not None and _says_rise(ctx, g)]
    if risers:
        later = max(risers, key=lambda g: (g.low or 0.0, g.sources))
        earlier = [
            g
            for g in conflicting
            if g is not later
            and _magnitude(g) != 0
            and _conflict(g, later)
            and g.high is not None
            and later.low is not None
            and g.high < later.low
        ]
        if earlier:
            earlier.sort(key=lambda g: (-g.sources, g.value))
            cited = _cite_all(ctx, earlier)
            found.append(
                Disagreement(
                    type=DisagreementType.REVISION,
                    claim_ids=_ids([*earlier, later]),
                    explanation=(
                        f"A report says {_subject(later)} rose to {_cite(ctx, later)}, "
                        f"a later count than {cited}."
                    ),
                )
            )
            conflicting = [g for g in conflicting if g is not later]
    same = _same_moment(ctx, (None, conflicting), undated=True)
    if same is not None:
        found.append(same)
    return found


def _same_moment(ctx: StoryContext, day: Day, undated: bool = False) -> Disagreement | None:
    on, moment = day
    conflicting = [g for g in moment if any(_conflict(g, h) for h in moment if h is not g)]
    conflicting = _plausible(conflicting)
    conflicting = [
        g for g in conflicting if any(_conflict(g, h) for h in conflicting if h is not g)
    ]
    if len(conflicting) < 2:
        return None
    conflicting.sort(key=lambda g: (-g.sources, _sort_time(g), g.value))
    subject = _subject(conflicting[0])
    cited = _cite_all(ctx, conflicting, on)
    estimates = any(g.estimate for g in conflicting)
    when = " (none is dated)" if undated else " at the same time"
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


def _sentence(group: ClaimGroup, article_id: str) -> set[int]:
    return {f.start for f in group.facts if f.article_id == article_id}


def _scopes_apart(groups: Sequence[ClaimGroup]) -> set[frozenset[str]]:
    """Pairs of scopes of one measure that an article tells apart by giving each a figure of
    its own in separate sentences ("2,500 left the city." ... "Across the region, 9,000 ...").
    Figures for both in one sentence ("15 of the 40 injured were in Kesh") are a part stated
    as a part: never disputed."""
    apart: set[frozenset[str]] = set()
    parts: set[frozenset[str]] = set()
    for i, a in enumerate(groups):
        for b in groups[i + 1 :]:
            if a.bucket[3] == b.bucket[3] or a.compatible(b.low, b.high, b.points):
                continue
            for article_id in _articles(a) & _articles(b):
                pair = frozenset((a.bucket[3], b.bucket[3]))
                if _sentence(a, article_id) & _sentence(b, article_id):
                    parts.add(pair)
                else:
                    apart.add(pair)
    return apart - parts


def _comparison_buckets(
    groups: Sequence[ClaimGroup],
) -> tuple[dict[int, Bucket], set[tuple[Bucket, Bucket]]]:
    """The bucket each figure group is compared in, and the pairs of buckets set apart.

    Each scope is its own bucket (a place inside another is already one scope, see
    :mod:`storyline.synthesize.claims`). Merging the scopes no article tells apart was tried
    and left out: in dated stories they are as often two happenings (a march in the capital,
    a blockade at the refinery) as one figure placed differently."""
    by_measure: dict[tuple[ClaimKind, str, str], list[ClaimGroup]] = {}
    bucket_of: dict[int, Bucket] = {}
    for g in groups:
        if g.bucket[0] is ClaimKind.QUANTITY:
            by_measure.setdefault(g.bucket[:3], []).append(g)
        else:
            bucket_of[id(g)] = g.bucket
    separate: set[tuple[Bucket, Bucket]] = set()
    for (kind, measure, predicate), members in by_measure.items():
        apart = _scopes_apart(members)
        root = {g.bucket[3]: g.bucket[3] for g in members}
        for g in members:
            bucket_of[id(g)] = (kind, measure, predicate, root[g.bucket[3]])
        for pair in apart:
            a, b = sorted(root[n] for n in pair)
            if a != b:
                separate.add(((kind, measure, predicate, a), (kind, measure, predicate, b)))
    return bucket_of, separate


def _scopes(
    buckets: dict[Bucket, list[ClaimGroup]],
    separate: set[tuple[Bucket, Bucket]],
) -> list[Disagreement]:
    """Conflicting figures of one measure for scopes an article tells apart in separate
    sentences: listed so that a reader does not take one for the other."""
    found: list[Disagreement] = []
    for first, second in sorted(separate):
        a_groups = [g for g in buckets.get(first, []) if not g.retracted]
        b_groups = [g for g in buckets.get(second, []) if not g.retracted]
        if not a_groups or not b_groups:
            continue
        (a, a_scope), (b, b_scope) = sorted(
            ((_leader(a_groups), first[3]), (_leader(b_groups), second[3])),
            key=lambda pair: (-pair[0].sources, _sort_time(pair[0]), pair[1]),
        )
        if not _conflict(a, b):
            continue
        found.append(
            Disagreement(
                type=DisagreementType.SCOPE,
                claim_ids=_ids([a, b]),
                explanation=(
                    f"{a.value} ({a.bucket[1]} in {a_scope}) and {b.value} (in {b_scope}) are "
                    f"figures for different places or groups, not one figure reported "
                    f"differently."
                ),
            )
        )
    return found


def find_disagreements(groups: Sequence[ClaimGroup], ctx: StoryContext) -> list[Disagreement]:
    """The disagreements among a story's claim groups (rules in the module docstring).

    Order: by type (revision, contradiction, spread, scope), then by the claims' ids.
    """
    disputable = [
        g
        for g in groups
        if g.claim is not None
        and g.disputable
        and g.bucket[0] in (ClaimKind.QUANTITY, ClaimKind.SUPERLATIVE, ClaimKind.EVENT)
    ]
    bucket_of, separate = _comparison_buckets(disputable)
    buckets: dict[Bucket, list[ClaimGroup]] = {}
    for g in disputable:
        buckets.setdefault(bucket_of[id(g)], []).append(g)
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
            found.extend(_unordered(ctx, _undated(current)))
    found.extend(_scopes(buckets, separate))
    order = {
        DisagreementType.REVISION: 0,
        DisagreementType.CONTRADICTION: 1,
        DisagreementType.SPREAD: 2,
        DisagreementType.SCOPE: 3,
    }
    unique = {(d.type, d.claim_ids): d for d in found}
    return sorted(unique.values(), key=lambda d: (order[d.type], d.claim_ids))
