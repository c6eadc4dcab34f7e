"""Story-clustering scores: BCubed and pairwise precision, recall and F1 against gold stories.

Input is JSONL, one document a line. ECB+ style (``../shared/eval/ecbplus``)::

    {"doc_id": ..., "story_id": ..., "title": ..., "text": ..., "published": ...?}

The demo corpus gold (``examples/corpus-src/stories-*.jsonl``) names the same things
``id``, ``story``, ``published``, ``title``, ``text`` and ``wire_of``; both are recognised
(:data:`ECBPLUS_FIELDS`, :data:`DEMO_FIELDS`), or pass a field mapping.

Every document is annotated with the real pipeline, optionally deduplicated (MinHash), and
added online to a fresh :class:`~storyline.link.StoryClusterer`: in publication order when
every document has a time, else in file order. Scores are also averaged over seeded shuffles of
that order, to show how much the result depends on it.

>>> bcubed({"a": 1, "b": 1, "c": 2}, {"a": "x", "b": "y", "c": "y"}).f1
0.6666666666666666
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import product
from pathlib import Path
from typing import Any, Literal

from storyline.annotate.pipeline import Annotator
from storyline.config import Settings
from storyline.dedup.index import MemoryDedupIndex
from storyline.dedup.minhash import MinHashDeduper
from storyline.eval.scores import PRF, f1_score
from storyline.ingest.base import parse_published
from storyline.link.dense import Embedder, MemoEmbedder, lead_embedder
from storyline.link.index import MemoryStoryIndex
from storyline.link.stories import StoryClusterer
from storyline.model import Annotations, Article

__all__ = [
    "DEMO_FIELDS",
    "ECBPLUS_FIELDS",
    "TUNING_GRID",
    "BCubed",
    "ClusteringScores",
    "FoldScores",
    "GoldDocument",
    "annotate_documents",
    "bcubed",
    "cluster",
    "evaluate_clustering",
    "evaluate_folds",
    "folds_report",
    "load_gold",
    "load_labels",
    "pairwise",
    "report",
    "score_documents",
    "split_folds",
]

ECBPLUS_FIELDS: Mapping[str, str] = {
    "id": "doc_id",
    "story": "story_id",
    "title": "title",
    "text": "text",
    "published": "published",
    "duplicate_of": "duplicate_of",
}
DEMO_FIELDS: Mapping[str, str] = {
    "id": "id",
    "story": "story",
    "title": "title",
    "text": "text",
    "published": "published",
    "duplicate_of": "wire_of",
}


@dataclass(frozen=True, slots=True)
class BCubed:
    """BCubed precision and recall: per-document averages of cluster overlap."""

    precision: float
    recall: float
    documents: int

    @property
    def f1(self) -> float:
        return f1_score(self.precision, self.recall)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "documents": self.documents,
        }


def _clusters(labels: Mapping[str, Hashable]) -> dict[Hashable, set[str]]:
    out: dict[Hashable, set[str]] = {}
    for doc, label in labels.items():
        out.setdefault(label, set()).add(doc)
    return out


def bcubed(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> BCubed:
    """BCubed scores of a predicted clustering against gold (over the gold documents; a gold
    document without a prediction counts as a singleton).

    >>> b = bcubed({"a": 1, "b": 1, "c": 1}, {"a": "x", "b": "x", "c": "y"})
    >>> round(b.precision, 4), b.recall
    (0.5556, 1.0)
    """
    docs = list(gold)
    pred_full = {d: pred.get(d, ("singleton", d)) for d in docs}
    pred_clusters, gold_clusters = _clusters(pred_full), _clusters(gold)
    precision = recall = 0.0
    for doc in docs:
        mine, truth = pred_clusters[pred_full[doc]], gold_clusters[gold[doc]]
        both = len(mine & truth)
        precision += both / len(mine)
        recall += both / len(truth)
    n = len(docs)
    return BCubed(precision / n if n else 0.0, recall / n if n else 0.0, n)


def pairwise(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> PRF:
    """Pairs of documents put together: predicted pairs that are gold pairs, over each.

    >>> p = pairwise({"a": 1, "b": 1, "c": 1}, {"a": "x", "b": "x", "c": "y"})
    >>> p.true_positives, p.predicted, p.gold
    (1, 3, 1)
    """
    docs = list(gold)
    pred_full = {d: pred.get(d, ("singleton", d)) for d in docs}

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    both = Counter((pred_full[d], gold[d]) for d in docs)
    return PRF(
        true_positives=pairs(both.values()),
        predicted=pairs(Counter(pred_full.values()).values()),
        gold=pairs(Counter(gold.values()).values()),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldDocument:
    """One evaluation document: an article and the gold story it belongs to."""

    article: Article
    story: str
    topic: str | None = None
    """The gold topic (ECB+ ``topic``: the stories of one kind), when the data names one; folds
    (:func:`evaluate_folds`) keep a topic whole."""


def load_labels(path: str | Path) -> dict[str, str]:
    """Gold stories kept apart from the texts they label: JSONL lines ``{"doc_id", "story"}``
    (e.g. ``eval/polnear-stories.jsonl``, labels for ``../shared/eval/polnear``)."""
    labels: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            labels[str(record["doc_id"])] = str(record["story"])
    return labels


def load_gold(
    path: str | Path,
    fields: Mapping[str, str] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
) -> list[GoldDocument]:
    """Read one JSONL file, or every ``*.jsonl`` of a folder (sorted), into gold documents.

    ``fields`` maps ``id``, ``story``, ``title``, ``text``, ``published``, ``duplicate_of`` to
    the record's keys; by default ECB+ names, or the demo corpus names when records have
    ``story`` and no ``story_id``. With ``labels`` (document id -> gold story, see
    :func:`load_labels`), the stories come from there and unlabelled documents are left out.
    """
    location = Path(path)
    files = sorted(location.glob("*.jsonl")) if location.is_dir() else [location]
    docs: list[GoldDocument] = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if labels is not None and str(record.get("doc_id", record.get("id"))) not in labels:
                continue
            names = fields
            if names is None:
                names = (
                    DEMO_FIELDS
                    if "story" in record and "story_id" not in record
                    else (ECBPLUS_FIELDS)
                )
            title = record.get(names["title"])
            text = record.get(names["text"]) or ""
            article = Article(
                id=str(record[names["id"]]),
                title=title,
                text=text,
                published=parse_published(record.get(names["published"])),
                source=record.get("outlet") or record.get("source") or record.get("publisher"),
            )
            story = labels[article.id] if labels is not None else str(record[names["story"]])
            topic = record.get("topic")
            docs.append(
                GoldDocument(
                    article=article, story=story, topic=None if topic is None else str(topic)
                )
            )
    return docs


def order_documents(docs: Sequence[GoldDocument]) -> list[GoldDocument]:
    """Publication order when every document has a time (stable: ties keep file order), else
    file order."""
    if docs and all(d.article.published is not None for d in docs):
        return sorted(docs, key=lambda d: d.article.published or datetime.min)
    return list(docs)


def annotate_documents(
    docs: Sequence[GoldDocument], settings: Settings
) -> dict[str, Annotations | None]:
    """Run the real annotate pipeline over the documents' texts, in batches."""
    annotator = Annotator(settings.annotate)
    articles = [d.article for d in docs]
    return {a.id: ann for a, ann in annotator.annotate_articles(articles)}


