"""Ingest + dedup throughput and peak memory on a generated corpus.

    python benchmarks/ingest.py                 # 20,000 articles, then the copy-group check
    python benchmarks/ingest.py --articles 80000
    python benchmarks/ingest.py --articles 0 --group 5000   # only the copy-group check

Prints, from one run on one machine:
- the baseline: articles/s of just reading the JSONL and hashing each article's text;
- storyline ingest (read, validate, exact + near-duplicate detection, SQLite writes), articles/s,
  with annotation off (``annotate.on_ingest = false``): the annotate stage has its own benchmark,
  ``benchmarks/annotate.py``, and at spaCy's pace it would hide everything measured here;
- their ratio, which is what to compare across machines;
- the peak RSS of the ingest process, which must stay under 1 GiB whatever the corpus size
  (input is streamed; run with a larger --articles to see it stay flat);
- one syndicated story: ingest of ``--group`` copies of one article (a wire story and its
  republications with small edits, :func:`storyline.dedup.synthetic.wire_copy`) against the same
  number of unrelated articles, and their ratio. Deduping an article must cost about the same
  whatever the size of its copy group, so the ratio stays near 1 as ``--group`` grows.

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


def write_corpus(path: Path, articles: int, seed: int, copy_rate: float = 0.2) -> str:
    from storyline.dedup.synthetic import generate_corpus

    digest = hashlib.sha256()
    with path.open("w", encoding="utf-8") as handle:
        for record in generate_corpus(articles, seed=seed, copy_rate=copy_rate):
            line = json.dumps(record, ensure_ascii=False) + "\n"
            digest.update(line.encode())
            handle.write(line)
    return digest.hexdigest()[:12]


def write_copy_group(path: Path, copies: int, seed: int) -> None:
    """One generated article followed by ``copies - 1`` republications of it by other outlets,
    published from an hour before to half a day after it (so the group's origin moves)."""
    import random
    from datetime import datetime, timedelta

    from storyline.dedup.synthetic import OUTLETS, generate_corpus, wire_copy

    original = next(generate_corpus(1, seed=seed, copy_rate=0.0))
    title, text, wire = str(original["title"]), str(original["text"]), str(original["source"])
    published = datetime.fromisoformat(str(original["published"]))
    paragraphs = text.split("\n\n")
    outlets = [o for o in OUTLETS if o != wire]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(original, ensure_ascii=False) + "\n")
        for n in range(1, copies):
            outlet = rng.choice(outlets)
            headline, body = wire_copy(rng, title, paragraphs, outlet=outlet, wire=wire)
            record = {
                "id": f"copy-{n:06d}",
                "url": f"https://outlet{n}.example/copy-{n}",
                "source": outlet,
                "title": headline,
                "text": "\n\n".join(body),
                "published": (published + timedelta(minutes=rng.randint(-60, 720))).isoformat(),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def copy_group(size: int, seed: int) -> None:
    """Ingest ``size`` copies of one story and ``size`` unrelated articles; print both rates."""
    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as tmp:
        group, unrelated = Path(tmp) / "group.jsonl", Path(tmp) / "unrelated.jsonl"
        write_copy_group(group, size, seed)
        write_corpus(unrelated, size, seed, copy_rate=0.0)
        one = _run_child(CHILD_INGEST, str(group), str(Path(tmp) / "group.db"))
        other = _run_child(CHILD_INGEST, str(unrelated), str(Path(tmp) / "unrelated.db"))
    group_rate = one["count"] / one["seconds"]
    other_rate = other["count"] / other["seconds"]
    print(
        f"one copy group       : {group_rate:>10,.0f} articles/s  ({size:,} copies of one story, "
        f"{one['duplicates']:,} stored as copies)"
    )
    print(f"unrelated articles   : {other_rate:>10,.0f} articles/s  ({size:,} articles)")
    print(f"ratio group/unrelated: {group_rate / other_rate:>10.3f}  (about 1 whatever --group)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--group", type=int, default=2_000, help="copies of one story to ingest (0: skip)"
    )
    args = parser.parse_args()
    if args.articles > 0:
        corpus_run(args.articles, args.seed)
    if args.group > 0:
        copy_group(args.group, args.seed)


def corpus_run(articles: int, seed: int) -> None:
    """Ingest ``articles`` generated articles; print rates against the read + hash baseline."""

    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        started = time.perf_counter()
        digest = write_corpus(corpus, articles, seed)
        size_mib = corpus.stat().st_size / 2**20
        print(
            f"corpus: {articles:,} articles, {size_mib:,.1f} MiB JSONL "
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
