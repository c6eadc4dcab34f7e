"""Online story clustering on small articles we wrote (fictional places and people)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from storyline.annotate.pipeline import Annotator
from storyline.config import StorySettings, load_settings
from storyline.link import MemoryStoryIndex, StoryClusterer, name_key, story_id_for
from storyline.link.stories import LOOKUP_ENTITIES, LOOKUP_TERMS
from storyline.model import Annotations, Article


def at(day: int) -> datetime:
    return datetime(2024, 5, 1, 9, 0, tzinfo=UTC) + timedelta(days=day)


MARSBY_1 = Article(
    id="n1",
    source="Norland Courier",
    published=at(0),
    title="Kestrel River floods Marsby as hundreds leave their homes",
    text=(
        "MARSBY, Norland — The Kestrel River burst its banks in Marsby on Wednesday after four "
        "days of heavy rain, flooding the old town and forcing about 600 residents from their "
        "homes. Mayor Tomas Reyes said two shelters had opened at the Marsby sports hall. "
        '"The water rose faster than anyone expected," Reyes told reporters. The Norland '
        "Water Board said the river had risen 2.4 metres in a day."
    ),
)
MARSBY_COPY = Article(
    id="n1w",
    source="Baltic Wire Service",
    published=at(0) + timedelta(hours=3),
    title="Hundreds evacuated as Kestrel floods Marsby",
    text=MARSBY_1.text + " Forecasters expect more rain on Friday.",
    duplicate_of="n1",
)
MARSBY_2 = Article(
    id="n2",
    source="Harbor Gazette",
    published=at(1),
    title="Marsby flood: Reyes asks Norland for army help as Kestrel keeps rising",
    text=(
        "Marsby Mayor Tomas Reyes asked the Norland government for army help on Thursday as the "
        "Kestrel River kept rising and 600 people spent the night in shelters. The Norland Water "
        "Board warned that the flood barrier at the old town could fail. Reyes said the sports "
        "hall shelter was full."
    ),
)
MARSBY_LATER = Article(
    id="n3",
    source="Norland Courier",
    published=at(24),
    title="Three weeks after the Kestrel flood, Marsby counts the cost",
    text=(
        "Three weeks after the Kestrel River flooded Marsby, Mayor Tomas Reyes said repairs to "
        "the old town would cost 14 million euros. The Norland Water Board has opened an "
        "inquiry into why the flood barrier failed, and some of the 600 evacuated residents "
        "are still in the sports hall shelter."
    ),
)
SANTEL_1 = Article(
    id="c1",
    source="Calvarian Times",
    published=at(2),
    title="Orra River flood cuts off Santel; rescuers use boats",
    text=(
        "SANTEL, Calvaria — The Orra River flooded Santel on Friday, cutting the town off and "
        "trapping families on rooftops. Governor Ilse Marten said rescuers were using boats to "
        "reach villages along the river. Calvaria's civil protection agency said 1,200 people "
        "had been evacuated to a stadium in Dorvan."
    ),
)
SANTEL_2 = Article(
    id="c2",
    source="Harbor Gazette",
    published=at(3),
    title="Calvaria: Santel flood toll rises as Orra recedes",
    text=(
        "Governor Ilse Marten said on Saturday that the Orra River had begun to recede in Santel, "
        "where the flood has killed four people. Calvaria's civil protection agency said 1,200 "
        "evacuees remained at the stadium in Dorvan and that boats were still needed."
    ),
)
PORT = Article(
    id="p1",
    source="Harbor Gazette",
    published=at(5),
    title="Dockworkers shut Port Halden in pay strike",
    text=(
        "Dockworkers at Port Halden walked out on Monday in a dispute over pay, leaving 30 ships "
        "waiting offshore. Union leader Jonas Berg said the strike would last until the port "
        "authority improved its offer."
    ),
)


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return Annotator()


@pytest.fixture(scope="module")
def annotated(annotator: Annotator) -> dict[str, Annotations | None]:
    articles = [MARSBY_1, MARSBY_COPY, MARSBY_2, MARSBY_LATER, SANTEL_1, SANTEL_2, PORT]
    return {a.id: ann for a, ann in annotator.annotate_articles(articles)}


def run(
    articles: list[Article],
    annotated: dict[str, Annotations | None],
    settings: StorySettings | None = None,
) -> StoryClusterer:
    clusterer = StoryClusterer(settings or load_settings(environ={}).stories, MemoryStoryIndex())
    for article in articles:
        clusterer.add(article, annotated.get(article.id))
    return clusterer


ALL = [MARSBY_1, MARSBY_COPY, SANTEL_1, MARSBY_2, SANTEL_2, PORT, MARSBY_LATER]


def test_two_floods_in_two_countries_are_two_stories(
    annotated: dict[str, Annotations | None],
) -> None:
    clusterer = run(ALL, annotated)
    marsby = {clusterer.story_of(i) for i in ("n1", "n1w", "n2", "n3")}
    santel = {clusterer.story_of(i) for i in ("c1", "c2")}
    assert len(marsby) == 1 and len(santel) == 1
    assert marsby != santel
    assert clusterer.story_of("p1") not in marsby | santel


def test_follow_up_weeks_later_joins_and_wire_copy_joins_its_origin(
    annotated: dict[str, Annotations | None],
) -> None:
    clusterer = StoryClusterer(StorySettings())
    first = clusterer.add(MARSBY_1, annotated["n1"])
    copy = clusterer.add(MARSBY_COPY, annotated["n1w"])
    assert first.new_story and not copy.new_story
    assert copy.story_id == first.story_id and copy.reason == "wire copy of n1"
    later = clusterer.add(MARSBY_LATER, annotated["n3"])
    assert later.story_id == first.story_id and not later.new_story


def test_story_ids_are_stable_and_deterministic(annotated: dict[str, Annotations | None]) -> None:
    clusterer = run(ALL[:3], annotated)
    before = {a.id: clusterer.story_of(a.id) for a in ALL[:3]}
    assert before["n1"] == story_id_for("n1") and before["c1"] == story_id_for("c1")
    for article in ALL[3:]:
        clusterer.add(article, annotated.get(article.id))
    assert {a.id: clusterer.story_of(a.id) for a in ALL[:3]} == before
    again = run(ALL, annotated)
    assert {a.id: again.story_of(a.id) for a in ALL} == {
        a.id: clusterer.story_of(a.id) for a in ALL
    }
    # Adding an article again changes nothing.
    repeat = clusterer.add(MARSBY_2, annotated["n2"])
    assert repeat.story_id == before["n1"]
    assert clusterer.index.story(before["n1"]).size == 4  # type: ignore[union-attr]


def test_unknown_publication_times_cost_nothing(annotated: dict[str, Annotations | None]) -> None:
    undated = [replace(a, published=None) for a in ALL]
    dated = run(ALL, annotated)
    clusterer = run(undated, annotated)
    assert {a.id: clusterer.story_of(a.id) for a in ALL} == {
        a.id: dated.story_of(a.id) for a in ALL
    }
    scores = {a.id: clusterer.index.article(a.id).score for a in ALL}  # type: ignore[union-attr]
    assert scores["n3"] >= dated.index.article("n3").score  # type: ignore[union-attr]


def test_explain_names_shared_entities_terms_nearest_and_runner_up(
    annotated: dict[str, Annotations | None],
) -> None:
    clusterer = run(ALL, annotated)
    why = clusterer.explain("n2")
    assert why.story_id == story_id_for("n1") and not why.new_story
    names = [name for name, _ in why.shared_entities]
    assert {"Tomas Reyes", "Kestrel River", "Norland Water Board"} <= set(names)
    assert all(not name.startswith("~") for name in names)
    terms = [term for term, _ in why.shared_terms]
    assert "kestrel" in terms
    assert why.nearest and why.nearest[0][0] in {"n1", "n3"}
    assert all(a != "n1w" for a, _ in why.nearest)  # copies are not "nearest articles"
    assert why.to_dict()["story_id"] == why.story_id
    # An article about both floods joins one and names the other as runner-up.
    both = Article(
        id="x1",
        published=at(4),
        title="Norland sends boats from Marsby to flooded Santel",
        text=(
            "Mayor Tomas Reyes said Marsby would lend Santel four of the boats used in the "
            "Kestrel River flood, as Governor Ilse Marten asked for help with the Orra River "
            "flood in Calvaria. The Norland Water Board said the Marsby shelters were closing."
        ),
    )
    assignment = clusterer.add(both, None)
    explained = clusterer.explain("x1")
    assert {assignment.story_id, assignment.runner_up} == {story_id_for("n1"), story_id_for("c1")}
    assert explained.runner_up == assignment.runner_up
    assert 0 < explained.runner_up_score < explained.score
    with pytest.raises(KeyError):
        clusterer.explain("nope")


def test_an_article_matching_two_stories_strongly_merges_them() -> None:
    settings = StorySettings(threshold=0.3, merge_threshold=0.5)
    clusterer = StoryClusterer(settings)
    left = "Alder quarry collapse traps miners near Brisk valley tunnel rescuers drill"
    right = "Ferrow bridge closure diverts lorries through Tamsin ring road congestion"
    a = clusterer.add(Article(id="x1", text=left))
    b = clusterer.add(Article(id="y1", text=right))
    assert a.story_id != b.story_id
    both = clusterer.add(Article(id="z1", text=left + " " + right))
    assert both.story_id == a.story_id and both.merged == (b.story_id,)
    assert clusterer.resolve(b.story_id) == a.story_id
    assert clusterer.story_of("y1") == a.story_id
    (event,) = clusterer.events()
    assert event.kind == "merge" and event.into == a.story_id and event.at_article == "z1"
    assert b.story_id in event.story_ids and "z1" in event.reason
    assert clusterer.events(b.story_id) == [event]


def test_name_keys_meet_across_spellings() -> None:
    assert name_key("Gaddafi") == name_key("Qadhafi") == name_key("al-Qaddafi")
    assert name_key("Yusuf al-Haddad") == name_key("Yusuf el-Haddad")
    assert name_key("Ana María Ortega") == name_key("ANA MARIA ORTEGA")
    assert name_key("Marsby") != name_key("Santel")


def test_tokens_are_the_same_from_the_word_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    from storyline.link import features

    text = MARSBY_1.title + " " + MARSBY_1.text + " Reyes' aides’ tallies: 1,200 in 2024."
    monkeypatch.setattr(features, "_TOKEN_CACHE", {})
    monkeypatch.setattr(features, "_TOKEN_CACHE_SIZE", 5)  # cleared again and again
    cold = features.tokens(text)
    assert cold == features.tokens(text)
    assert "river" in cold and "flood" in cold and "the" not in cold and "2024" in cold
    assert len(features._TOKEN_CACHE) <= 5
    monkeypatch.setattr(features, "_TOKEN_CACHE_SIZE", 10_000)
    assert features.tokens(text) == features.tokens(text) == cold
    assert [features._token(w) for w in ("floods", "the", "aides’", "120")] == [
        "flood",
        None,
        "aide",
        None,
    ]


def test_candidates_stay_bounded_with_many_stories() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(3000)]
    common = vocabulary[:40]
    settings = StorySettings(max_candidates=16)
    clusterer = StoryClusterer(settings, MemoryStoryIndex(max_postings=64))
    for story in range(600):
        own = rng.sample(vocabulary[40:], 12)
        text = " ".join(own + rng.sample(common, 8))
        clusterer.add(Article(id=f"s{story}", text=text))
    probe = " ".join(rng.sample(common, 20))
    vector = clusterer._weighted(clusterer.features(Article(id="q", text=probe), None))
    looked_up = clusterer._lookup(vector)
    assert len(looked_up) <= LOOKUP_TERMS + LOOKUP_ENTITIES
    assert len(clusterer.candidates(vector)) <= 16
    assert clusterer.index.story_count() > 100
