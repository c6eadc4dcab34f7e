"""Dossier build time for a story of 10, 100 and 1,000 articles: growth must be <= n log n.

    python benchmarks/dossier.py
    python benchmarks/dossier.py --sizes 10 100 1000 3000 --rounds 5

The story is made from the demo corpus's real articles, annotated once by the real pipeline:
a story of n articles cycles through them under new ids, outlets (one in four is a wire copy of
an earlier article), publication times spread over weeks, and figures that drift from copy to
copy (counts revised upwards, estimates that differ), so claims, corroboration, disagreements,
the timeline, quotes and the brief all have real work to do at every size. Entities are linked
across the story's articles the way ingest does, in memory.

Prints the best-of-rounds build time per size, the time ratio of each size to the previous one
next to the n log n ratio, and the growth exponent; the target is time ratios no worse than
n log n's (exponent close to 1).
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from storyline.annotate.pipeline import Annotator
from storyline.config import Settings
from storyline.ingest import read_articles
from storyline.link.entities import EntityLinker
from storyline.link.entity_index import MemoryEntityIndex
from storyline.model import Annotations, Article, StoryMaterial, StorySummary
from storyline.synthesize.dossier import build_dossier
from storyline.titles import story_title

DEMO = Path(__file__).resolve().parent.parent / "examples" / "corpus" / "articles.jsonl"
OUTLETS = 40


def annotated_demo() -> list[tuple[Article, Annotations]]:
    articles = [r for r in read_articles(DEMO) if isinstance(r, Article)]
    annotator = Annotator(Settings().annotate)
    return [(a, found) for a, found in annotator.annotate_articles(articles) if found]


def drifted(annotations: Annotations, copy: int) -> Annotations:
    """The annotations with every figure moved by a few percent per copy (reports disagree)."""
    if copy == 0:
        return annotations
    factor = 1 + 0.03 * (copy % 7)
    quantities = tuple(
        replace(
            q,
            value=None if q.value is None else round(q.value * factor),
            low=None if q.low is None else round(q.low * factor),
            high=None if q.high is None else round(q.high * factor),
        )
        for q in annotations.quantities
    )
    return replace(annotations, quantities=quantities)


def story_of(size: int, base: list[tuple[Article, Annotations]]) -> StoryMaterial:
    articles: list[Article] = []
    annotations: dict[str, Annotations] = {}
    for i in range(size):
        article, found = base[i % len(base)]
        copy = i // len(base)
        published = article.published + timedelta(hours=7 * i) if article.published else None
        duplicate_of = articles[i - 3].id if i % 4 == 3 else None
        new = replace(
            article,
            id=f"b{i:05d}",
            source=f"Outlet {i % OUTLETS}",
            published=published,
            duplicate_of=duplicate_of,
            duplicate_group=duplicate_of,
        )
        articles.append(new)
        annotations[new.id] = drifted(found, copy)
    articles.sort(key=lambda a: (a.published is None, a.published, a.id))
    linker = EntityLinker(MemoryEntityIndex())
    for article in articles:
        linker.add(article.id, annotations[article.id])
    entities, names = linker.story_entities([a.id for a in articles])
    times = [a.published for a in articles if a.published]
    summary = StorySummary(
        id="s-000000000000",
        title=story_title((a.title for a in articles), articles[0].text) or "s-000000000000",
        article_ids=tuple(a.id for a in articles),
        first_published=min(times) if times else None,
        last_published=max(times) if times else None,
        sources=len({a.source for a in articles}),
    )
    return StoryMaterial(
        story=summary,
        articles=tuple(articles),
        annotations=annotations,
        entities=tuple(entities),
        entity_names=names,
    )


def best_time(material: StoryMaterial, rounds: int) -> tuple[float, int, int]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        dossier = build_dossier(material)
        times.append(time.perf_counter() - start)
    return min(times), len(dossier.claims), len(dossier.disagreements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    base = annotated_demo()
    print(f"base: {len(base)} annotated demo articles; best of {args.rounds} rounds per size")
    print(f"{'articles':>9} {'seconds':>9} {'ms/article':>11} {'claims':>7} {'disagree':>9}")
    results: list[tuple[int, float]] = []
    for size in args.sizes:
        material = story_of(size, base)
        build_dossier(material)  # warm caches and lazy imports outside the timed rounds
        seconds, claims, disagreements = best_time(material, args.rounds)
        results.append((size, seconds))
        print(
            f"{size:>9} {seconds:>9.3f} {1000 * seconds / size:>11.2f} {claims:>7} "
            f"{disagreements:>9}"
        )
    worst = 0.0
    for (n0, t0), (n1, t1) in pairwise(results):
        time_ratio = t1 / t0
        nlogn_ratio = (n1 * math.log(n1)) / (n0 * math.log(n0))
        exponent = math.log(time_ratio) / math.log(n1 / n0)
        worst = max(worst, time_ratio / nlogn_ratio)
        print(
            f"{n0:>6} -> {n1:<6} time x{time_ratio:7.2f}   n log n x{nlogn_ratio:7.2f}   "
            f"growth exponent {exponent:5.2f}"
        )
    verdict = "within" if worst <= 1.0 else "WORSE than"
    print(f"worst time ratio / n log n ratio: {worst:.2f} ({verdict} n log n; target <= 1.0)")


if __name__ == "__main__":
    main()
