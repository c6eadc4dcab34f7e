"""Quotes by speaker: one speaker across outlets' spellings, wire copies folded, stable order.

``quotes_plant_fire.jsonl``: a chemical plant fire reported by three outlets, one of which
(Coastline News) runs the Valley Times story verbatim with a paragraph and a quote of its own.
The fire chief is "José Marín" in two outlets and "Jose Marin" in the third.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from storyline import open_project
from storyline.config import Settings
from storyline.model import (
    Annotations,
    Article,
    CorpusEntity,
    DossierQuote,
    Quote,
    QuoteKind,
    Span,
    Speaker,
    StoryMaterial,
    StorySummary,
)
from storyline.synthesize.quotes import UNATTRIBUTED, _is_name, quotes_by_speaker

FIRE = Path(__file__).parent / "fixtures" / "dossier" / "quotes_plant_fire.jsonl"
BuildMaterial = Callable[[Path], StoryMaterial]


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _check_order(material: StoryMaterial, quotes: tuple[DossierQuote, ...]) -> None:
    """Speakers are contiguous groups, largest first, unattributed last; a speaker's quotes in
    story order; every quote's span is its text."""
    position = {a.id: i for i, a in enumerate(material.articles)}
    texts = {a.id: a.text for a in material.articles}
    groups: list[list[DossierQuote]] = []
    for quote in quotes:
        if groups and groups[-1][0].speaker == quote.speaker:
            groups[-1].append(quote)
        else:
            groups.append([quote])
    names = [g[0].speaker for g in groups]
    assert len(names) == len(set(names)), "a speaker's quotes are not contiguous"
    named = [g for g in groups if g[0].speaker != UNATTRIBUTED]
    assert groups[: len(named)] == named, "unattributed quotes come last"
    sizes = [len(g) for g in named]
    assert sizes == sorted(sizes, reverse=True)
    for group in groups:
        keys = [(position[q.article_id], q.start) for q in group]
        assert keys == sorted(keys)
    for quote in quotes:
        assert texts[quote.article_id][quote.start : quote.end] == quote.text


@pytest.fixture
def fire(story_material: BuildMaterial) -> StoryMaterial:
    return story_material(FIRE)


def test_a_speaker_spelled_two_ways_is_one_speaker(fire: StoryMaterial) -> None:
    quotes = quotes_by_speaker(fire)
    chief = [q for q in quotes if "Mar" in q.speaker and "n" in q.speaker]
    assert {q.speaker for q in chief} <= {"José Marín", "Jose Marin"}
    assert len({q.speaker for q in chief}) == 1
    # "José Marín" (Valley Times, Nordic Wire) and "Jose Marin" (Tarnby Herald).
    assert {q.article_id for q in chief} == {"qt-valley-1", "qt-herald-1", "qt-wire-2"}
    assert {q.role for q in chief} == {"Fire chief"}
    assert {q.kind for q in chief} == {QuoteKind.DIRECT, QuoteKind.INDIRECT}
    # He is the most quoted, so his quotes open the list.
    assert quotes[0].speaker == chief[0].speaker


def test_a_wire_copy_adds_only_its_own_quotes(fire: StoryMaterial) -> None:
    quotes = quotes_by_speaker(fire)
    copy_quotes = [q for q in quotes if q.article_id == "qt-coast-copy"]
    origin = next(a for a in fire.articles if a.id == "qt-valley-1")
    copy = next(a for a in fire.articles if a.id == "qt-coast-copy")
    assert copy.duplicate_of == origin.id
    # Everything the copy says that the origin says too is listed once, from the origin.
    assert copy_quotes
    assert all(_words(q.text) not in _words(origin.text) for q in copy_quotes)
    assert any("danger zone" in q.text for q in copy_quotes)
    origin_quotes = fire.annotations[origin.id].quotes
    listed = {_words(q.text) for q in quotes if q.article_id == origin.id}
    assert listed == {_words(q.content.text) for q in origin_quotes}
    pairs = Counter((q.speaker, _words(q.text)) for q in quotes)
    assert max(pairs.values()) == 1


def test_quotes_are_grouped_ordered_and_cite_their_words(fire: StoryMaterial) -> None:
    quotes = quotes_by_speaker(fire)
    _check_order(fire, quotes)
    assert quotes_by_speaker(fire) == quotes
    annotated = sum(len(fire.annotations[a.id].quotes) for a in fire.articles if not a.is_duplicate)
    assert annotated <= len(quotes) < annotated + len(fire.annotations["qt-coast-copy"].quotes)


def _quote(text: str, content: str, speaker: str | None, role: str | None = None) -> Quote:
    start = text.index(content)
    who = None
    if speaker is not None:
        s = text.index(speaker.split()[-1])
        who = Speaker(text=speaker, start=s, end=s + len(speaker), canonical=speaker, role=role)
    return Quote(
        kind=QuoteKind.DIRECT,
        content=Span(text=content, start=start, end=start + len(content)),
        speaker=who,
        cue=None,
    )