def cluster(
    docs: Sequence[GoldDocument],
    annotations: Mapping[str, Annotations | None],
    settings: Settings,
    *,
    dedup: bool = True,
    embedder: Embedder | None = None,
) -> tuple[dict[str, str], StoryClusterer]:
    """Add the documents, in the given order, to a fresh clusterer, checking its stories as
    ingest does (every ``settings.stories.check_every`` articles and at the end); their story
    ids. ``embedder`` embeds leads (none: :func:`~storyline.link.dense.lead_embedder` of the
    settings, remembering what it embedded)."""
    if embedder is None:
        embedder = _memo_embedder(settings)
    deduper = MinHashDeduper(settings.dedup, MemoryDedupIndex()) if dedup else None
    clusterer = StoryClusterer(settings.stories, MemoryStoryIndex(), embedder)
    for doc in docs:
        article = doc.article
        if deduper is not None:
            article = deduper.add(article)
        clusterer.add(article, annotations.get(article.id))
        # The same periodic check as ``storyline ingest`` (Project.assign_pending).
        clusterer.periodic_check()
    clusterer.check()
    pred = {}
    for doc in docs:
        story = clusterer.story_of(doc.article.id)
        assert story is not None
        pred[doc.article.id] = story
    return pred, clusterer


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusteringScores:
    """Scores in the chosen online order, and their mean over seeded shuffles."""

    documents: int
    gold_stories: int
    order: str
    predicted_stories: int
    bcubed: BCubed
    pairwise: PRF
    merges: int = 0
    splits: int = 0
    shuffled_bcubed: tuple[BCubed, ...] = ()
    shuffled_pairwise: tuple[PRF, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def shuffled_bcubed_f1(self) -> float | None:
        runs = self.shuffled_bcubed
        return sum(b.f1 for b in runs) / len(runs) if runs else None

    @property
    def shuffled_pairwise_f1(self) -> float | None:
        runs = self.shuffled_pairwise
        return sum(p.f1 for p in runs) / len(runs) if runs else None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "documents": self.documents,
            "gold_stories": self.gold_stories,
            "order": self.order,
            "predicted_stories": self.predicted_stories,
            "merges": self.merges,
            "splits": self.splits,
            "bcubed": self.bcubed.to_dict(),
            "pairwise": self.pairwise.to_dict(),
        }
        if self.shuffled_bcubed:
            runs = len(self.shuffled_bcubed)
            out["shuffled"] = {
                "runs": runs,
                "bcubed_precision": round(sum(b.precision for b in self.shuffled_bcubed) / runs, 4),
                "bcubed_recall": round(sum(b.recall for b in self.shuffled_bcubed) / runs, 4),
                "bcubed_f1": round(self.shuffled_bcubed_f1 or 0.0, 4),
                "bcubed_f1_min": round(min(b.f1 for b in self.shuffled_bcubed), 4),
                "pairwise_f1": round(self.shuffled_pairwise_f1 or 0.0, 4),
            }
        return out


