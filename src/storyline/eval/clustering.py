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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from storyline.annotate.pipeline import Annotator
from storyline.config import Settings
from storyline.dedup.index import MemoryDedupIndex
from storyline.dedup.minhash import MinHashDeduper
from storyline.eval.scores import PRF, f1_score
from storyline.ingest.base import parse_published
from storyline.link.index import MemoryStoryIndex
from storyline.link.stories import StoryClusterer
from storyline.model import Annotations, Article

__all__ = [
    "DEMO_FIELDS",
    "ECBPLUS_FIELDS",
    "BCubed",
    "ClusteringScores",
    "GoldDocument",
    "bcubed",
    "cluster",
    "evaluate_clustering",
    "load_gold",
    "pairwise",
    "report",
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


def load_gold(path: str | Path, fields: Mapping[str, str] | None = None) -> list[GoldDocument]:
    """Read one JSONL file, or every ``*.jsonl`` of a folder (sorted), into gold documents.

    ``fields`` maps ``id``, ``story``, ``title``, ``text``, ``published``, ``duplicate_of`` to
    the record's keys; by default ECB+ names, or the demo corpus names when records have
    ``story`` and no ``story_id``.
    """
    location = Path(path)
    files = sorted(location.glob("*.jsonl")) if location.is_dir() else [location]
    docs: list[GoldDocument] = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
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
                source=record.get("outlet") or record.get("source"),
            )
            docs.append(GoldDocument(article=article, story=str(record[names["story"]])))
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
) -> tuple[dict[str, str], StoryClusterer]:
    """Add the documents, in the given order, to a fresh clusterer, checking its stories as
    ingest does (every ``settings.stories.check_every`` articles and at the end); their story
    ids."""
    deduper = MinHashDeduper(settings.dedup, MemoryDedupIndex()) if dedup else None
    clusterer = StoryClusterer(settings.stories, MemoryStoryIndex())
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
    annotations: Mapping[str, Annotations | None] | None = None,
) -> ClusteringScores:
    """Annotate, cluster online and score the documents of ``path`` against their gold stories.

    ``order="auto"`` adds documents in publication order when all have a time, else in file
    order; ``"file"`` always uses file order. ``shuffles`` more runs add them in seeded random
    orders (``seed``, ``seed + 1``, ...). ``annotations`` (by document id) skips the annotate
    stage, for experiments that re-run the clustering only.
    """
    docs = load_gold(path, fields)
    if annotations is None:
        annotations = annotate_documents(docs, settings)
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
