"""Event claims read off the dated clauses of the timeline (issue 15): what happened, when."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from storyline.model import ClaimKind, StoryMaterial, Timex, TimexType
from storyline.synthesize.claim_facts import DATED
from storyline.synthesize.claim_facts.events import dates_a_happening
from storyline.synthesize.claims import analyze_claims

DOSSIER = Path(__file__).resolve().parent / "fixtures" / "dossier"
Build = Callable[[Path], StoryMaterial]


def _timex(text: str, phrase: str, value: str, kind: TimexType = TimexType.DATE) -> Timex:
    start = text.index(phrase)
    return Timex(text=phrase, start=start, end=start + len(phrase), type=kind, value=value)


def test_dated_clauses_are_event_claims_at_their_precision(story_material: Build) -> None:
    claims, _ = analyze_claims(story_material(DOSSIER / "events_dated.jsonl"))
    dated = {c.value: c for c in claims if c.kind is ClaimKind.EVENT and c.predicate == DATED}
    # A day, a week ("last week") and a year, each the clause that states it.
    assert set(dated) == {"2025-03-04", "1987", "2025-W09"}, sorted(dated)
    vote = dated["2025-03-04"]
    assert "voted on Tuesday to close the Tarn bridge" in vote.subject
    assert vote.statement == f"2025-03-04: {vote.subject}"
    # One happening told in other words by two outlets ("voted ... to close", "decided ... to
    # shut") is one claim citing both, as it is one timeline entry.
    assert {e.article_id for e in vote.support} == {"ev1", "ev2"}
    assert vote.independent_sources == 2
    assert {e.article_id for e in dated["1987"].support} == {"ev1", "ev2"}


def test_dates_that_date_no_happening_make_no_event(story_material: Build) -> None:
    claims, _ = analyze_claims(story_material(DOSSIER / "events_dated.jsonl"))
    values = {c.value for c in claims if c.kind is ClaimKind.EVENT}
    # "since 2016" (a state's start), "from 2001 to 2009" (a span's bounds), "an aide to Ilse
    # Marren's 2016 campaign" (a role), "by 9:30 p.m." (a clock time on the publication day).
    assert not values & {"2016", "2001", "2009", "2025-03-05"}, sorted(values)


@pytest.mark.parametrize(
    ("text", "phrase", "value", "kind", "expected"),
    [
        (
            "Hauliers blocked the road on Tuesday, police said.",
            "Tuesday",
            "2025-03-04",
            TimexType.DATE,
            True,
        ),
        ("The bridge opened in 1987 to great fanfare.", "1987", "1987", TimexType.DATE, True),
        (
            "Sanvik voted for the levy in his 2019 budget speech.",
            "2019",
            "2019",
            TimexType.DATE,
            True,
        ),
        (
            "Bridge closes\n22 Jul 2025\nThe council acted.",
            "22 Jul 2025",
            "2025-07-22",
            TimexType.DATE,
            False,
        ),
        ("Posted: Nov 27, 2025 8:20 AM ET", "Nov 27, 2025", "2025-11-27", TimexType.DATE, False),
        (
            "See http://example.org/2025/11/27/bridge-closes for more.",
            "2025",
            "2025",
            TimexType.DATE,
            False,
        ),
        (
            "The lanes reopen at 9:30 p.m. after the inspection.",
            "9:30 p.m.",
            "2025-03-05T21:30",
            TimexType.TIME,
            False,
        ),
        (
            "She has chaired the board since 2016 and will stay on.",
            "2016",
            "2016",
            TimexType.DATE,
            False,
        ),
        (
            "He ran the agency from 2001 to 2009 before he retired.",
            "2009",
            "2009",
            TimexType.DATE,
            False,
        ),
        (
            "Brenner, an aide during the 2016 election, spoke out.",
            "2016",
            "2016",
            TimexType.DATE,
            False,
        ),
    ],
)
def test_dates_a_happening(
    text: str, phrase: str, value: str, kind: TimexType, expected: bool
) -> None:
    assert dates_a_happening(text, _timex(text, phrase, value, kind)) is expected


def test_trigger_events_are_not_repeated_as_dated_clauses(story_material: Build) -> None:
    claims, _ = analyze_claims(story_material(DOSSIER / "claims_events.jsonl"))
    strike = [c for c in claims if c.kind is ClaimKind.EVENT and c.subject == "strike"]
    assert strike
    spans = [(e.article_id, e.start, e.end) for c in strike for e in c.support]
    dated = [c for c in claims if c.kind is ClaimKind.EVENT and c.predicate == DATED]
    for claim in dated:
        for e in claim.support:
            overlapping = [
                s for s in spans if s[0] == e.article_id and s[1] < e.end and e.start < s[2]
            ]
            assert not overlapping or claim.value[:4] != "2025", claim.statement