def evaluate_clustering(
    path: str | Path,
    settings: Settings,
    *,
    order: Literal["auto", "file"] = "auto",
    shuffles: int = 5,
    seed: int = 0,
    dedup: bool = True,
    fields: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, Annotations | None] | None = None,
) -> ClusteringScores:
    """Annotate, cluster online and score the documents of ``path`` against their gold stories.

    ``order="auto"`` adds documents in publication order when all have a time, else in file
    order; ``"file"`` always uses file order. ``shuffles`` more runs add them in seeded random
    orders (``seed``, ``seed + 1``, ...). ``labels`` gives the gold stories by document id
    (:func:`load_labels`) when ``path`` holds only the texts. ``annotations`` (by document id)
    skips the annotate stage, for experiments that re-run the clustering only.
    """
    docs = load_gold(path, fields, labels=labels)
    if annotations is None:
        annotations = annotate_documents(docs, settings)
    return score_documents(
        docs, annotations, settings, order=order, shuffles=shuffles, seed=seed, dedup=dedup
    )


_MEMO: dict[tuple[str, str], MemoEmbedder] = {}


def _memo_embedder(settings: Settings) -> MemoEmbedder | None:
    """One remembering lead embedder per model for this process: evaluation clusters the same
    documents many times (orders, folds, settings)."""
    embedder = lead_embedder(settings.stories)
    if embedder is None:
        return None
    key = (settings.stories.dense_model, settings.stories.dense_tokenizer)
    if key not in _MEMO:
        _MEMO[key] = MemoEmbedder(embedder)
    return _MEMO[key]


