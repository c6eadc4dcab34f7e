"""Story assignment cost as the store grows: 1,000 new articles onto 1,000 vs 100,000 stored.

    python benchmarks/stories.py                       # 1,000 and 100,000 stored, 5 rounds
    python benchmarks/stories.py --large 20000         # a quicker look
    python benchmarks/stories.py --rounds 9            # steadier medians on a busy machine

Each store size is filled once (as ``storyline ingest`` fills a store: one transaction per
1,000 articles). Then, in rounds that alternate the sizes (small first in odd rounds, large
first in even ones, so drift on a shared machine hits both alike), a fresh copy of each filled
store is opened, the 1,000 new articles are stored, and their assignment to stories is timed:
one transaction, commit and checkpoint included (the pages it wrote reach the database file),
with the SQLite store's story index, the way ``storyline ingest`` does in a new process. A
round never sees another round's articles.

Prints:
- for each store size: how long filling it took, and the assignment time (ms per article) of
  every round, with their median;
- the ratio large/small of the medians (target <= 1.5: candidate stories come from an index,
  so the cost of one assignment does not grow with the number of stories stored), and the
  range of the per-round ratios.

The corpus is generated (deterministic for a seed): many stories, each with its own people,
places, organisations, dates and topic words drawn from large pools, and articles that repeat
a sample of their story's vocabulary among common news words. Annotations are generated with
the articles (entities with canonical names, dated time expressions), so the names and dates
paths of the clusterer are exercised without running spaCy.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

from storyline.config import StorySettings
from storyline.link import StoryClusterer
from storyline.model import Annotations, Article, Entity, Timex, TimexType
from storyline.store import SqliteStore

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "te",
    "su",
    "vin",
    "dor",
    "bel",
    "an",
    "ost",
    "mar",
    "fen",
    "li",
    "zo",
    "qu",
    "har",
    "tes",
    "val",
    "ne",
]
COMMON = [
    "officials",
    "said",
    "the",
    "government",
    "would",
    "review",
    "the",
    "plans",
    "on",
    "after",
    "a",
    "meeting",
    "with",
    "local",
    "leaders",
    "residents",
    "were",
    "told",
    "to",
    "expect",
    "further",
    "updates",
    "as",
    "the",
    "situation",
    "developed",
    "and",
    "several",
    "groups",
    "called",
    "for",
    "an",
    "inquiry",
    "into",
    "how",
    "decisions",
    "had",
    "been",
    "made",
    "this",
    "week",
]
ARTICLES_PER_STORY = 10


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


@dataclass(frozen=True, slots=True)
class _Story:
    people: tuple[str, ...]
    places: tuple[str, ...]
    orgs: tuple[str, ...]
    topic: tuple[str, ...]
    start: datetime


def _story(rng: random.Random, start: datetime) -> _Story:
    def name() -> str:
        return f"{_word(rng, 2).title()} {_word(rng, 3).title()}"

    return _Story(
        people=tuple(name() for _ in range(4)),
        places=tuple(_word(rng, 3).title() for _ in range(2)),
        orgs=tuple(
            f"{_word(rng, 2).title()} {rng.choice(['Authority', 'Union', 'Council'])}"
            for _ in range(2)
        ),
        topic=tuple(_word(rng, 3) for _ in range(12)),
        start=start,
    )


def _article(
    rng: random.Random, story: _Story, article_id: str, day: int
) -> tuple[Article, Annotations]:
    published = story.start + timedelta(days=day, hours=rng.randrange(24))
    parts: list[str] = []
    entities: list[Entity] = []
    words = [*rng.sample(story.topic, 6), *rng.sample(COMMON, 10)]
    names = [("PERSON", p) for p in rng.sample(story.people, 2)] + [
        ("GPE", rng.choice(story.places)),
        ("ORG", rng.choice(story.orgs)),
    ]
    offset = 0
    for label, name in names:
        sentence = f"{name} {' '.join(rng.sample(words, 8))}. "
        entities.append(
            Entity(text=name, start=offset, end=offset + len(name), label=label, canonical=name)
        )
        parts.append(sentence)
        offset += len(sentence)
    when = (story.start + timedelta(days=rng.randrange(3))).date().isoformat()
    lead = "It began on "
    parts.append(f"{lead}{when}.")
    text = "".join(parts)
    at = offset + len(lead)
    timex = Timex(text=when, start=at, end=at + len(when), type=TimexType.DATE, value=when)
    assert text[timex.start : timex.end] == when
    article = Article(
        id=article_id,
        text=text,
        title=" ".join(rng.sample(story.topic, 4)).capitalize(),
        source=f"Outlet {rng.randrange(20)}",
        published=published,
        location="generated",
        reader="jsonl",
    )
    return article, Annotations(entities=tuple(entities), timexes=(timex,))


def generate(
    count: int, *, seed: int, prefix: str, start: datetime
) -> Iterator[tuple[Article, Annotations]]:
    """``count`` articles of ``count / ARTICLES_PER_STORY`` stories, in publication order."""
    rng = random.Random(seed)
    stories = max(1, count // ARTICLES_PER_STORY)
    made = 0
    for s in range(stories):
        story = _story(rng, start + timedelta(hours=6 * s))
        for k in range(ARTICLES_PER_STORY):
            if made == count:
                return
            yield _article(rng, story, f"{prefix}{made}", day=k // 3)
            made += 1


def fill(store: SqliteStore, count: int, *, seed: int) -> float:
    started = time.perf_counter()
    clusterer = StoryClusterer(StorySettings(), store.story_index())
    articles = generate(count, seed=seed, prefix="old-", start=datetime(2020, 1, 1, tzinfo=UTC))
    while batch := list(islice(articles, 1000)):  # one transaction per 1,000, as ingest does
        with store.transaction():
            for article, annotations in batch:
                store.add_article(article)
                clusterer.add(article, annotations)
    return time.perf_counter() - started


def assign_new(store: SqliteStore, count: int, *, seed: int) -> float:
    """Assign ``count`` new articles (their own stories, published after everything stored)."""
    new = list(generate(count, seed=seed, prefix="new-", start=datetime(2031, 1, 1, tzinfo=UTC)))
    clusterer = StoryClusterer(StorySettings(), store.story_index())
    with store.transaction():
        for article, _ in new:
            store.add_article(article)
    store.checkpoint()  # the set-up's pages go to the database file before the clock starts
    started = time.perf_counter()
    with store.transaction():
        for article, annotations in new:
            clusterer.add(article, annotations)
    # Committed pages sit in the write-ahead log until a checkpoint writes them to the database
    # file. SQLite runs one at the commit that takes the log past 1,000 pages: inside the timed
    # transaction in a large store, left to the next one in a small store. Both pay it here.
    store.checkpoint()
    return time.perf_counter() - started


def one_round(template: Path, work: Path, count: int, *, seed: int) -> float:
    """:func:`assign_new` on a fresh copy of a filled store (closed, so its WAL is merged)."""
    shutil.copyfile(template, work)
    # The copy is set-up, not the store's work: flush it to disk before the clock starts, or
    # the first checkpoint's fsync pays for writing out the whole copied file (600 MB at
    # 100,000 stored, against 2 MB at 1,000).
    descriptor = os.open(work, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        with SqliteStore(work) as store:
            return assign_new(store, count, seed=seed)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    sizes = (args.small, args.large)
    times: dict[int, list[float]] = {size: [] for size in sizes}
    with tempfile.TemporaryDirectory() as tmp:
        templates = {size: Path(tmp) / f"stories-{size}.db" for size in sizes}
        for size in sizes:
            with SqliteStore(templates[size]) as store:
                filled = fill(store, size, seed=args.seed)
                stories = store.story_index().story_count()
            print(f"{size:>9,} stored ({stories:,} stories), filled in {filled:6.1f} s")
        for n in range(args.rounds):
            for size in sizes if n % 2 == 0 else sizes[::-1]:
                work = Path(tmp) / "round.db"
                seconds = one_round(templates[size], work, args.new, seed=args.seed + 1)
                times[size].append(seconds)
    for size in sizes:
        each = " ".join(f"{1000 * t / args.new:.2f}" for t in times[size])
        median = 1000 * statistics.median(times[size]) / args.new
        print(
            f"{size:>9,} stored: {args.new:,} new articles, ms/article by round: {each}; "
            f"median {median:.2f}"
        )
    ratio = statistics.median(times[args.large]) / statistics.median(times[args.small])
    rounds = [big / small for small, big in zip(times[args.small], times[args.large], strict=True)]
    print(
        f"ratio {args.large:,}/{args.small:,} stored (medians of {args.rounds} rounds): "
        f"{ratio:.2f}   (target <= 1.5; per round {min(rounds):.2f} to {max(rounds):.2f})"
    )


if __name__ == "__main__":
    main()
