"""Ingest + dedup throughput and peak memory on a generated corpus.

    python benchmarks/ingest.py                 # 20,000 articles
    python benchmarks/ingest.py --articles 80000

Prints, from one run on one machine:
- the baseline: articles/s of just reading the JSONL and hashing each article's text;
- storyline ingest (read, validate, exact + near-duplicate detection, SQLite writes), articles/s,
  with annotation off (``annotate.on_ingest = false``): the annotate stage has its own benchmark,
  ``benchmarks/annotate.py``, and at spaCy's pace it would hide everything measured here;
- their ratio, which is what to compare across machines;
- the peak RSS of the ingest process, which must stay under 1 GiB whatever the corpus size
  (input is streamed; run with a larger --articles to see it stay flat).

Each measured step runs in a fresh child process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHILD_BASELINE = """
import hashlib, json, resource, sys, time
start = time.perf_counter()
count = 0
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        record = json.loads(line)
        hashlib.sha256(record["text"].encode()).hexdigest()
        count += 1
print(json.dumps({"count": count, "seconds": time.perf_counter() - start,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_INGEST = """
import json, resource, sys, time
from storyline import open_project
from storyline.config import load_settings
start = time.perf_counter()
settings = load_settings(environ={}, overrides={"annotate.on_ingest": False})
with open_project(sys.argv[2], settings=settings) as project:
    report = project.ingest([sys.argv[1]])
    stats = project.stats().to_dict()
print(json.dumps({"count": report.records_read, "seconds": time.perf_counter() - start,
                  "articles": report.articles_added, "duplicates": report.duplicates_added,
                  "rejected": report.rejected, "stats": stats,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run_child(code: str, *args: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter (so its peak RSS is its own); return its JSON line."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def write_corpus(path: Path, articles: int, seed: int) -> str:
    from storyline.dedup.synthetic import generate_corpus

    digest = hashlib.sha256()
    with path.open("w", encoding="utf-8") as handle:
        for record in generate_corpus(articles, seed=seed):
            line = json.dumps(record, ensure_ascii=False) + "\n"
            digest.update(line.encode())
            handle.write(line)
    return digest.hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        started = time.perf_counter()
        digest = write_corpus(corpus, args.articles, args.seed)
        size_mib = corpus.stat().st_size / 2**20
        print(
            f"corpus: {args.articles:,} articles, {size_mib:,.1f} MiB JSONL "
            f"(sha256 {digest}), generated in {time.perf_counter() - started:.1f} s"
        )
        baseline = _run_child(CHILD_BASELINE, str(corpus))
        ingest = _run_child(CHILD_INGEST, str(corpus), str(Path(tmp) / "bench.db"))

    base_rate = baseline["count"] / baseline["seconds"]
    ingest_rate = ingest["count"] / ingest["seconds"]
    rss = "articles/s  (peak RSS {:,.0f} MiB)"
    print(f"read + hash baseline : {base_rate:>10,.0f} " + rss.format(baseline["rss_mib"]))
    print(f"storyline ingest     : {ingest_rate:>10,.0f} " + rss.format(ingest["rss_mib"]))
    print(f"ratio ingest/baseline: {ingest_rate / base_rate:>10.3f}")
    print(
        f"stored {ingest['articles']:,} articles, {ingest['duplicates']:,} copies, "
        f"{ingest['rejected']:,} rejected; stats: {json.dumps(ingest['stats'])}"
    )
    print(f"peak RSS under 1 GiB : {'yes' if ingest['rss_mib'] < 1024 else 'NO'}")


if __name__ == "__main__":
    main()
