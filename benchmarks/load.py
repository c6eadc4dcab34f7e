"""Readers while a writer writes: mixed HTTP requests to ``storyline serve`` during an ingest.

    python benchmarks/load.py                       # 1,500 generated articles, 90 s of requests
    python benchmarks/load.py --articles 500 --duration 30

Ingests the demo corpus into a new store (so there are stories, entities and articles to ask
for), starts the real server (``storyline serve``, uvicorn) on 127.0.0.1 over that store, then
runs ``storyline ingest`` of ``--articles`` generated articles (annotated, as by default) into
the same store in a subprocess, while ``--concurrency`` client threads send a mix of requests
until the ingest ends or ``--duration`` passes: the story list and a search (``/api/stories``),
dossiers and story pages of stories as they appear (a new story's dossier is built and kept
in the store: a write while ingest writes), articles, the entity list. Prints the requests,
the errors (any 5xx or failed connection) and p50/p95/p99; the target is 0 errors and p99 under
1 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

from api import serve
from stories import generate

ROOT = Path(__file__).resolve().parent.parent
DEMO_CORPUS = ROOT / "examples" / "corpus"
TARGET_P99_S = 1.0
STORYLINE = str(Path(sys.executable).parent / "storyline")


def write_articles(path: Path, count: int, *, seed: int) -> None:
    start = datetime(2024, 6, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for article, _ in generate(count, seed=seed, prefix="load-", start=start):
            record = {
                "id": article.id,
                "title": article.title,
                "text": article.text,
                "source": article.source,
                "published": article.published.isoformat() if article.published else None,
            }
            out.write(json.dumps(record) + "\n")


class Targets:
    """What the clients ask for: refreshed from the story list as the ingest adds stories."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stories: list[str] = []
        self.articles: list[str] = []
        self.refreshed = 0.0

    def refresh(self, client: httpx.Client) -> None:
        page = client.get("/api/stories", params={"limit": 50}).json()
        with self.lock:
            self.stories = [story["id"] for story in page["stories"]]
            self.articles = [a for story in page["stories"] for a in story["article_ids"]]
            self.refreshed = time.monotonic()


def one_request(client: httpx.Client, targets: Targets, rng: random.Random) -> str:
    with targets.lock:
        story = rng.choice(targets.stories) if targets.stories else None
        article = rng.choice(targets.articles) if targets.articles else None
    roll = rng.random()
    if roll < 0.2 or story is None:
        return "/api/stories"
    if roll < 0.3:
        return "/api/stories?q=" + rng.choice(("council", "port", "strike", "minister", "fire"))
    if roll < 0.6:
        return f"/api/stories/{story}"
    if roll < 0.75:
        return f"/stories/{story}"
    if roll < 0.9 and article is not None:
        return f"/api/articles/{article}"
    return "/api/entities"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--duration", type=float, default=90.0, help="seconds of requests")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.db"
        feed = Path(tmp) / "generated.jsonl"
        write_articles(feed, args.articles, seed=args.seed)
        subprocess.run([STORYLINE, "--db", str(db), "-q", "ingest", str(DEMO_CORPUS)], check=True)
        server, base = serve(db)
        try:
            run(db, feed, base, args)
        finally:
            server.terminate()
            server.wait(timeout=30)


def run(db: Path, feed: Path, base: str, args: argparse.Namespace) -> None:
    targets = Targets()
    with httpx.Client(base_url=base, timeout=60) as client:
        targets.refresh(client)
    started = time.monotonic()
    ingest = subprocess.Popen(
        [STORYLINE, "--db", str(db), "-q", "ingest", "--format", "json", str(feed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = started + args.duration
    latencies: list[float] = []
    errors: list[str] = []
    record = threading.Lock()

    def client_loop(worker: int) -> None:
        rng = random.Random(args.seed * 100 + worker)
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.monotonic() < deadline and ingest.poll() is None:
                if worker == 0 and time.monotonic() - targets.refreshed > 2:
                    targets.refresh(client)
                path = one_request(client, targets, rng)
                sent = time.perf_counter()
                try:
                    status = client.get(path).status_code
                    failure = f"{status} {path}" if status >= 500 else None
                except httpx.HTTPError as exc:
                    failure = f"{type(exc).__name__} {path}"
                took = time.perf_counter() - sent
                with record:
                    latencies.append(took)
                    if failure is not None:
                        errors.append(failure)

    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(client_loop, range(args.concurrency)))
    window = time.monotonic() - started
    still_running = ingest.poll() is None
    out, err = ingest.communicate(timeout=3600)
    ingest_seconds = time.monotonic() - started
    if ingest.returncode != 0:
        raise SystemExit(f"the ingest failed ({ingest.returncode}): {err.strip()}")
    report = json.loads(out)

    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(
        f"ingest of {report['records_read']:,} records ({report['articles_annotated']:,} "
        f"annotated, {report['new_stories']:,} new stories): {ingest_seconds:.0f} s"
        f"{'' if still_running else ' (ended within the request window)'}"
    )
    print(
        f"{len(latencies):,} requests in {window:.0f} s from {args.concurrency} clients, "
        f"{len(errors)} errors; p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms, "
        f"p99 {cuts[98] * 1000:.0f} ms, max {max(latencies, default=0) * 1000:.0f} ms "
        f"(target: 0 errors, p99 < {TARGET_P99_S:g} s)"
    )
    for failure in errors[:10]:
        print("  error:", failure)


if __name__ == "__main__":
    main()
