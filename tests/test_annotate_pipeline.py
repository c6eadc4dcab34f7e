"""The annotate pipeline: built from settings, cached, batched, robust to one bad text."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from storyline.annotate.pipeline import COMPONENTS, Annotator, build_pipeline
from storyline.config import AnnotateSettings
from storyline.errors import ConfigError
from storyline.model import Annotations, QuoteKind

REPORT = (
    "EASTBROOK — Floodwater reached the town hall on Tuesday, and about 3,000 people left "
    "their homes, Mayor Linda Park said.\n\n"
    '"We have never seen the river this high," Park told reporters. She said the World '
    "Health Organization (WHO) had sent 12 doctors. The WHO team arrived two days ago."
)
PUBLISHED = datetime(2024, 3, 8, 9, 0, tzinfo=UTC)


@Language.factory("test_explode_on_marker")
def _explode_on_marker(nlp: Language, name: str) -> object:
    def component(doc: Doc) -> Doc:
        if "EXPLODE" in doc.text:
            raise RuntimeError("a component bug")
        return doc

    return component


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return Annotator()


def test_pipeline_is_the_model_then_our_components_in_order() -> None:
    nlp = build_pipeline()
    ours = [name for name in nlp.pipe_names if name.startswith("storyline_")]
    assert ours == list(COMPONENTS)
    assert {"parser", "ner"} <= set(nlp.pipe_names)


def test_pipeline_is_loaded_once_per_model() -> None:
    assert build_pipeline() is build_pipeline(AnnotateSettings())


def test_missing_model_is_a_config_error_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"annotate\.model.*no_such_model_xyz"):
        build_pipeline(AnnotateSettings(model="no_such_model_xyz"))


def test_unknown_component_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="storyline_nonsense"):
        build_pipeline(components=["storyline_nonsense"])


def test_annotate_text_fills_every_list_with_offsets_into_the_text(annotator: Annotator) -> None:
    found = annotator.annotate_text(REPORT, published=PUBLISHED)
    for item in (*found.entities, *found.quantities, *found.timexes):
        assert REPORT[item.start : item.end] == item.text
    for quote in found.quotes:
        assert REPORT[quote.content.start : quote.content.end] == quote.content.text
    assert {t.text: t.value for t in found.timexes}["Tuesday"] == "2024-03-05"
    assert {t.text: t.value for t in found.timexes}["two days ago"] == "2024-03-06"
    assert {q.counts for q in found.quantities} >= {"people", "doctor"} or {
        q.counts for q in found.quantities
    } >= {"person", "doctor"}
    direct = [q for q in found.quotes if q.kind is QuoteKind.DIRECT]
    assert direct and direct[0].content.text.strip('"“”').startswith("We have never seen")
    assert direct[0].speaker is not None and direct[0].speaker.canonical == "Linda Park"
    canon = {e.text: e.canonical for e in found.entities}
    assert canon.get("WHO") == "World Health Organization"


def test_without_publication_time_relative_dates_stay_unresolved(annotator: Annotator) -> None:
    found = annotator.annotate_text(REPORT)
    values = {t.text: t.value for t in found.timexes}
    assert not values["two days ago"].startswith("20")


def test_batches_keep_input_order(annotator: Annotator) -> None:
    texts = [(f"The council met on day {n} and voted {n} to 2.", None) for n in range(70)]
    texts[33] = ("It rained on Monday.", date(2023, 3, 8))
    results = list(annotator.annotate(texts))
    assert len(results) == 70
    third = results[33]
    assert third is not None
    assert [t.value for t in third.timexes] == ["2023-03-06"]


def test_a_failing_text_gets_none_and_its_batch_still_goes_through() -> None:
    annotator = Annotator(components=[*COMPONENTS, "test_explode_on_marker"])
    texts = [
        ("Prices rose 4% in May.", None),
        ("EXPLODE here", None),
        ("On Friday it snowed.", None),
    ]
    results = list(annotator.annotate(texts))
    assert results[1] is None
    assert results[0] is not None and results[0].quantities
    assert results[2] is not None and results[2].timexes


def test_text_over_max_length_gets_none(annotator: Annotator) -> None:
    nlp = annotator.nlp
    saved = nlp.max_length
    nlp.max_length = 50
    try:
        results = list(annotator.annotate([("short text.", None), ("x " * 40, None)]))
    finally:
        nlp.max_length = saved
    assert results[0] is not None and results[1] is None


def test_annotations_round_trip_through_dict(annotator: Annotator) -> None:
    found = annotator.annotate_text(REPORT, published=PUBLISHED)
    assert Annotations.from_dict(found.to_dict(roles=True)) == found


def test_contract_dict_has_exactly_the_documented_keys(annotator: Annotator) -> None:
    data = annotator.annotate_text(REPORT, published=PUBLISHED).to_dict()
    assert set(data) == {"entities", "quotes", "quantities", "timexes"}
    assert set(data["entities"][0]) == {"text", "start", "end", "label", "canonical"}
    assert set(data["quantities"][0]) == {
        "text",
        "start",
        "end",
        "value",
        "low",
        "high",
        "unit",
        "counts",
    }
    assert set(data["timexes"][0]) == {"text", "start", "end", "type", "value"}
    quote = data["quotes"][0]
    assert set(quote) == {"kind", "content", "speaker", "cue"}
    assert set(quote["content"]) == {"text", "start", "end"}
    assert quote["speaker"] is None or set(quote["speaker"]) == {
        "text",
        "start",
        "end",
        "canonical",
    }
