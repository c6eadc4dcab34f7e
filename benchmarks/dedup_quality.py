"""Wire-copy detection quality on ECB+-based copies, and dedup throughput.

    python benchmarks/dedup_quality.py                  # seed 0, 20,000 articles
    python benchmarks/dedup_quality.py --seeds 0 1 2 3  # quality over several generated sets

Prints, from one run on one machine:
- pairwise precision, recall and F1 of the "is a copy of" decision at the default settings, on
  the set built by ``storyline.dedup.synthetic.build_copy_eval_set`` from
  ``../shared/eval/ecbplus/dev.jsonl`` (real articles as negatives, generated wire copies as
  positives), with the pair counts behind them;
- the same for a small sweep of thresholds (and shingle sizes);
- the throughput (articles/s) of MinHashDeduper over a MemoryDedupIndex on
  ``generate_corpus(20000)``, and how many of its generated copies were found.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from datetime import datetime
from pathlib import Path

from storyline.config import DedupSettings
from storyline.dedup import MemoryDedupIndex, MinHashDeduper
from storyline.dedup.synthetic import (
    ECBPLUS_DEV,
    CopyScores,
    build_copy_eval_set,
    evaluate_dedup,
    generate_corpus,
)
from storyline.model import Article

SWEEP = [(t, 4) for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)] + [(0.4, 3), (0.4, 5)]


def _row(label: str, scores: list[CopyScores]) -> str:
    def mean(name: str) -> float:
        return sum(getattr(s, name) for s in scores) / len(scores)

    def total(name: str) -> int:
        return int(sum(getattr(s, name) for s in scores))

    return (
        f"{label:<22} {mean('precision'):>9.4f} {mean('recall'):>7.4f} {mean('f1'):>7.4f} "
        f"{total('true_positives'):>6} {total('false_positives'):>5} "
        f"{total('false_negatives'):>5} {total('same_topic_false_positives'):>8} "
        f"{total('unlabeled_grouped'):>6}"
    )


def quality(path: Path, seeds: list[int]) -> None:
    sets = [build_copy_eval_set(path, seed=seed) for seed in seeds]
    first = sets[0]
    copies = sum(1 for a in first.articles if a.id != first.base_of[a.id])
    print(
        f"ECB+ copy set, seeds {seeds}: {len(first.articles)} articles in seed {seeds[0]} "
        f"({len(first.articles) - copies} ECB+ documents, {copies} generated copies)"
    )
    default = DedupSettings()
    scores = [evaluate_dedup(s, default) for s in sets]
    s = scores[0]
    print(
        f"pairs in seed {seeds[0]}: {s.true_positives + s.false_negatives} copy pairs, "
        f"{s.negative_pairs} negative pairs ({s.same_topic_negative_pairs} within a topic), "
        f"{s.unlabeled_pairs} unlabeled (ECB+ documents reusing each other's text)"
    )
    print()
    print("mean over seeds; counts summed. st-fp: false positives within one ECB+ topic;")
    print("unl: unlabeled pairs (natural ECB+ text reuse) that were grouped")
    header = f"{'settings':<22} {'precision':>9} {'recall':>7} {'F1':>7} "
    print(header + f"{'tp':>6} {'fp':>5} {'fn':>5} {'st-fp':>8} {'unl':>6}")
    print(_row(f"default t={default.threshold} k={default.shingle_words}", scores))
    for threshold, shingle in SWEEP:
        settings = dataclasses.replace(default, threshold=threshold, shingle_words=shingle)
        print(_row(f"t={threshold} k={shingle}", [evaluate_dedup(s, settings) for s in sets]))


def throughput(n: int, copy_rate: float) -> None:
    records = list(generate_corpus(n, seed=0, copy_rate=copy_rate, labels=True))
    articles = [
        Article(
            id=str(r["id"]),
            text=str(r["text"]),
            title=str(r["title"]),
            source=str(r["source"]),
            published=datetime.fromisoformat(str(r["published"])),
        )
        for r in records
    ]
    copies = {str(r["id"]) for r in records if r["copy_of"] is not None}
    deduper = MinHashDeduper(DedupSettings(), MemoryDedupIndex())
    start = time.perf_counter()
    grouped = {a.id for a in map(deduper.add, articles) if a.duplicate_group != a.id}
    seconds = time.perf_counter() - start
    print(
        f"\nthroughput: {n} generated articles ({len(copies)} copies), MinHashDeduper + "
        f"MemoryDedupIndex: {seconds:.1f} s, {n / seconds:,.0f} articles/s"
    )
    print(
        f"copies grouped: {len(grouped & copies)} of {len(copies)}; "
        f"originals wrongly grouped: {len(grouped - copies)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ecbplus", type=Path, default=ECBPLUS_DEV)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--copy-rate", type=float, default=0.2)
    args = parser.parse_args()
    if args.ecbplus.is_file():
        quality(args.ecbplus, args.seeds)
    else:
        print(f"{args.ecbplus} not found: quality skipped", file=sys.stderr)
    throughput(args.articles, args.copy_rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
