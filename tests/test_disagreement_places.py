"""Disagreements on the measure, not the wording (issue 15): a scope disagreement only where
an article sets the places apart, undated exact figures contradict, outliers are left out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storyline.model import ClaimKind, DisagreementType, StoryMaterial
from storyline.synthesize.claims import analyze_claims

DOSSIER = Path(__file__).resolve().parent / "fixtures" / "dossier"
Build = Callable[[Path], StoryMaterial]


def test_places_no_article_sets_apart_raise_no_scope(story_material: Build) -> None:
    claims, disagreements = analyze_claims(story_material(DOSSIER / "disagree_places.jsonl"))
    by_id = {c.id: c for c in claims}
    injured = {c.value: c for c in claims if c.kind is ClaimKind.QUANTITY}
    assert {"5", "2", "60"} <= set(injured), sorted(injured)
    # Five hurt "in Kesh" (the dateline town) and two "in Dorin province": no article gives
    # figures for both, so no scope disagreement. The unplaced "five" (story scope) and "two",
    # exact and undated, cannot both hold: a contradiction.
    assert [d.type for d in disagreements] == [DisagreementType.CONTRADICTION], disagreements
    values = {by_id[i].value for i in disagreements[0].claim_ids}
    assert values == {"5", "2"}
    # A doctor's 60 injured is twelve times the best-supported figure: another count (the
    # wording did not tell which), not one figure reported differently.
    assert "60" not in disagreements[0].explanation


def test_a_scope_an_article_sets_apart_stays_a_scope(story_material: Build) -> None:
    _, disagreements = analyze_claims(story_material(DOSSIER / "disagree_scope.jsonl"))
    # "2,500 in the city" and "9,000 across the region" in separate sentences of one report.
    assert [d.type for d in disagreements].count(DisagreementType.SCOPE) == 1
