"""The brief: a few cited sentences covering the most corroborated claims and the disagreements.

``brief_derailment.jsonl``: a freight train derailment reported on the day by three outlets
(Lakeside Courier, Metro Daily, Continental Wire, whose story Hill Country Post runs verbatim),
and two days later by the Courier again, which revises the injured count from 14 to 23.
Claims are built here with support spans on the fixture's sentences, so the tests do not depend
on how claims are extracted.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from storyline import open_project
from storyline.config import Settings
from storyline.link.features import tokens
from storyline.model import (
    BriefSentence,
    Claim,
    ClaimKind,
    Disagreement,
    DisagreementType,
    Evidence,
    StoryMaterial,
)
from storyline.synthesize import brief as brief_module
from storyline.synthesize.brief import BriefCandidate, Summarizer, build_brief
from storyline.synthesize.claims import analyze_claims
from test_timeline import _grown

DERAILMENT = Path(__file__).parent / "fixtures" / "dossier" / "brief_derailment.jsonl"
BuildMaterial = Callable[[Path], StoryMaterial]


@pytest.fixture
def derailment(story_material: BuildMaterial) -> StoryMaterial:
    return story_material(DERAILMENT)


def _evidence(material: StoryMaterial, article_id: str, words: str) -> Evidence:
    text = next(a.text for a in material.articles if a.id == article_id)
    start = text.index(words)
    return Evidence(article_id=article_id, start=start, end=start + len(words))


def _claim(
    material: StoryMaterial, name: str, sources: int, support: Iterable[tuple[str, str]]
) -> Claim:
    return Claim(
        id=f"c-{name}",
        kind=ClaimKind.QUANTITY,
        statement=name,
        subject=name,
        predicate="is",
        value=name,
        support=tuple(_evidence(material, a, w) for a, w in support),
        independent_sources=sources,
    )


def _claims(material: StoryMaterial, *, wagons: int = 2, injured: int = 2) -> list[Claim]:
    return [
        _claim(
            material,
            "stranded",
            3,
            [
                ("br-courier-1", "about 2,000 passengers"),
                ("br-wire-1", "about 2,000 passengers"),
                ("br-hill-copy", "about 2,000 passengers"),
                ("br-metro-1", "about 2,000 passengers"),
            ],
        ),
        _claim(
            material,
            "wagons",
            wagons,
            [
                ("br-courier-1", "Eleven of its 32 wagons"),
                ("br-wire-1", "Eleven of the train's 32 wagons"),
                ("br-hill-copy", "Eleven of the train's 32 wagons"),
            ],
        ),
        _claim(material, "driver", 1, [("br-wire-1", "The driver was taken to hospital")]),
        _claim(
            material,
            "injured-14",
            1,
            [("br-courier-1", "14 people were injured"), ("br-courier-2", "the 14 first")],
        ),
        _claim(
            material,
            "injured-23",
            injured,
            [("br-metro-1", "treated 23 people"), ("br-courier-2", "has risen to 23")],
        ),
    ]


def _revision() -> Disagreement:
    return Disagreement(
        type=DisagreementType.REVISION,
        claim_ids=("c-injured-14", "c-injured-23"),
        explanation="The injured count rose from 14 to 23.",
    )


def _supports(brief: Sequence[BriefSentence], claim: Claim) -> bool:
    """Whether a brief sentence holds a support span of the claim (copies' spans included)."""
    return any(
        e.article_id == b.article_id and e.start < b.end and b.start < e.end
        for b in brief
        for e in claim.support
    )


def _cosine(a: str, b: str) -> float:
    wa, wb = set(tokens(a)), set(tokens(b))
    return len(wa & wb) / math.sqrt(len(wa) * len(wb)) if wa and wb else 0.0


def _check(material: StoryMaterial, brief: Sequence[BriefSentence], most: int) -> None:
    """At most ``most`` sentences, each the exact text of its span in an origin article, in
    story order, none repeating another sentence of the same news day."""
    articles = {a.id: a for a in material.articles}
    position = {a.id: i for i, a in enumerate(material.articles)}
    assert 0 < len(brief) <= most
    for b in brief:
        article = articles[b.article_id]
        assert article.text[b.start : b.end] == b.sentence
        assert article.duplicate_of not in articles, "a wire copy is cited, not its origin"
    keys = [(position[b.article_id], b.start) for b in brief]
    assert keys == sorted(keys)
    for i, a in enumerate(brief):
        for b in brief[i + 1 :]:
            pa, pb = articles[a.article_id].published, articles[b.article_id].published
            if pa is not None and pb is not None and abs((pa - pb).total_seconds()) < 86400:
                assert _cosine(a.sentence, b.sentence) < 0.6, (a.sentence, b.sentence)


def test_the_brief_respects_its_length_and_cites_real_spans(derailment: StoryMaterial) -> None:
    claims = _claims(derailment)
    for most in (1, 2, 3, 5, 8):
        _check(derailment, build_brief(derailment, claims, [_revision()], max_sentences=most), most)
    _check(derailment, build_brief(derailment, [], []), 5)
    assert build_brief(derailment, claims, [], max_sentences=0) == ()
    assert build_brief(derailment, claims, [_revision()]) == build_brief(
        derailment, claims, [_revision()]
    )


def test_the_most_corroborated_claim_comes_first(derailment: StoryMaterial) -> None:
    claims = _claims(derailment)
    (only,) = build_brief(derailment, claims, [], max_sentences=1)
    assert _supports([only], claims[0])  # 2,000 stranded, three independent sources
    # Make the wagon count the best-sourced fact and it takes the one sentence instead.
    claims = _claims(derailment, wagons=6)
    (only,) = build_brief(derailment, claims, [], max_sentences=1)
    assert _supports([only], claims[1])


def test_the_brief_shows_the_disagreement(derailment: StoryMaterial) -> None:
    claims = _claims(derailment)
    brief = build_brief(derailment, claims, [_revision()], max_sentences=3)
    assert _supports(brief, claims[0])
    assert _supports(brief, claims[3]) or _supports(brief, claims[4])
    # With the wagon count better sourced than either injured count, a two-sentence brief
    # tells the wagons; the revision of the injured count is what brings that in instead.
    claims = _claims(derailment, wagons=4, injured=1)
    plain = build_brief(derailment, claims, [], max_sentences=2)
    assert _supports(plain, claims[1])
    assert not (_supports(plain, claims[3]) or _supports(plain, claims[4]))
    disputed = build_brief(derailment, claims, [_revision()], max_sentences=2)
    assert _supports(disputed, claims[3]) and _supports(disputed, claims[4])


def test_same_day_leads_are_not_repeated(derailment: StoryMaterial) -> None:
    leads = {
        a.id: a.text[: a.text.index(".") + 1]
        for a in derailment.articles
        if a.id in ("br-courier-1", "br-metro-1", "br-wire-1")
    }
    for claims in ([], _claims(derailment)):
        brief = build_brief(derailment, claims, [])
        chosen = [b.sentence for b in brief if b.sentence in leads.values()]
        assert len(chosen) == 1, chosen
    # The story's first report opens the brief.
    assert build_brief(derailment, [], [])[0].sentence == leads["br-courier-1"]


class _FirstClauses:
    """A tiny summarizer: the two best candidates, each cut to its first clause."""

    def __init__(self) -> None:
        self.offered: list[BriefCandidate] = []

    def __call__(
        self, candidates: Sequence[BriefCandidate], *, title: str | None, max_sentences: int
    ) -> list[BriefSentence]:
        self.offered = list(candidates)
        return [
            BriefSentence(
                sentence=c.sentence.split(",")[0] + ".",
                article_id=c.article_id,
                start=c.start,
                end=c.end,
            )
            for c in candidates[: min(2, max_sentences)]
        ]


def test_a_summarizer_writes_the_brief_from_cited_candidates(derailment: StoryMaterial) -> None:
    claims = _claims(derailment)
    summarizer = _FirstClauses()
    assert isinstance(summarizer, Summarizer)
    brief = build_brief(derailment, claims, [_revision()], max_sentences=4, summarizer=summarizer)
    extractive = build_brief(derailment, claims, [_revision()], max_sentences=4)
    texts = {a.id: a.text for a in derailment.articles}
    offered = summarizer.offered
    assert len(offered) >= 20 or len(offered) > len(extractive)
    assert all(texts[c.article_id][c.start : c.end] == c.sentence for c in offered)
    # The extractive choice is offered first and marked.
    chosen = [c for c in offered if c.chosen]
    assert [(c.article_id, c.start) for c in offered[: len(chosen)]] == [
        (c.article_id, c.start) for c in chosen
    ]
    assert {(c.article_id, c.start, c.end) for c in chosen} == {
        (b.article_id, b.start, b.end) for b in extractive
    }
    assert [b.sentence for b in brief] == [c.sentence.split(",")[0] + "." for c in offered[:2]]
    assert all(b.sentence != texts[b.article_id][b.start : b.end] for b in brief)


class _Broken:
    def __init__(self, result: Callable[[Sequence[BriefCandidate]], list[BriefSentence]]):
        self.result = result

    def __call__(
        self, candidates: Sequence[BriefCandidate], *, title: str | None, max_sentences: int
    ) -> list[BriefSentence]:
        return self.result(candidates)


def _raise(candidates: Sequence[BriefCandidate]) -> list[BriefSentence]:
    raise RuntimeError("model server unreachable")


def _invented(candidates: Sequence[BriefCandidate]) -> list[BriefSentence]:
    return [BriefSentence(sentence="Made up.", article_id="nowhere", start=0, end=8)]


def _uncited(candidates: Sequence[BriefCandidate]) -> list[BriefSentence]:
    # A real span of a story article, but no candidate's: the title line is not offered.
    c = candidates[0]
    return [BriefSentence(sentence="x", article_id=c.article_id, start=c.end, end=c.end + 1)]


@pytest.mark.parametrize("result", [_raise, _invented, _uncited, lambda c: []])
def test_a_failing_summarizer_falls_back_to_the_extractive_brief(
    derailment: StoryMaterial,
    result: Callable[[Sequence[BriefCandidate]], list[BriefSentence]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    claims = _claims(derailment)
    with caplog.at_level(logging.WARNING, logger="storyline.synthesize.brief"):
        brief = build_brief(derailment, claims, [], summarizer=_Broken(result))
    assert brief == build_brief(derailment, claims, [])
    assert "summarizer failed" in caplog.text


def test_demo_briefs_open_on_the_first_report_and_cite_origins(demo_store: Path) -> None:
    with open_project(demo_store, settings=Settings()) as project:
        materials = [project.story_material(s.id) for s in project.stories()]
    for material in materials:
        brief = build_brief(material, [], [])
        _check(material, brief, 5)
        assert len(brief) == 5  # every demo story has more than five usable sentences
        first = next(a for a in material.articles if a.duplicate_of is None)
        assert brief[0].article_id == first.id
        assert brief[0].start <= first.text.index(".")
        assert len(build_brief(material, [], [], max_sentences=2)) == 2


def _covers_top(brief: Sequence[BriefSentence], claims: Sequence[Claim]) -> bool:
    top = max(c.independent_sources for c in claims)
    return any(_supports(brief, c) for c in claims if c.independent_sources == top)


def test_with_extracted_claims_the_brief_covers_the_best_sourced_fact_and_the_dispute(
    derailment: StoryMaterial,
) -> None:
    claims, disagreements = analyze_claims(derailment)
    assert claims and disagreements
    brief = build_brief(derailment, claims, disagreements)
    _check(derailment, brief, 5)
    assert _covers_top(brief, claims)
    by_id = {c.id: c for c in claims}
    main = max(disagreements, key=lambda d: sum(by_id[i].independent_sources for i in d.claim_ids))
    assert any(_supports(brief, by_id[i]) for i in main.claim_ids)


def test_demo_briefs_with_extracted_claims_cover_their_best_sourced_fact(demo_store: Path) -> None:
    with open_project(demo_store, settings=Settings()) as project:
        materials = [project.story_material(s.id) for s in project.stories()]
    for material in materials:
        claims, disagreements = analyze_claims(material)
        brief = build_brief(material, claims, disagreements)
        _check(material, brief, 5)
        if claims:
            assert _covers_top(brief, claims), material.story.title


def test_the_work_grows_no_faster_than_n_log_n(
    derailment: StoryMaterial, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    compare, tokenize = brief_module.event_similarity, brief_module.tokens

    def counting(function: Callable[..., Any]) -> Callable[..., Any]:
        def count(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            return function(*args, **kwargs)

        return count

    monkeypatch.setattr(brief_module, "event_similarity", counting(compare))
    monkeypatch.setattr(brief_module, "tokens", counting(tokenize))
    work = {}
    for copies in (5, 50):
        calls = 0
        grown = _grown(derailment, copies)
        _check(grown, build_brief(grown, _claims(derailment), [_revision()]), 5)
        work[copies] = calls
    n_log_n = {
        k: k * len(derailment.articles) * math.log(k * len(derailment.articles)) for k in work
    }
    assert work[50] / work[5] <= n_log_n[50] / n_log_n[5]


LAYOUT = Path(__file__).parent / "fixtures" / "dossier" / "layout_qasr_halim.jsonl"


def test_headings_are_never_brief_sentences_and_list_items_stand_alone(
    story_material: BuildMaterial,
) -> None:
    """A wire report with a bulleted fact box and magazine-style sub-heads: the sub-heads are
    not offered to the brief at all, and a bullet is offered on its own."""
    material = story_material(LAYOUT)
    claims, _ = analyze_claims(material)
    summarizer = _FirstClauses()
    build_brief(material, claims, [], max_sentences=10, summarizer=summarizer)
    offered = [c.sentence for c in summarizer.offered]
    assert len(offered) >= 10
    assert not any("stronghold on the Sirwan river" in s for s in offered)
    assert not any("Tuesday's bridge attack" in s for s in offered)
    assert not any("\n" in s for s in offered)
    item = "About 6,000 militants were left to hold the town, according to army estimates"
    assert item in offered
    for sentence in build_brief(material, claims, [], max_sentences=10):
        assert "\n" not in sentence.sentence and "stronghold" not in sentence.sentence