def score_documents(
    docs: Sequence[GoldDocument],
    annotations: Mapping[str, Annotations | None],
    settings: Settings,
    *,
    order: Literal["auto", "file"] = "auto",
    shuffles: int = 0,
    seed: int = 0,
    dedup: bool = True,
) -> ClusteringScores:
    """Cluster annotated gold documents online (see :func:`evaluate_clustering`) and score them."""
    ordered = order_documents(docs) if order == "auto" else list(docs)
    used = "file"
    if order == "auto" and docs and all(d.article.published is not None for d in docs):
        used = "published"
    gold = {d.article.id: d.story for d in docs}
    pred, clusterer = cluster(ordered, annotations, settings, dedup=dedup)
    shuffled_b: list[BCubed] = []
    shuffled_p: list[PRF] = []
    for run in range(shuffles):
        shuffled = list(docs)
        random.Random(seed + run).shuffle(shuffled)
        run_pred, _ = cluster(shuffled, annotations, settings, dedup=dedup)
        shuffled_b.append(bcubed(run_pred, gold))
        shuffled_p.append(pairwise(run_pred, gold))
    return ClusteringScores(
        documents=len(docs),
        gold_stories=len(set(gold.values())),
        order=used,
        predicted_stories=len(set(pred.values())),
        bcubed=bcubed(pred, gold),
        pairwise=pairwise(pred, gold),
        merges=sum(1 for e in clusterer.events() if e.kind == "merge"),
        splits=sum(1 for e in clusterer.events() if e.kind == "split"),
        shuffled_bcubed=tuple(shuffled_b),
        shuffled_pairwise=tuple(shuffled_p),
    )


TUNING_GRID: Mapping[str, tuple[float, ...]] = {
    "threshold": (0.2, 0.25, 0.3, 0.35, 0.4),
    "entity_weight": (0.2, 0.3, 0.4, 0.5),
    "dense_weight": (0.0, 0.4),
}
"""The story settings :func:`evaluate_folds` may choose on a tuning half: the join threshold,
the share of names in the score (the two that most change where stories are cut), and
whether the leads' vectors count."""


def split_folds(docs: Sequence[GoldDocument], folds: int) -> list[list[GoldDocument]]:
    """Documents in ``folds`` parts that keep each topic whole (each gold story when the data
    names no topics): topics in sorted order, dealt round-robin, so the split is fixed."""
    groups = sorted({_fold_key(d) for d in docs}, key=_natural)
    part = {key: i % folds for i, key in enumerate(groups)}
    out: list[list[GoldDocument]] = [[] for _ in range(folds)]
    for doc in docs:
        out[part[_fold_key(doc)]].append(doc)
    return out


def _fold_key(doc: GoldDocument) -> str:
    return doc.topic if doc.topic is not None else doc.story


def _natural(key: str) -> tuple[int, str]:
    """Numbers in numeric order ("2" before "10"), then other keys."""
    return (int(key), "") if key.isdigit() else (1 << 62, key)


@dataclass(frozen=True, slots=True, kw_only=True)
class FoldScores:
    """One held-out fold: the setting chosen on the other folds, and how each setting does."""

    fold: int
    topics: tuple[str, ...]
    """The topics (or gold stories) held out."""
    chosen: dict[str, float]
    """The grid setting with the best BCubed F1 on the other folds."""
    tuning_f1: float
    """That best BCubed F1 on the other folds."""
    held_out: ClusteringScores
    """The chosen setting, scored on this fold."""
    default: ClusteringScores
    """The default (shipped) settings, scored on this fold."""

    def to_dict(self) -> dict[str, object]:
        return {
            "fold": self.fold,
            "topics": list(self.topics),
            "chosen": self.chosen,
            "tuning_bcubed_f1": round(self.tuning_f1, 4),
            "held_out": self.held_out.to_dict(),
            "default": self.default.to_dict(),
        }


