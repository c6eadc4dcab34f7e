"""Facts read off one article's annotations: the raw material of claims (private to claims).

A :class:`Fact` is one statement in one article, already normalized: what it is about
(``measure``, ``scope``), what it says (``value`` and, for figures, a comparison interval), when
it holds (``as_of``) and where it is (the sentence span). :mod:`storyline.synthesize.claims`
groups facts into claims; :mod:`storyline.synthesize.disagreements` compares the groups.

Everything here is rule-based and works on the stored annotations plus the raw text: no parser
runs at synthesis time (see :mod:`storyline.text`).

The package is split by kind of fact: :mod:`.figures` (with :mod:`.measures`, what a figure
counts, and :mod:`.scopes`, where it holds), :mod:`.events` (dated events and person states),
:mod:`.statements` (superlatives and quoted statements), and :mod:`.context` (what they share).
"""

from __future__ import annotations

from collections.abc import Sequence

from storyline.model import StoryMaterial, TimelineEntry
from storyline.synthesize.claim_facts.context import (
    Fact,
    StoryContext,
    prepare,
    story_context,
    withdraw_everywhere,
)
from storyline.synthesize.claim_facts.events import (
    DATED,
    date_interval,
    dated_event_facts,
    event_facts,
)
from storyline.synthesize.claim_facts.figures import figure_interval, format_figure, quantity_facts
from storyline.synthesize.claim_facts.places import read_places
from storyline.synthesize.claim_facts.statements import statement_facts, superlative_facts

__all__ = [
    "DATED",
    "Fact",
    "StoryContext",
    "date_interval",
    "extract_facts",
    "figure_interval",
    "format_figure",
]


def extract_facts(
    material: StoryMaterial, timeline: Sequence[TimelineEntry] | None = None
) -> tuple[StoryContext, list[Fact]]:
    """All facts of a story's articles, in story order, then the dated clauses of its
    ``timeline`` (built here when not given) as events."""
    from storyline.synthesize.timeline import build_timeline

    ctx = story_context(material)
    facts: list[Fact] = []
    articles = prepare(ctx)
    read_places(ctx, articles)
    for art in articles:
        facts.extend(withdraw_everywhere(quantity_facts(ctx, art)))
        facts.extend(superlative_facts(art))
        facts.extend(withdraw_everywhere(event_facts(ctx, art)))
        facts.extend(statement_facts(ctx, art))
    if timeline is None:
        timeline = build_timeline(material)
    facts.extend(withdraw_everywhere(dated_event_facts(articles, timeline, facts)))
    return ctx, facts
