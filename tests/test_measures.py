"""Figure claims that say what they measure, mentions of one measure in other words, and
disagreements on the measure rather than the wording (issue 15, points 2 and 3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storyline.model import Claim, ClaimKind, Disagreement, DisagreementType, StoryMaterial
from storyline.synthesize.claims import analyze_claims

DOSSIER = Path(__file__).resolve().parent / "fixtures" / "dossier"
Build = Callable[[Path], StoryMaterial]


def _analyze(build: Build, name: str) -> tuple[list[Claim], tuple[Disagreement, ...]]:
    claims, disagreements = analyze_claims(build(DOSSIER / name))
    ids = {c.id for c in claims}
    for d in disagreements:
        assert set(d.claim_ids) <= ids
    return [c for c in claims if c.kind is ClaimKind.QUANTITY], disagreements


def _values(d: Disagreement, claims: list[Claim]) -> list[str]:
    by_id = {c.id: c for c in claims}
    return sorted(by_id[i].value for i in d.claim_ids)


def test_figures_with_units_name_what_they_measure(story_material: Build) -> None:
    figures, _ = _analyze(story_material, "measures_quake.jsonl")
    subjects = {c.subject: c for c in figures}
    assert not [s for s in subjects if s.startswith(("figure in", "amount"))], subjects
    # "10 kilometres (6 miles)" and "6 miles" are one depth, the conversion in brackets no
    # claim of its own; "34 miles (55 km)" and "about 55 kilometres" one distance.
    depth = subjects["depth of the earthquake"]
    assert depth.independent_sources == 2 and depth.predicate == "length"
    assert {e.article_id for e in depth.support} == {"qk1", "qk2", "qk3"}
    distance = subjects["distance of the epicentre from Dastgerd"]
    assert distance.independent_sources == 2
    assert subjects["magnitude of the earthquake"].value == "6.1"
    # "he walked 5 kilometres to reach the hospital" does not say what is measured: no claim.
    assert not [c for c in figures if "5 kilometres" in c.value]


def test_money_names_its_relation_and_rate(story_material: Build) -> None:
    figures, _ = _analyze(story_material, "measures_money.jsonl")
    subjects = {c.subject: c for c in figures}
    cost = next(c for s, c in subjects.items() if s.startswith("yearly cost of the subsidy"))
    assert cost.independent_sources == 2  # "38 million" and "about 38 million valors a year"
    assert "value of the contracts" in subjects
    # "200 valors left in the till" and "a petition signed by 40,000 people" name no measure.
    assert all("200 valors" not in c.value and c.value != "40,000" for c in figures), subjects


def test_fighters_in_other_words_are_one_measure(story_material: Build) -> None:
    figures, disagreements = _analyze(story_material, "measures_siege.jsonl")
    fighters = [c for c in figures if c.subject == "fighters in Harrow"]
    # "about 6,000 militants", "between 2,000 and 4,000 rebel fighters", "about 1,500
    # insurgents": one measure; "more than half of them killed" does not make them the dead.
    assert sorted(c.value for c in fighters) == ["2,000-4,000", "about 1,500", "about 6,000"]
    spreads = [d for d in disagreements if d.type is DisagreementType.SPREAD]
    assert [_values(d, figures) for d in spreads] == [["2,000-4,000", "about 6,000"]]
    revisions = [_values(d, figures) for d in disagreements if d.type is DisagreementType.REVISION]
    assert revisions and all("about 1,500" in r for r in revisions), revisions
    assert not [d for d in disagreements if d.type is DisagreementType.SCOPE]


def test_a_city_and_its_province_are_one_scope(story_material: Build) -> None:
    figures, disagreements = _analyze(story_material, "measures_quake.jsonl")
    # "at least 6 in Dastgerd, the capital of Varesh province", "8 in Varesh province" the
    # same day, "24" two days later: a spread, then a revision; never a scope disagreement.
    assert not [d for d in disagreements if d.type is DisagreementType.SCOPE], disagreements
    dead = [c for c in figures if c.subject.startswith("people dead")]
    assert len({c.subject for c in dead}) == 1, [c.subject for c in dead]
    kinds = {d.type for d in disagreements}
    assert DisagreementType.SPREAD in kinds and DisagreementType.REVISION in kinds
    spread = next(d for d in disagreements if d.type is DisagreementType.SPREAD)
    assert _values(spread, figures) == ["8", "more than 6"]
    rise = [_values(d, figures) for d in disagreements if d.type is DisagreementType.REVISION]
    assert ["24", "8"] in rise or ["24", "more than 6"] in rise, rise


def test_figures_of_two_happenings_are_never_compared(story_material: Build) -> None:
    figures, disagreements = _analyze(story_material, "disagree_two_events.jsonl")
    # A quake on Saturday (5.8, 3 dead) and a second on Tuesday (6.4, 11 dead).
    assert {c.value for c in figures if c.subject.startswith("people dead")} == {"3", "11"}
    assert disagreements == ()


def test_undated_death_tolls_rise_and_contradict(story_material: Build) -> None:
    figures, disagreements = _analyze(story_material, "disagree_undated_tolls.jsonl")
    # Undated: "the death toll rose to 24" says it is the later count (a revision of 5 and
    # 6); 5 and 6, both exact, cannot both hold (docs/labelling-dossiers.md, section 5).
    types = [d.type for d in disagreements]
    assert types == [DisagreementType.REVISION, DisagreementType.CONTRADICTION], types
    assert _values(disagreements[0], figures) == ["24", "5", "6"]
    assert "rose to 24" in disagreements[0].explanation
    assert _values(disagreements[1], figures) == ["5", "6"]
    assert "none is dated" in disagreements[1].explanation