def test_unattributed_quotes_come_last_and_linked_names_win() -> None:
    a = '"We lost everything." "It came so fast." "Nobody warned us." Mayor Lind said: "Go home."'
    b = 'Ms. Lind said: "We will rebuild."'
    quotes_a = (
        _quote(a, '"We lost everything."', None),
        _quote(a, '"It came so fast."', None),
        _quote(a, '"Nobody warned us."', None),
        _quote(a, '"Go home."', "Anna Lind", role="Mayor"),
    )
    quotes_b = (_quote(b, '"We will rebuild."', "Ms. Lind"),)
    summary = StorySummary(
        id="s-x",
        title="We lost everything.",
        article_ids=("a", "b"),
        first_published=None,
        last_published=None,
        sources=2,
    )
    material = StoryMaterial(
        story=summary,
        articles=(Article(id="a", text=a), Article(id="b", text=b)),
        annotations={"a": Annotations(quotes=quotes_a), "b": Annotations(quotes=quotes_b)},
        entities=(CorpusEntity(id="e-1", canonical="Anna Lind", label="PERSON"),),
        entity_names={"a": {"Anna Lind": "e-1"}, "b": {"Ms. Lind": "e-1"}},
    )
    quotes = quotes_by_speaker(material)
    assert [q.speaker for q in quotes] == ["Anna Lind"] * 2 + [UNATTRIBUTED] * 3
    # The role of the speaker's other quotes fills a quote that has none.
    assert [q.role for q in quotes[:2]] == ["Mayor", "Mayor"]
    _check_order(material, quotes)


def test_demo_quotes_group_the_protagonists_across_outlets(demo_store: Path) -> None:
    with open_project(demo_store, settings=Settings()) as project:
        materials = [project.story_material(s.id) for s in project.stories()]
    for material in materials:
        quotes = quotes_by_speaker(material)
        _check_order(material, quotes)
        pairs = Counter((q.speaker, _words(q.text)) for q in quotes)
        assert max(pairs.values()) == 1
    inquiry = next(m for m in materials if "inquiry" in (m.story.title or "").lower())
    quotes = quotes_by_speaker(inquiry)
    top = quotes[0].speaker
    assert "Ortega" in top
    sources = {a.id: a.source for a in inquiry.articles}
    assert len({sources[q.article_id] for q in quotes if q.speaker == top}) >= 3
    # The strike's wire copy (Northfield Courier runs Meridian Press) adds only its own paragraph.
    strike = next(m for m in materials if "dockworkers" in (m.story.title or "").lower())
    copy = next(a for a in strike.articles if a.id == "b02w")
    origin_text = next(a.text for a in strike.articles if a.id == copy.duplicate_of)
    from_copy = [q for q in quotes_by_speaker(strike) if q.article_id == "b02w"]
    assert all(_words(q.text) not in _words(origin_text) for q in from_copy)


@pytest.mark.parametrize(
    ("speaker", "is_name"),
    [
        ("Linda Park", True),
        ("Valdorian Shippers' Council", True),
        ("the regional government", True),
        ("it", False),
        ("They", False),
        ("no one", False),
        ("57%", False),
        ('the stoppage endangers "essential supplies to the population', False),
    ],
)
def test_a_pronoun_or_a_clause_is_no_speaker(speaker: str, is_name: bool) -> None:
    assert _is_name(speaker) is is_name


LAYOUT = Path(__file__).parent / "fixtures" / "dossier" / "layout_qasr_halim.jsonl"


def test_a_quote_stays_within_the_list_item_of_its_cue(
    story_material: Callable[[Path], StoryMaterial],
) -> None:
    """The parser can run one sentence across a bulleted fact box: the words it gives the Red
    Crescent then start at the box's heading. The dossier keeps what the cue's item says."""
    material = story_material(LAYOUT)
    article = material.articles[0]
    text = article.text
    heading = text.index("What we know so far")
    cue_start = text.index("according to the Red Crescent")
    content_end = text.index(", according to the Red Crescent")
    speaker_start = text.index("Red Crescent", cue_start)
    run_on = Quote(
        kind=QuoteKind.INDIRECT,
        content=Span(text=text[heading:content_end], start=heading, end=content_end),
        speaker=Speaker(
            text="the Red Crescent",
            start=speaker_start - 4,
            end=speaker_start + len("Red Crescent"),
            canonical="Red Crescent",
        ),
        cue=Span(text="according to", start=cue_start, end=cue_start + len("according to")),
    )
    annotations = dict(material.annotations)
    own = annotations[article.id]
    annotations[article.id] = Annotations(
        entities=own.entities, quotes=(*own.quotes, run_on), timexes=own.timexes
    )
    quotes = quotes_by_speaker(
        StoryMaterial(
            story=material.story,
            articles=material.articles,
            annotations=annotations,
            entities=material.entities,
            entity_names=material.entity_names,
        )
    )
    crescent = [q for q in quotes if q.article_id == article.id and q.speaker == "Red Crescent"]
    assert [q.text for q in crescent] == ["At least 400 civilians fled on foot"]
    assert text[crescent[0].start : crescent[0].end] == crescent[0].text


def test_a_quote_whose_words_are_in_another_block_than_its_cue_is_dropped(
    story_material: Callable[[Path], StoryMaterial],
) -> None:
    """The parser joined a list item's "according to the Red Crescent" to the paragraph after
    the list: what the army said is no quote of the Red Crescent."""
    material = story_material(LAYOUT)
    quotes = quotes_by_speaker(material)
    texts = {a.id: a.text for a in material.articles}
    for quote in quotes:
        assert "\n" not in texts[quote.article_id][quote.start : quote.end]
        assert not (quote.speaker == "Red Crescent" and "town would fall" in quote.text)
