"""Claims: what a story's reports state, normalized, grouped across articles and counted.

:func:`analyze_claims` turns a story's annotated articles into claims and the disagreements
between them. The full rules, with examples, are in ``docs/dossier.md`` ("Claims and
disagreements"); in short:

**What becomes a claim** (facts are read off the stored annotations by
:mod:`storyline.synthesize.claim_facts`; no parser runs here):

* *Figures*: a quantity whose text says what it measures: a count with a predicate news
  reports compare and revise (people evacuated, dead, injured, arrested, ...; fighters; homes;
  ships), a figure with a unit named by its relation (depth, magnitude, distance of the
  epicentre from a place), money named by what it is (cost of the strike, value of the
  contracts), with a *scope* (the place it holds for; a place inside another is one scope
  unless an article sets them apart) and the day it was given. A counted noun with no
  predicate is a claim only when two independent origins state it; a figure whose clause
  says not what it measures is none. Fractions, caps, parts of other figures, hypotheticals
  and figures about an earlier happening are left out.
* *Events* (a trigger with a date next to it: "the strike began on March 6", "Ortega resigned
  on Tuesday") and *states* (a person-state trigger without one: "pleaded not guilty").
* *Superlatives* with their reference ("worst flood since 1957") and *statements*: the first
  quote of each named (entity-linked) speaker in each article.

**Corroboration.** Facts with the same kind, predicate and scope are compared as intervals
(figures with their hedge, range or rounding band; dates as the days they cover) and clustered
narrowest first: a fact joins the first cluster whose common interval it overlaps. Superlatives
and statements group by normalized text. A cluster is a claim; ``independent_sources`` counts
its articles' origins (:func:`storyline.synthesize.sources.independent_sources`).

**Order and ids.** Claims come most independent sources first, then by kind, then by id; the
id is ``c-`` and 12 hex digits of the SHA-1 of (subject, predicate, value): stable across runs.

Cost: one pass over the facts, a dictionary of buckets, and clustering within a bucket against
at most :data:`MAX_CLUSTERS` clusters: linear in the number of facts.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence

from storyline.model import (
    Claim,
    ClaimKind,
    Disagreement,
    Evidence,
    StoryMaterial,
    TimelineEntry,
)
from storyline.synthesize.claim_facts import DATED, Fact, StoryContext, extract_facts
from storyline.synthesize.claim_facts.places import contains
from storyline.synthesize.claim_groups import INTERVAL_KINDS, Bucket, ClaimGroup
from storyline.synthesize.disagreements import find_disagreements
from storyline.synthesize.sources import independent_sources

__all__ = ["analyze_claims", "claim_id", "group_claims"]

MAX_CLUSTERS = 32
"""Clusters kept per bucket; a fact compatible with none of them past this starts no new one
(only adversarial input has that many incompatible values of one figure)."""

_KIND_ORDER = {
    ClaimKind.QUANTITY: 0,
    ClaimKind.EVENT: 1,
    ClaimKind.STATE: 2,
    ClaimKind.SUPERLATIVE: 3,
    ClaimKind.STATEMENT: 4,
}


def claim_id(subject: str, predicate: str, value: str) -> str:
    """``c-`` and a short hash of (subject, predicate, value).

    >>> claim_id("people evacuated in Eastbrook", "number", "about 3,000")
    'c-75294ece36d3'
    """
    digest = hashlib.sha1(f"{subject}\x00{predicate}\x00{value}".encode()).hexdigest()
    return "c-" + digest[:12]


def _bucket(fact: Fact) -> Bucket:
    return (fact.kind, fact.measure, fact.predicate, fact.scope)


def _fill_scopes(facts: list[Fact]) -> list[Fact]:
    """An unscoped figure takes the scope most figures of its predicate have in the story."""
    from dataclasses import replace

    scopes: dict[tuple[str, str], Counter[str]] = {}
    for f in facts:
        if f.kind is ClaimKind.QUANTITY and f.scope:
            scopes.setdefault((f.measure, f.predicate), Counter())[f.scope] += 1
    out: list[Fact] = []
    for f in facts:
        counter = scopes.get((f.measure, f.predicate))
        if f.kind is ClaimKind.QUANTITY and not f.scope and counter:
            f = replace(f, scope=min(counter, key=lambda s: (-counter[s], s)))
        out.append(f)
    return out


def _merge_nested_scopes(ctx: StoryContext, facts: list[Fact]) -> list[Fact]:
    """A figure for a city and one for its province (as the story's texts say: "Dastgerd, in
    Varesh province") are of one scope, named after the better-supported one, unless an
    article gives the measure for both: then the text sets them apart ("8,000 across the
    region, 3,000 of them in Eastbrook")."""
    from dataclasses import replace

    by_measure: dict[tuple[str, str], list[Fact]] = {}
    for f in facts:
        if f.kind is ClaimKind.QUANTITY and f.scope:
            by_measure.setdefault((f.measure, f.predicate), []).append(f)
    renamed: dict[tuple[str, str, str], str] = {}
    for (measure, predicate), members in by_measure.items():
        counts = Counter(f.scope for f in members)
        if len(counts) < 2:
            continue
        articles: dict[str, set[str]] = {}
        for f in members:
            articles.setdefault(f.scope, set()).add(f.article_id)
        scopes = sorted(counts, key=lambda s: (-counts[s], s))
        root = {s: s for s in scopes}
        for a in scopes:
            for b in scopes:
                if a == b or not contains(ctx, a, b) or root[a] == root[b]:
                    continue
                group_a = [s for s in scopes if root[s] == root[a]]
                group_b = [s for s in scopes if root[s] == root[b]]
                if any(articles[x] & articles[y] for x in group_a for y in group_b):
                    continue  # one article names both: they are set apart
                keep, other = sorted((root[a], root[b]), key=scopes.index)
                for s in scopes:
                    if root[s] == other:
                        root[s] = keep
        for s in scopes:
            if root[s] != s:
                renamed[(measure, predicate, s)] = root[s]
    if not renamed:
        return facts
    return [
        replace(f, scope=renamed.get((f.measure, f.predicate, f.scope), f.scope)) for f in facts
    ]


def _cluster(facts: Sequence[Fact]) -> list[ClaimGroup]:
    """Facts of one bucket -> groups of equivalent facts."""
    bucket = _bucket(facts[0])
    groups: list[ClaimGroup] = []
    if facts[0].kind in INTERVAL_KINDS:

        def width(f: Fact) -> float:
            lo = f.low if f.low is not None else -math.inf
            hi = f.high if f.high is not None else math.inf
            return hi - lo

        for f in sorted(facts, key=lambda f: (width(f), f.order)):
            for g in groups:
                points = [f.point] if f.point is not None else []
                days = {f.happened} if f.happened is not None else set()
                if (
                    g.retracted == f.retracted
                    and g.same_happening(days)
                    and g.compatible(f.low, f.high, points)
                ):
                    g.facts.append(f)
                    g.low = (
                        max(x for x in (g.low, f.low) if x is not None)
                        if (g.low is not None or f.low is not None)
                        else None
                    )
                    g.high = (
                        min(x for x in (g.high, f.high) if x is not None)
                        if (g.high is not None or f.high is not None)
                        else None
                    )
                    break
            else:
                if len(groups) < MAX_CLUSTERS:
                    groups.append(
                        ClaimGroup(bucket, [f], low=f.low, high=f.high, retracted=f.retracted)
                    )
        return groups
    by_key: dict[str, ClaimGroup] = {}
    for f in facts:
        key = f.key or f.value
        if key not in by_key:
            by_key[key] = ClaimGroup(bucket, [])
        by_key[key].facts.append(f)
    return list(by_key.values())


def _subject(bucket: Bucket) -> str:
    kind, measure, _predicate, scope = bucket
    if kind is ClaimKind.QUANTITY and scope:
        return f"{measure} in {scope}"
    return measure


def _statement(kind: ClaimKind, subject: str, predicate: str, value: str, retracted: bool) -> str:
    if kind is ClaimKind.SUPERLATIVE:
        text = f"{predicate} {subject} {value}"
    elif kind is ClaimKind.STATEMENT:
        text = f"{subject} said: {value}"
    elif kind is ClaimKind.EVENT and predicate == DATED:
        text = f"{value}: {subject}"
    elif kind is ClaimKind.EVENT:
        text = f"{subject}: {predicate} {value}"
    else:
        text = f"{subject}: {value}"
    return text + " (withdrawn in a correction)" if retracted else text


def _representative(group: ClaimGroup) -> str:
    if group.bucket[0] is ClaimKind.EVENT:
        # Dates keep the finest precision any report gives ("March 6" over "three weeks ago").
        best = min(group.facts, key=lambda f: ((f.high or 0) - (f.low or 0), f.order))
        return best.value
    counts = Counter(f.value for f in group.facts)
    first = {f.value: f.order for f in sorted(group.facts, key=lambda f: f.order)}
    return min(counts, key=lambda v: (-counts[v], first[v], v))


def _keep_main_statements(by_id: dict[str, ClaimGroup]) -> None:
    """Per named speaker, the statement most origins report (then the earliest), and any other
    of theirs that two origins report: what each source said, without every line they said."""
    best: dict[str, ClaimGroup] = {}
    for g in by_id.values():
        if g.bucket[0] is not ClaimKind.STATEMENT:
            continue
        current = best.get(g.bucket[1])
        if current is None or (-g.sources, g.facts[0].order) < (
            -current.sources,
            current.facts[0].order,
        ):
            best[g.bucket[1]] = g
    for cid, g in list(by_id.items()):
        if g.bucket[0] is ClaimKind.STATEMENT and g is not best[g.bucket[1]] and g.sources < 2:
            del by_id[cid]


def group_claims(ctx: StoryContext, facts: Sequence[Fact]) -> list[ClaimGroup]:
    """Facts -> claim groups (with their :class:`Claim`), selected and ordered."""
    buckets: dict[Bucket, list[Fact]] = {}
    for f in _merge_nested_scopes(ctx, _fill_scopes(list(facts))):
        buckets.setdefault(_bucket(f), []).append(f)
    groups: list[ClaimGroup] = []
    for bucket_facts in buckets.values():
        groups.extend(_cluster(bucket_facts))
    by_id: dict[str, ClaimGroup] = {}
    for g in groups:
        kind = g.bucket[0]
        value = _representative(g)
        cid = claim_id(
            _subject(g.bucket), g.bucket[2], value + (" (withdrawn)" if g.retracted else "")
        )
        if cid in by_id:  # same wording in two clusters of one bucket: one claim
            by_id[cid].facts.extend(g.facts)
        else:
            by_id[cid] = g
    for cid, g in list(by_id.items()):
        g.facts.sort(key=lambda f: f.order)
        article_ids = list(dict.fromkeys(f.article_id for f in g.facts))
        g.sources = independent_sources(article_ids, ctx.articles_by_id)
        kind = g.bucket[0]
        if kind is ClaimKind.QUANTITY and not g.disputable and g.sources < 2:
            del by_id[cid]  # an unclassified figure needs two origins to be worth a claim
            continue
        subject, predicate = _subject(g.bucket), g.bucket[2]
        value = _representative(g)
        support = tuple(
            dict.fromkeys(
                Evidence(article_id=f.article_id, start=f.start, end=f.end) for f in g.facts
            )
        )
        g.claim = Claim(
            id=cid,
            kind=kind,
            statement=_statement(kind, subject, predicate, value, g.retracted),
            subject=subject,
            predicate=predicate,
            value=value,
            support=support,
            independent_sources=g.sources,
        )
    dated = {(g.bucket[1], g.bucket[2]) for g in by_id.values() if g.bucket[0] is ClaimKind.EVENT}
    for cid, g in list(by_id.items()):
        if g.bucket[0] is ClaimKind.STATE and (g.bucket[1], _representative(g)) in dated:
            del by_id[cid]  # "Ortega: resigned" adds nothing to "Ortega: resigned 2024-05-14"
    _keep_main_statements(by_id)
    ordered = sorted(
        by_id.values(),
        key=lambda g: (-g.sources, _KIND_ORDER[g.bucket[0]], g.claim.id if g.claim else ""),
    )
    return ordered


def analyze_claims(
    material: StoryMaterial, timeline: Sequence[TimelineEntry] | None = None
) -> tuple[tuple[Claim, ...], tuple[Disagreement, ...]]:
    """A story's claims (most independent sources first, then id) and their disagreements.

    ``timeline`` is the story's (:func:`storyline.synthesize.timeline.build_timeline`), whose
    dated clauses become event claims; it is built here when not given.
    Deterministic: the same material gives the same claims, ids and order.
    """
    ctx, facts = extract_facts(material, timeline)
    groups = group_claims(ctx, facts)
    disagreements = find_disagreements(groups, ctx)
    claims = tuple(g.claim for g in groups if g.claim is not None)
    return claims, tuple(disagreements)
