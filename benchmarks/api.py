"""HTTP API latency with 100,000 generated articles stored in SQLite.

    python benchmarks/api.py                        # 100,000 articles (fills for a few minutes)
    python benchmarks/api.py --articles 10000       # a quicker look
    python benchmarks/api.py --db /tmp/api.db       # keep the generated store and reuse it

Generates the articles (with annotations and corpus entities, no spaCy) with the generator of
``benchmarks/stories.py``, starts the real server (``storyline serve``, uvicorn) on 127.0.0.1,
and measures from a client on loopback, with ``--concurrency`` requests in flight (4) and
``--requests`` per case (400):

- the story list (``GET /api/stories``): the default page, sorted by size, a search for a
  story's word, for a word in most articles, and a source filter;
- one dossier (``GET /api/stories/{id}``) of a story in the middle of the store: the first
  (cold) request, then p50/p95 of repeated ones, against the target p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import httpx

from stories import generate
from storyline.config import StorySettings
from storyline.link import StoryClusterer
from storyline.link.entities import EntityLinker
from storyline.model import StoryQuery
from storyline.store import SqliteStore

TARGET_DOSSIER_P95_MS = 50.0


def fill(path: Path, count: int, *, seed: int) -> float:
    """Store ``count`` generated articles with annotations, entities and stories."""
    started = time.perf_counter()
    with SqliteStore(path) as store:
        clusterer = StoryClusterer(StorySettings(), store.story_index())
        linker = EntityLinker(store.entity_index())
        articles = generate(count, seed=seed, prefix="a", start=datetime(2020, 1, 1, tzinfo=UTC))
        done = 0
        while batch := list(islice(articles, 1000)):
            with store.transaction():
                for article, annotations in batch:
                    store.add_article(article)
                    store.add_annotations(article.id, annotations, model="generated")
                    linker.add(article.id, annotations)
                    clusterer.add(article, annotations)
            done += len(batch)
            if done % 10_000 == 0:
                print(f"  {done:,} stored ({time.perf_counter() - started:.0f} s)", flush=True)
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    storyline = str(Path(sys.executable).parent / "storyline")
    server = subprocess.Popen(
        [storyline, "--db", str(db), "-q", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "STORYLINE_ANNOTATE_ON_INGEST": "false"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/health", timeout=2).raise_for_status()
            return server, base
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)


def measure(
    client: httpx.Client, path: str, params: dict[str, str], *, requests: int, concurrency: int
) -> list[float]:
    """Latencies (ms) of ``requests`` GETs, ``concurrency`` in flight at a time."""

    def one(_: int) -> float:
        started = time.perf_counter()
        response = client.get(path, params=params)
        elapsed = 1000 * (time.perf_counter() - started)
        response.raise_for_status()
        return elapsed

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, range(requests)))


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(name: str, latencies: list[float], target: float | None = None) -> None:
    p50, p95 = _percentile(latencies, 50), _percentile(latencies, 95)
    verdict = ""
    if target is not None:
        verdict = f"   (target p95 < {target:.0f} ms: {'met' if p95 < target else 'NOT met'})"
    print(f"{name:<44} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   n={len(latencies)}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="Generated store to keep (reused if present).")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "api.db"
        if db.exists():
            with SqliteStore(db) as store:
                stored = store.stats().articles
            print(f"reusing {db}: {stored:,} articles")
        else:
            seconds = fill(db, args.articles, seed=args.seed)
            print(f"stored {args.articles:,} generated articles in {seconds:.0f} s")
        with SqliteStore(db) as store:
            stats = store.stats()
            middle = store.search_stories(StoryQuery(), limit=1, offset=stats.stories // 2)
            story_id = middle.stories[0].id
            source = store.article(middle.stories[0].article_ids[0]).source or ""
            word = store.article(middle.stories[0].article_ids[0]).title or "x"
        print(f"{stats.articles:,} articles, {stats.stories:,} stories; dossier of {story_id}")

        server, base = serve(db)
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                count, flight = args.requests, args.concurrency
                cases: list[tuple[str, dict[str, str]]] = [
                    ("GET /api/stories", {}),
                    ("GET /api/stories?sort=largest", {"sort": "largest"}),
                    (f"GET /api/stories?q={word.split()[0]}", {"q": word.split()[0]}),
                    # A word in most articles: the search's worst case.
                    ("GET /api/stories?q=officials", {"q": "officials"}),
                    ("GET /api/stories?source=...", {"source": source}),
                ]
                for name, params in cases:
                    measure(client, "/api/stories", params, requests=8, concurrency=1)  # warm
                    latencies = measure(
                        client, "/api/stories", params, requests=count, concurrency=flight
                    )
                    report(name, latencies)
                started = time.perf_counter()
                client.get(f"/api/stories/{story_id}").raise_for_status()
                cold = 1000 * (time.perf_counter() - started)
                print(f"{'GET /api/stories/{id}: first request':<44} {cold:7.1f} ms")
                latencies = measure(
                    client, f"/api/stories/{story_id}", {}, requests=count, concurrency=flight
                )
                report("GET /api/stories/{id}: repeated", latencies, TARGET_DOSSIER_P95_MS)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