def evaluate_folds(
    path: str | Path,
    settings: Settings,
    *,
    folds: int = 2,
    grid: Mapping[str, Sequence[float]] = TUNING_GRID,
    order: Literal["auto", "file"] = "auto",
    dedup: bool = True,
    fields: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, Annotations | None] | None = None,
) -> list[FoldScores]:
    """Cross-validated clustering scores: the documents are split by topic
    (:func:`split_folds`); for each fold, the story setting from ``grid`` with the best BCubed
    F1 on the other folds is scored on it, beside ``settings`` as given. Each fold is clustered
    on its own (a fresh store), so a held-out score never sees the tuning documents."""
    if folds < 2:
        raise ValueError("folds must be at least 2")
    docs = load_gold(path, fields, labels=labels)
    if annotations is None:
        annotations = annotate_documents(docs, settings)
    parts = split_folds(docs, folds)
    candidates = [dict(zip(grid, values, strict=True)) for values in product(*grid.values())]

    def scored(part: Sequence[GoldDocument], chosen: Mapping[str, float]) -> ClusteringScores:
        changes: dict[str, Any] = dict(chosen)
        tuned = replace(settings, stories=replace(settings.stories, **changes))
        return score_documents(part, annotations, tuned, order=order, dedup=dedup)

    f1: dict[tuple[int, int], float] = {}
    for p, part in enumerate(parts):
        for c, candidate in enumerate(candidates):
            f1[p, c] = scored(part, candidate).bcubed.f1
    out: list[FoldScores] = []
    for held, part in enumerate(parts):
        others = [p for p in range(folds) if p != held]
        # The mean over the other folds, each clustered apart; ties: the earlier grid point.
        means = [sum(f1[p, c] for p in others) / len(others) for c in range(len(candidates))]
        best = max(range(len(candidates)), key=lambda c: (means[c], -c))
        out.append(
            FoldScores(
                fold=held,
                topics=tuple(sorted({_fold_key(d) for d in part}, key=_natural)),
                chosen=candidates[best],
                tuning_f1=means[best],
                held_out=scored(part, candidates[best]),
                default=score_documents(part, annotations, settings, order=order, dedup=dedup),
            )
        )
    return out


def folds_report(folds: Sequence[FoldScores]) -> str:
    """A plain-text summary of :func:`evaluate_folds`."""
    lines = []
    for fold in folds:
        chosen = ", ".join(f"{k} {v:g}" for k, v in fold.chosen.items())
        shown = ", ".join(fold.topics[:12]) + (" ..." if len(fold.topics) > 12 else "")
        lines += [
            f"fold {fold.fold + 1}: {fold.held_out.documents} documents, "
            f"{fold.held_out.gold_stories} gold stories (held out: {shown})",
            f"  tuned on the other folds: {chosen} (BCubed F1 there {fold.tuning_f1:.4f})",
            _bcubed_line("  held out, tuned setting ", fold.held_out.bcubed),
            _bcubed_line("  held out, default       ", fold.default.bcubed),
        ]
    return "\n".join(lines)


def _bcubed_line(label: str, b: BCubed) -> str:
    return f"{label} BCubed P {b.precision:.4f}  R {b.recall:.4f}  F1 {b.f1:.4f}"


def report(scores: ClusteringScores) -> str:
    """A short plain-text summary of :func:`evaluate_clustering`'s scores."""
    b, p = scores.bcubed, scores.pairwise
    lines = [
        f"documents {scores.documents}, gold stories {scores.gold_stories}, "
        f"predicted stories {scores.predicted_stories} (order: {scores.order}, "
        f"merges: {scores.merges}, splits: {scores.splits})",
        f"BCubed    P {b.precision:.4f}  R {b.recall:.4f}  F1 {b.f1:.4f}",
        f"pairwise  P {p.precision:.4f}  R {p.recall:.4f}  F1 {p.f1:.4f}",
    ]
    if scores.shuffled_bcubed:
        runs = scores.shuffled_bcubed
        lines.append(
            f"shuffled ({len(runs)} seeded orders): BCubed F1 mean "
            f"{scores.shuffled_bcubed_f1:.4f} (min {min(r.f1 for r in runs):.4f}), "
            f"pairwise F1 mean {scores.shuffled_pairwise_f1:.4f}"
        )
    return "\n".join(lines)
