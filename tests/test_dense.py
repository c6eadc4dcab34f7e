"""Lead similarity (storyline.link.dense): the bundled ONNX model, its store round trip, and
what it adds to story assignment: two reports of one event in other words."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import FIXTURES
from storyline.annotate.pipeline import Annotator
from storyline.config import Settings, StorySettings
from storyline.errors import ConfigError
from storyline.link import MemoryStoryIndex, StoredArticle, StoryClusterer, StoryProfile
from storyline.link.dense import LeadEmbedder, MemoEmbedder, cosine, lead_embedder, lead_text
from storyline.model import Annotations, Article
from storyline.store import SqliteStore

SIEGE = FIXTURES / "stories" / "siege_months_apart.jsonl"


@pytest.fixture(scope="module")
def embedder() -> LeadEmbedder:
    return LeadEmbedder()


def test_leads_in_other_words_are_near_and_unrelated_ones_far(embedder: LeadEmbedder) -> None:
    first = embedder.embed("Troops launched their operation to retake the town of Tel Sabra.")
    again = embedder.embed("Forces began their offensive to recapture Tel Sabra from rebels.")
    other = embedder.embed("The central bank of Varnia cut its main interest rate to 3%.")
    assert len(first) == 384
    assert sum(x * x for x in first) == pytest.approx(1.0, abs=1e-5)
    assert cosine(first, again) > 0.6 > cosine(first, other) + 0.3
    # The same text gives the same vector (one thread, no randomness).
    assert embedder.embed("Troops launched their operation to retake the town of Tel Sabra.") == (
        first
    )
    assert embedder.embed("   \n ") == ()


def test_lead_text_is_title_and_lead() -> None:
    body = "TEL SABRA (Levant Wire) — The army attacked.\n" + "More detail follows. " * 40
    lead = lead_text(Article(id="a", title="Army attacks Tel Sabra", text=body))
    assert lead.startswith("Army attacks Tel Sabra TEL SABRA (Levant Wire)")
    assert 400 <= len(lead) < 460 and "\n" not in lead
    # A web address above the text (archives keep them; ECB+ keeps them tokenized) is no lead.
    archived = Article(
        id="c",
        title="http: / / www. levant-wire. example / tel-sabra",
        text="http: / / www. levant-wire. example / tel-sabra\nThe army attacked Tel Sabra.",
    )
    assert lead_text(archived) == "The army attacked Tel Sabra."
    # A text that opens with its title does not repeat it.
    opened = lead_text(Article(id="b", title="The army attacked.", text="The army attacked."))
    assert opened == "The army attacked."


def test_a_missing_model_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="model not found"):
        LeadEmbedder(tmp_path / "none.onnx").embed("Some text.")
    assert lead_embedder(StorySettings(dense_weight=0.0)) is None
    assert isinstance(lead_embedder(StorySettings()), LeadEmbedder)


def test_memo_embedder_embeds_each_text_once() -> None:
    calls: list[str] = []

    class Counting:
        def embed(self, text: str) -> tuple[float, ...]:
            calls.append(text)
            return (1.0, 0.0)

    memo = MemoEmbedder(Counting())
    assert memo.embed("a") == memo.embed("a") == (1.0, 0.0)
    memo.embed("b")
    assert calls == ["a", "b"]


def test_lead_vectors_round_trip_through_the_store(tmp_path: Path) -> None:
    vector = tuple(float(i) / 10 for i in range(8))
    with SqliteStore(tmp_path / "d.db") as store:
        index = store.story_index()
        index.put_article(
            StoredArticle(
                article_id="a", story_id="s", arrival=0, features={"t:x": 1.0}, dense=vector
            )
        )
        index.put_story(StoryProfile(story_id="s", founded_by="a", created=0, dense=vector))
        assert index.article("a").dense == pytest.approx(vector)  # type: ignore[union-attr]
        assert index.story("s").dense == pytest.approx(vector)  # type: ignore[union-attr]
        index.put_article(StoredArticle(article_id="b", story_id="s", arrival=1))
        assert index.article("b").dense == ()  # type: ignore[union-attr]


def _siege() -> tuple[list[Article], dict[str, Annotations | None]]:
    records = [json.loads(line) for line in SIEGE.read_text(encoding="utf-8").splitlines()]
    articles = [
        Article(
            id=r["id"],
            source=r["source"],
            title=r["title"],
            text=r["text"],
            # Undated: only the words and the leads decide.
            published=None,
        )
        for r in records
    ]
    annotations = dict(Annotator(Settings().annotate).annotate_articles(articles))
    return articles, {a.id: ann for a, ann in annotations.items()}


def test_the_story_score_counts_leads_only_with_a_weight(embedder: LeadEmbedder) -> None:
    articles, annotations = _siege()
    scores = {}
    for weight in (0.0, 0.4):
        clusterer = StoryClusterer(StorySettings(dense_weight=weight), MemoryStoryIndex(), embedder)
        clusterer.add(articles[0], annotations[articles[0].id])
        later = clusterer.add(articles[1], annotations[articles[1].id])
        stored = clusterer.index.article(articles[1].id)
        assert stored is not None and bool(stored.dense) == (weight > 0)
        scores[weight] = later.score if not later.new_story else later.runner_up_score
    # Both leads report the offensive on Tel Sabra: the lead part adds to the words'.
    assert scores[0.4] != scores[0.0]
    # Without annotations (ingest with annotation off) nothing is embedded.
    bare = StoryClusterer(StorySettings(), MemoryStoryIndex(), embedder)
    bare.add(articles[0], None)
    assert bare.index.article(articles[0].id).dense == ()  # type: ignore[union-attr]


def test_stored_vectors_are_ignored_at_weight_zero(embedder: LeadEmbedder) -> None:
    articles, annotations = _siege()
    on = StoryClusterer(StorySettings(), MemoryStoryIndex(), embedder)
    on.add(articles[0], annotations[articles[0].id])
    story = on.index.story(on.story_of(articles[0].id) or "")
    assert story is not None and story.dense
    off = StoryClusterer(replace(StorySettings(), dense_weight=0.0), on.index, embedder)
    assert off.embedder is None
    vector = off._weighted(off.features(articles[1], annotations[articles[1].id]))
    dense = embedder.embed(lead_text(articles[1]))
    assert "v" not in off._components(vector, {"t": 1.0}, story, dense)
    assert "v" in on._components(vector, {"t": 1.0}, story, dense)
