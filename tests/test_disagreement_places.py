"""Disagreements on the measure, not the wording (issue 15): places an article never tells
apart are one scope, one article's own figures never dispute, outliers are left out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storyline.model import ClaimKind, DisagreementType, StoryMaterial
from storyline.synthesize.claims import analyze_claims

DOSSIER = Path(__file__).resolve().parent / "fixtures" / "dossier"
Build = Callable[[Path], StoryMaterial]


def test_places_no_article_tells_apart_are_one_measure(story_material: Build) -> None:
    claims, disagreements = analyze_claims(story_material(DOSSIER / "disagree_places.jsonl"))
    by_id = {c.id: c for c in claims}
    injured = {c.value: c for c in claims if c.kind is ClaimKind.QUANTITY}
    assert {"5", "2", "60"} <= set(injured), sorted(injured)
    # Five hurt "in Kesh" (the dateline town) and two "in Dorin province": the texts never
    # relate the two places, no article gives figures for both: one measure, exact values
    # that cannot both hold, undated: a contradiction, never a scope disagreement.
    assert [d.type for d in disagreements] == [DisagreementType.CONTRADICTION], disagreements
    values = {by_id[i].value for i in disagreements[0].claim_ids}
    assert values == {"5", "2"}
    places = {by_id[i].subject for i in disagreements[0].claim_ids}
    assert any("Kesh" in p for p in places), places
    # A doctor's 60 injured is twelve times the best-supported figure: another count (the
    # wording did not tell which), not one figure reported differently.
    assert "60" not in disagreements[0].explanation


def test_a_scope_an_article_sets_apart_stays_a_scope(story_material: Build) -> None:
    _, disagreements = analyze_claims(story_material(DOSSIER / "disagree_scope.jsonl"))
    # "2,500 in the city" and "9,000 across the region" in separate sentences of one report.
    assert [d.type for d in disagreements].count(DisagreementType.SCOPE) == 1
