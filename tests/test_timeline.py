"""The story timeline: dated happenings merged across outlets, finest date kept, every source cited.

``timeline_nurses.jsonl`` is one story told by three outlets over four weeks: the walkout is
dated "on Tuesday morning" (same-day report), "on Tuesday" (a Wednesday report with a
"NORRVIK, March 6" dateline), "on March 5" (a Thursday wire) and "in March" (a report a month
later); on the same day the health minister met the union, which is another happening.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from storyline import open_project
from storyline.config import Settings
from storyline.model import (
    Annotations,
    Article,
    DatePrecision,
    StoryMaterial,
    StorySummary,
    TimelineEntry,
    Timex,
    TimexType,
)
from storyline.synthesize import timeline as timeline_module
from storyline.synthesize.timeline import build_timeline, event_similarity, event_words

NURSES = Path(__file__).parent / "fixtures" / "dossier" / "timeline_nurses.jsonl"
BuildMaterial = Callable[[Path], StoryMaterial]

_FORMATS = {
    DatePrecision.DAY: re.compile(r"\d{4}-\d\d-\d\d"),
    DatePrecision.WEEK: re.compile(r"\d{4}-W\d\d"),
    DatePrecision.MONTH: re.compile(r"\d{4}-\d\d"),
    DatePrecision.YEAR: re.compile(r"\d{4}"),
}


def _first_day(entry: TimelineEntry) -> date:
    if entry.precision is DatePrecision.DAY:
        return date.fromisoformat(entry.date)
    if entry.precision is DatePrecision.WEEK:
        year, week = entry.date.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    if entry.precision is DatePrecision.MONTH:
        return date.fromisoformat(entry.date + "-01")
    return date(int(entry.date), 1, 1)


def _cited(material: StoryMaterial, entry: TimelineEntry) -> list[str]:
    texts = {a.id: a.text for a in material.articles}
    return [texts[s.article_id][s.start : s.end] for s in entry.sources]


def _entry_citing(
    material: StoryMaterial, timeline: tuple[TimelineEntry, ...], article_id: str, words: str
) -> TimelineEntry:
    """The entry with a source in ``article_id`` whose cited span holds ``words``."""
    texts = {a.id: a.text for a in material.articles}
    found = [
        e
        for e in timeline
        for s in e.sources
        if s.article_id == article_id and words in texts[article_id][s.start : s.end]
    ]
    assert len(found) == 1, f"{len(found)} entries cite {words!r} in {article_id}"
    return found[0]


@pytest.fixture
def nurses(story_material: BuildMaterial) -> StoryMaterial:
    return story_material(NURSES)


def test_one_walkout_reported_four_ways_is_one_entry_citing_every_outlet(
    nurses: StoryMaterial,
) -> None:
    timeline = build_timeline(nurses)
    # "on Tuesday" in a Wednesday report and "on March 5" in a Thursday one name the same day.
    walkout = _entry_citing(nurses, timeline, "tl-coastal-1", "walked out on Tuesday")
    assert walkout is _entry_citing(nurses, timeline, "tl-wire-1", "walked out on March 5")
    assert walkout is _entry_citing(nurses, timeline, "tl-herald-1", "walked off the job")
    # A month later "walked out in March" joins it, and the day stays the entry's date.
    assert walkout is _entry_citing(nurses, timeline, "tl-herald-2", "walked out in March")
    assert (walkout.date, walkout.precision) == ("2024-03-05", DatePrecision.DAY)
    assert {s.article_id for s in walkout.sources} == {
        "tl-herald-1",
        "tl-coastal-1",
        "tl-wire-1",
        "tl-herald-2",
    }
    assert "walked" in walkout.text and "Norrvik General Hospital" in walkout.text


def test_another_happening_on_the_same_day_is_its_own_entry(nurses: StoryMaterial) -> None:
    timeline = build_timeline(nurses)
    walkout = _entry_citing(nurses, timeline, "tl-wire-1", "walked out on March 5")
    meeting = _entry_citing(nurses, timeline, "tl-herald-1", "met the union's leaders")
    assert meeting is not walkout
    assert meeting.date == walkout.date == "2024-03-05"
    # The minister's meeting is itself reported by three outlets, and merged as such.
    assert meeting is _entry_citing(nurses, timeline, "tl-coastal-1", "met the union's leaders")
    assert meeting is _entry_citing(nurses, timeline, "tl-wire-1", "met the union's leaders")
    assert "met" in meeting.text


def test_a_sentence_with_two_dates_gives_each_its_own_clause(nurses: StoryMaterial) -> None:
    timeline = build_timeline(nurses)
    # "...walked out on Tuesday over staffing levels, and the hospital cancelled more planned
    # operations on Wednesday as the strike entered its second day."
    wednesday = _entry_citing(nurses, timeline, "tl-coastal-1", "on Wednesday")
    assert wednesday.date == "2024-03-06"
    assert "cancelled" in wednesday.text and "walked out" not in wednesday.text
    for cited in _cited(nurses, wednesday):
        assert "walked out" not in cited


def test_datelines_and_the_current_year_make_no_entry(nurses: StoryMaterial) -> None:
    timeline = build_timeline(nurses)
    coastal = next(a for a in nurses.articles if a.id == "tl-coastal-1")
    dateline_end = coastal.text.index("—") + 1
    assert all(
        s.start >= dateline_end for e in timeline for s in e.sources if s.article_id == coastal.id
    )
    # "150 new posts this year" dates no happening; "in 2011" does.
    assert not [e for e in timeline if e.date == "2024"]
    assert [e.date for e in timeline if e.precision is DatePrecision.YEAR] == ["1968", "2011"]


def test_entries_are_ordered_resolved_and_cite_real_spans(nurses: StoryMaterial) -> None:
    timeline = build_timeline(nurses)
    assert len(timeline) >= 6
    keys = [(_first_day(e), list(DatePrecision).index(e.precision)) for e in timeline]
    assert keys == sorted(keys)
    texts = {a.id: a.text for a in nurses.articles}
    for entry in timeline:
        assert _FORMATS[entry.precision].fullmatch(entry.date), entry
        assert entry.text.strip() and entry.sources
        for source in entry.sources:
            assert 0 <= source.start < source.end <= len(texts[source.article_id])
        assert len(set(entry.sources)) == len(entry.sources)
    assert build_timeline(nurses) == timeline


def _material(*articles: tuple[str, str, list[tuple[str, str]]]) -> StoryMaterial:
    """A story from (id, text, [(timex text, value)]) triples, timexes found in the text."""
    made, annotations = [], {}
    for article_id, text, timexes in articles:
        made.append(Article(id=article_id, text=text, source=article_id))
        found, offset = [], 0
        for t, v in timexes:
            start = text.index(t, offset)
            offset = start + len(t)
            kind = TimexType.DURATION if v.startswith("P") else TimexType.DATE
            found.append(Timex(text=t, start=start, end=offset, type=kind, value=v))
        annotations[article_id] = Annotations(timexes=tuple(found))
    summary = StorySummary(
        id="s-test",
        title="Dated reports",
        article_ids=tuple(a.id for a in made),
        first_published=None,
        last_published=None,
        sources=len(made),
    )
    return StoryMaterial(story=summary, articles=tuple(made), annotations=annotations)


def test_unresolved_values_durations_and_coarser_unrelated_dates_stay_out_or_apart() -> None:
    material = _material(
        (
            "a",
            "The bridge in Selby closed on Friday after engineers found cracks in two piers. "
            "The ferry service doubled its crossings on Friday. "
            "Repairs could take three years, engineers said.",
            [("Friday", "2024-05-10"), ("Friday", "2024-05-10"), ("three years", "P3Y")],
        ),
        (
            "b",
            "Engineers closed the Selby bridge on May 10 when they found cracks in its piers. "
            "The council will vote on the repair budget in May, its chair said. "
            "Residents recall the bridge opened on a Sunday long ago.",
            [("May 10", "2024-05-10"), ("May", "2024-05"), ("a Sunday", "XXXX-WXX-7")],
        ),
    )
    timeline = build_timeline(material)
    assert [(e.date, len(e.sources)) for e in timeline] == [
        ("2024-05", 1),
        ("2024-05-10", 2),
        ("2024-05-10", 1),
    ]
    closure = timeline[1]
    assert {s.article_id for s in closure.sources} == {"a", "b"}
    assert "bridge" in closure.text
    assert "ferry" in timeline[2].text
    assert "council" in timeline[0].text


def test_event_similarity_weighs_rare_words_more() -> None:
    walked = event_words("Nurses walked out over staffing")
    also_walked = event_words("The nurses walked out")
    met = event_words("The minister met the nurses")
    idf = {"nurse": 1.0, "walk": 3.0, "out": 2.0, "staff": 3.0, "minist": 3.0, "met": 3.0}
    assert event_similarity(walked, also_walked, idf) > event_similarity(walked, met, idf)
    assert event_similarity(walked, walked, idf) == pytest.approx(1.0)
    assert event_similarity(walked, event_words(""), idf) == 0.0


def test_demo_stories_have_ordered_cited_timelines(demo_store: Path) -> None:
    with open_project(demo_store, settings=Settings()) as project:
        materials = [project.story_material(s.id) for s in project.stories()]
    strike = next(m for m in materials if "dockworkers" in (m.story.title or "").lower())
    for material in materials:
        timeline = build_timeline(material)
        assert timeline, material.story.title
        keys = [(_first_day(e), list(DatePrecision).index(e.precision)) for e in timeline]
        assert keys == sorted(keys)
        ids = {a.id for a in material.articles}
        assert all(s.article_id in ids for e in timeline for s in e.sources)
    # The walkout on Wednesday 6 March is reported by Meridian Press ("on Wednesday") and by
    # Global Dispatch a week later ("on March 6"): one entry citing both outlets.
    sources = {a.id: a.source for a in strike.articles}
    timeline = build_timeline(strike)
    walkout = [
        e
        for e in timeline
        if e.date == "2024-03-06" and any("walked" in c for c in _cited(strike, e))
    ]
    assert len(walkout) == 1
    outlets = {sources[s.article_id] for s in walkout[0].sources}
    assert {"Meridian Press", "Global Dispatch"} <= outlets


def _grown(material: StoryMaterial, copies: int) -> StoryMaterial:
    """The story told ``copies`` times over by other outlets, a week apart each time (same
    words and dates: the worst case for date buckets)."""
    articles, annotations, names = [], {}, {}
    for k in range(copies):
        for article in material.articles:
            new_id = f"{article.id}-{k}"
            published = article.published
            articles.append(
                replace(
                    article,
                    id=new_id,
                    source=f"{article.source} {k}",
                    published=published + timedelta(weeks=k) if published else None,
                )
            )
            annotations[new_id] = material.annotations[article.id]
            names[new_id] = material.entity_names.get(article.id, {})
    return replace(material, articles=tuple(articles), annotations=annotations, entity_names=names)


def test_the_work_grows_no_faster_than_n_log_n(
    nurses: StoryMaterial, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    compare = timeline_module.event_similarity

    def counting(*args: Any, **kwargs: Any) -> float:
        nonlocal calls
        calls += 1
        return compare(*args, **kwargs)

    monkeypatch.setattr(timeline_module, "event_similarity", counting)
    work = {}
    for copies in (5, 50):
        calls = 0
        timeline = build_timeline(_grown(nurses, copies))
        work[copies] = calls
        # Every copy of the walkout is merged into one entry.
        assert max(len(e.sources) for e in timeline) >= 4 * copies
    articles = {k: k * len(nurses.articles) for k in work}
    n_log_n = {k: n * math.log(n) for k, n in articles.items()}
    assert work[50] / work[5] <= n_log_n[50] / n_log_n[5]


def test_page_dates_and_datelines_are_not_happenings() -> None:
    material = _material(
        (
            "a",
            "Updated: May 10, 2024\n"
            "SELBY, May 10 (Riverside Wire) — Engineers closed the Selby bridge on Friday "
            "after finding cracks in two of its piers.",
            [("May 10, 2024", "2024-05-10"), ("May 10", "2024-05-10"), ("Friday", "2024-05-10")],
        ),
    )
    timeline = build_timeline(material)
    assert [(e.date, len(e.sources)) for e in timeline] == [("2024-05-10", 1)]
    (source,) = timeline[0].sources
    text = material.articles[0].text
    assert text[source.start : source.end].startswith("Engineers closed the Selby bridge")


def _diverse(n: int) -> StoryMaterial:
    """``n`` reports of different happenings in one year: each names its own town and deed,
    and looks back on a year-old event in words of its own."""
    towns = [f"Town{chr(97 + k % 26)}{chr(97 + k // 26 % 26)}{k}" for k in range(n)]
    articles = []
    for k, town in enumerate(towns):
        day = (date(2024, 1, 1) + timedelta(days=k % 366)).isoformat()
        deeds = ("opened", "closed", "flooded", "repaired", "inspected", "rebuilt")
        text = (
            f"Officials in {town} {deeds[k % 6]} the bridge{k} on Monday after years of waiting. "
            f"In 2023 the council of {town} approved plan{k} for the crossing."
        )
        articles.append((f"a{k}", text, [("Monday", day), ("2023", "2023")]))
    return _material(*articles)


def test_work_per_mention_stays_bounded_in_a_story_of_many_happenings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    holds = timeline_module._Period.holds

    def counting(self: Any, other: Any) -> bool:
        nonlocal calls
        calls += 1
        return holds(self, other)

    monkeypatch.setattr(timeline_module._Period, "holds", counting)
    work = {}
    for n in (100, 1000):
        calls = 0
        timeline = build_timeline(_diverse(n))
        assert len(timeline) == 2 * n  # nothing merged: every report tells its own happening
        work[n] = calls
    assert work[1000] / work[100] <= (1000 * math.log(1000)) / (100 * math.log(100))


OFFENSIVE = Path(__file__).parent / "fixtures" / "dossier" / "timeline_offensive.jsonl"
LAYOUT = Path(__file__).parent / "fixtures" / "dossier" / "layout_qasr_halim.jsonl"


def test_one_happening_in_other_words_months_apart_is_one_entry(
    story_material: BuildMaterial,
) -> None:
    """A wire report of the day ("troops launched their operation to retake the town on
    October 17") and a review five months later ("5 months ago forces began their offensive to
    recapture the town"): other words, a coarser date, one happening."""
    material = story_material(OFFENSIVE)
    timeline = build_timeline(material)
    launched = _entry_citing(material, timeline, "qh-wire-oct", "launched their operation")
    began = _entry_citing(material, timeline, "qh-review-mar", "began their offensive")
    assert launched is began
    assert (launched.date, launched.precision) == ("2023-10-17", DatePrecision.DAY)
    assert {s.article_id for s in launched.sources} == {"qh-wire-oct", "qh-review-mar"}
    # Another happening of that month in the first report stays its own entry.
    convoys = _entry_citing(material, timeline, "qh-wire-oct", "suspended convoys")
    assert convoys is not launched


def test_event_words_meet_across_synonyms_and_word_forms() -> None:
    idf: dict[str, float] = {}
    launched = event_words("troops launched their operation to retake the town")
    began = event_words("forces began their offensive to recapture the town")
    assert {"begin", "retak"} <= launched.words & began.words
    assert event_similarity(launched, began, idf) > 0.5
    assert (
        event_words("The minister stepped down").words == event_words("The minister resigned").words
    )
    killed = event_words("Fourteen people were killed in the quake")
    died = event_words("Fourteen people died in the earthquake")
    assert killed.words == died.words
    # Different happenings keep their words apart.
    assert (
        not event_words("Police arrested 23 people").words
        & event_words("23 people were injured").words
    )


def test_a_single_shared_word_does_not_merge_happenings() -> None:
    """Two short clauses of one day that share one rare word ("ministry") and nothing about
    what happened are two entries, however similar that word makes them."""
    background = (
        "Petrol prices rose sharply in September. Drivers queued at stations across Arlen. "
        "Taxi drivers blocked the ring road. Fishermen joined them in Port Halden. "
        "Trade unions backed the protests. Lorry firms warned of shortages. "
        "Farmers said diesel had doubled in price."
    )
    material = _material(
        (
            "a1",
            "The ministry had reported 23 arrests on Saturday night.",
            [("Saturday night", "2024-09-14")],
        ),
        ("a2", "A ministry source was angry on Saturday.", [("Saturday", "2024-09-14")]),
        ("a3", background, []),
    )
    timeline = build_timeline(material)
    angry = _entry_citing(material, timeline, "a2", "was angry")
    arrests = _entry_citing(material, timeline, "a1", "had reported 23 arrests")
    assert angry is not arrests


def test_list_items_are_entries_of_their_own_and_headings_none(
    story_material: BuildMaterial,
) -> None:
    material = story_material(LAYOUT)
    timeline = build_timeline(material)
    texts = {a.id: a.text for a in material.articles}
    for entry in timeline:
        for source in entry.sources:
            cited = texts[source.article_id][source.start : source.end]
            # One bullet or one sentence: never a list item and its neighbours or a heading.
            assert "\n" not in cited, cited
            assert "Tuesday's bridge attack and the road to Hadra" not in cited
    convoys = _entry_citing(material, timeline, "qh-meridian-1", "Aid convoys from Hadra")
    assert convoys.date == "2023-10-16"
    assert convoys.text == (
        "Aid convoys from Hadra were halted on October 16 after a mortar round hit the road"
    )
    bridge = _entry_citing(material, timeline, "qh-meridian-1", "The Sirwan bridge, the last road")
    assert bridge.date == "2023-10-17"
    assert {s.article_id for s in bridge.sources} == {"qh-meridian-1", "qh-levant-1"}
    market = _entry_citing(material, timeline, "qh-meridian-1", "Fighting spread")
    assert market.date == "2023-10-18"
