"""Claims and corroboration (issue 6, points 1-2) on stories written for the purpose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from storyline.model import Article, Claim, ClaimKind, StoryMaterial
from storyline.synthesize.claims import analyze_claims, claim_id
from storyline.synthesize.sources import independent_sources

DOSSIER = Path(__file__).resolve().parent / "fixtures" / "dossier"
Build = Callable[[Path], StoryMaterial]


def _find(claims: tuple[Claim, ...], subject_part: str, kind: ClaimKind) -> list[Claim]:
    return [c for c in claims if c.kind is kind and subject_part in c.subject]


def test_independent_sources_union_of_copies_and_outlets() -> None:
    arts = {
        "a1": Article(id="a1", text="x", source="Meridian Press"),
        "a1w": Article(
            id="a1w", text="x", source="Valley Herald", duplicate_of="a1", duplicate_group="a1"
        ),
        "a2": Article(id="a2", text="x", source="Meridian Press"),
        "b1": Article(id="b1", text="x", source="Norland Post"),
        "c1": Article(id="c1", text="x"),
    }
    assert independent_sources(["a1", "a1w", "a2"], arts) == 1
    assert independent_sources(["a1w", "b1"], arts) == 2
    assert independent_sources(["a1", "b1", "c1"], arts) == 3
    # Valley Herald's own reporting is independent of the Meridian story it reprinted.
    arts["v2"] = Article(id="v2", text="x", source="Valley Herald")
    assert independent_sources(["a1w", "v2"], arts) == 2
    # A copy whose original is not at hand is its copy group's origin.
    arts["x1"] = Article(
        id="x1", text="x", source="Digest", duplicate_of="zz", duplicate_group="zz"
    )
    arts["x2"] = Article(id="x2", text="x", source="Other", duplicate_of="zz", duplicate_group="zz")
    assert independent_sources(["x1", "x2"], arts) == 1
    assert independent_sources(["x1", "a1"], arts) == 2
    assert independent_sources([], arts) == 0


def test_corroboration_counts_copies_and_one_outlet_once(story_material: Build) -> None:
    material = story_material(DOSSIER / "claims_corroboration.jsonl")
    claims, _ = analyze_claims(material)
    evacuated = _find(claims, "people evacuated", ClaimKind.QUANTITY)
    # "about 40", "40" and "some 40" are one claim, scoped to the dateline place.
    assert len(evacuated) == 1, [c.statement for c in evacuated]
    claim = evacuated[0]
    assert "Hillfoot" in claim.subject
    assert {e.article_id for e in claim.support} == {"cc1", "cc1w", "cc2", "cc3"}
    # Meridian Press + its wire copy in Valley Herald + Meridian's second article, and the Post.
    assert claim.independent_sources == 2
    injured = _find(claims, "people injured", ClaimKind.QUANTITY)
    assert [c.value for c in injured] == ["6"]
    # The superlative only appears in the wire story and its copy: one origin.
    worst = _find(claims, "mining accident", ClaimKind.SUPERLATIVE)
    assert [(c.value, c.independent_sources) for c in worst] == [("since 1998", 1)]


def test_support_spans_index_the_article_text(story_material: Build) -> None:
    material = story_material(DOSSIER / "claims_corroboration.jsonl")
    texts = {a.id: a.text for a in material.articles}
    claims, _ = analyze_claims(material)
    assert claims
    for claim in claims:
        assert claim.support
        for e in claim.support:
            fact = texts[e.article_id][e.start : e.end]
            assert fact and fact == fact.strip()
    # The evidence of a figure is the sentence that states it (in digits or in words).
    injured = next(c for c in claims if c.subject.startswith("people injured"))
    for e in injured.support:
        assert texts[e.article_id][e.start : e.end].lower().startswith(("six", "fire chief"))


def test_statements_are_attributed_to_corpus_names(story_material: Build) -> None:
    material = story_material(DOSSIER / "claims_corroboration.jsonl")
    claims, _ = analyze_claims(material)
    statements = [c for c in claims if c.kind is ClaimKind.STATEMENT]
    speakers = {c.subject for c in statements}
    assert {"Marta Olsen", "Lars Berg"} <= speakers, speakers
    canonical = {e.canonical for e in material.entities}
    assert speakers <= canonical
    assert all(c.predicate == "said" and c.value for c in statements)
    # The wire copy repeats Olsen's first statement word for word: one claim, two articles.
    olsen = [c for c in statements if c.subject == "Marta Olsen" and "collapse" in c.value]
    assert olsen and {"cc1", "cc1w"} <= {e.article_id for e in olsen[0].support}


def test_ids_are_stable_and_order_deterministic(story_material: Build) -> None:
    material = story_material(DOSSIER / "claims_corroboration.jsonl")
    first, dis1 = analyze_claims(material)
    second, dis2 = analyze_claims(material)
    assert first == second and dis1 == dis2
    assert len({c.id for c in first}) == len(first)
    for c in first:
        assert c.id == claim_id(c.subject, c.predicate, c.value)
        assert c.id.startswith("c-") and len(c.id) == 14
    keys = [(-c.independent_sources) for c in first]
    assert keys == sorted(keys)


@pytest.mark.parametrize("name", ["claims_corroboration.jsonl", "disagree_revision.jsonl"])
def test_reordered_input_gives_the_same_claims(
    story_material: Build, tmp_path: Path, name: str
) -> None:
    lines = (DOSSIER / name).read_text(encoding="utf-8").splitlines()
    reversed_file = tmp_path / f"reversed_{name}"
    reversed_file.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    forward, _ = analyze_claims(story_material(DOSSIER / name))
    backward, _ = analyze_claims(story_material(reversed_file))
    quantities = {(c.id, c.independent_sources) for c in forward if c.kind is ClaimKind.QUANTITY}
    assert quantities == {
        (c.id, c.independent_sources) for c in backward if c.kind is ClaimKind.QUANTITY
    }


def test_demo_flood_groups_evacuee_counts(demo_store: Path) -> None:
    from storyline import open_project

    with open_project(demo_store) as project:
        story = next(s for s in project.stories() if "a02" in s.article_ids)
        material = project.story_material(story.id)
    claims, disagreements = analyze_claims(material)
    texts = {a.id: a.text for a in material.articles}
    evacuated = [c for c in claims if c.subject == "people evacuated in Eastbrook"]
    about_3000 = [c for c in evacuated if c.value == "about 3,000"]
    assert about_3000, [c.statement for c in evacuated]
    # Meridian's first report, its restatement two days later and the Ledger's look back agree.
    assert {"a02", "a05"} <= {e.article_id for e in about_3000[0].support}
    assert about_3000[0].independent_sources >= 2
    assert any(c.value == "5,200" for c in evacuated)
    for c in claims:
        for e in c.support:
            assert 0 <= e.start < e.end <= len(texts[e.article_id])
    # A story of 14 articles gives a readable number of claims, not one per number.
    assert len(claims) < 10 * len(material.articles)
    assert disagreements


def test_dated_events_agree_at_the_coarser_precision(story_material: Build) -> None:
    material = story_material(DOSSIER / "claims_events.jsonl")
    claims, _ = analyze_claims(material)
    began = [c for c in claims if c.kind is ClaimKind.EVENT and c.subject == "strike"]
    by_value = {c.value: c for c in began}
    # "walked out on Wednesday", "began three weeks ago" (that week) and "began in early March"
    # (that month) are one claim that keeps the finest date.
    assert {e.article_id for e in by_value["2025-03-05"].support} == {"ev1", "ev2", "ev3"}
    assert by_value["2025-03-05"].independent_sources == 3
    assert by_value["2025-03-05"].statement == "strike: began 2025-03-05"
    # "began on March 12" is not compatible with any of them.
    assert {e.article_id for e in by_value["2025-03-12"].support} == {"ev4"}
    resigned = [c for c in claims if c.subject == "Jonas Berg" and c.predicate == "resigned"]
    assert [(c.value, c.independent_sources) for c in resigned] == [("2025-03-25", 3)]
    # A dated resignation makes the undated state redundant.
    assert not [c for c in claims if c.kind is ClaimKind.STATE and c.subject == "Jonas Berg"]


def test_wire_copies_add_support_but_not_sources(story_material: Build) -> None:
    material = story_material(DOSSIER / "disagree_spread.jsonl")
    before, _ = analyze_claims(material)
    # Every article reprinted by one aggregator: as many spans again, the same origins (the
    # aggregator reprinting both outlets does not make them one).
    copies = tuple(
        replace(
            a,
            id=a.id + "-copy",
            source="Wire Digest",
            duplicate_of=a.id,
            duplicate_group=a.duplicate_group or a.id,
        )
        for a in material.articles
    )
    syndicated = replace(
        material,
        articles=material.articles + copies,
        annotations={**material.annotations}
        | {c.id: material.annotations[c.duplicate_of or ""] for c in copies},
        entity_names={**material.entity_names}
        | {c.id: material.entity_names.get(c.duplicate_of or "", {}) for c in copies},
    )
    after, _ = analyze_claims(syndicated)
    assert [(c.id, c.independent_sources) for c in after] == [
        (c.id, c.independent_sources) for c in before
    ]
    assert all(len(a.support) == 2 * len(b.support) for a, b in zip(after, before, strict=True))


def test_figures_agree_within_rounding_and_hedges_only() -> None:
    from storyline.model import Quantity
    from storyline.synthesize.claim_facts import Fact, figure_interval
    from storyline.synthesize.claim_groups import ClaimGroup

    def q(text: str, value: float | None, low: float | None, high: float | None) -> Quantity:
        return Quantity(
            text=text, start=0, end=1, value=value, low=low, high=high, unit=None, counts="people"
        )

    def group(quantity: Quantity) -> ClaimGroup:
        low, high = figure_interval(quantity)
        fact = Fact(
            kind=ClaimKind.QUANTITY,
            article_id="a",
            start=0,
            end=1,
            measure="m",
            predicate="number",
            scope="",
            value=quantity.text,
            low=low,
            high=high,
            point=quantity.value,
        )
        return ClaimGroup((ClaimKind.QUANTITY, "m", "number", ""), [fact], low=low, high=high)

    def agree(a: Quantity, b: Quantity) -> bool:
        other = group(b)
        return group(a).compatible(other.low, other.high, other.points)

    about_3000 = q("about 3,000", 3000, 2700, 3300)
    assert agree(about_3000, q("3,000", 3000, 3000, 3000))
    assert agree(q("3,412", 3412, 3412, 3412), q("about 3,400", 3400, 3060, 3740))
    assert not agree(q("3,000", 3000, 3000, 3000), q("3,412", 3412, 3412, 3412))
    assert agree(about_3000, q("3,000 to 4,000", None, 3000, 4000))
    # Two estimates whose bands only touch are two estimates.
    assert not agree(q("about 300", 300, 270, 330), q("about 250", 250, 225, 275))
    # An open bound is closed at 25%: 11,500 is not "more than 8,000" restated.
    assert not agree(q("more than 8,000", 8000, 8000, None), q("11,500", 11500, 11500, 11500))
    assert agree(q("more than 8,000", 8000, 8000, None), q("8,000", 8000, 8000, 8000))
    assert not agree(q("about 1,200", 1200, 1080, 1320), q("800 to 1,000", None, 800, 1000))


def test_a_story_without_annotations_or_dates_has_no_claims() -> None:
    from storyline.model import Annotations, StorySummary

    article = Article(id="x1", text="Nothing happened in Nowhere on Tuesday.", source="Gazette")
    story = StorySummary(
        id="s-x",
        title="Nothing happened in Nowhere on Tuesday.",
        article_ids=("x1",),
        first_published=None,
        last_published=None,
        sources=1,
    )
    bare = StoryMaterial(story=story, articles=(article,), annotations={})
    assert analyze_claims(bare) == ((), ())
    empty = replace(bare, annotations={"x1": Annotations()})
    assert analyze_claims(empty) == ((), ())


def test_a_verb_names_what_a_counted_noun_counts(story_material: Build) -> None:
    """ "apprehending 23 raiders", "three boats were captured": the verb says what is counted;
    a distance between two places is geography, and "the two devices were related" counts
    nothing that happened."""
    claims, _ = analyze_claims(story_material(DOSSIER / "measures_patrol.jsonl"))
    figures = {c.subject: c.value for c in claims if c.kind is ClaimKind.QUANTITY}
    assert figures.get("raiders apprehended in Velmora") == "23", figures
    assert figures.get("raiders seized") == "23", figures
    assert figures.get("boats captured") == "3", figures
    assert figures.get("rifles found") == "12", figures
    assert not [s for s in figures if s.startswith("distance")], figures
    assert not [s for s in figures if s.startswith("devices")], figures


def test_a_sum_is_named_by_the_noun_or_offer_it_belongs_to(story_material: Build) -> None:
    """ "a $20,000 reward": the noun after the sum names it; "offered at least $3 million":
    the value of an offer."""
    claims, _ = analyze_claims(story_material(DOSSIER / "measures_patrol.jsonl"))
    figures = {c.subject: c.value for c in claims if c.kind is ClaimKind.QUANTITY}
    assert figures.get("reward") == "20,000 USD", figures
    assert figures.get("value of the offer") == "more than 3 million USD", figures
