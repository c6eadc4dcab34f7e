"""Annotation throughput: our full pipeline against the bare spaCy model, on the same texts.

    python benchmarks/annotate.py                 # the demo corpus + ECB+ dev texts, 3 rounds
    python benchmarks/annotate.py --rounds 5 --limit 200

Prints, from one run on one machine:
- articles/s and characters/s of the bare spaCy model (``annotate.model``) under ``nlp.pipe``;
- the same for the full annotate pipeline (``Annotator``: the model plus our entities, quotes,
  quantities and timex components);
- the ratio full/bare (target >= 0.8: our components cost at most 25% on top of spaCy);
- each of our components' own time on already parsed docs, as a share of the bare model's time.

Rounds alternate bare and full so that machine noise hits both; the best round of each counts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import spacy

from storyline.annotate.pipeline import COMPONENTS, Annotator
from storyline.config import AnnotateSettings

ROOT = Path(__file__).resolve().parent.parent
ECBPLUS_DEV = ROOT.parent / "shared" / "eval" / "ecbplus" / "dev.jsonl"
DEMO = ROOT / "examples" / "corpus" / "articles.jsonl"

Published = datetime | date | None


def load_texts(limit: int | None) -> list[tuple[str, Published]]:
    """Real news texts: the demo corpus's JSONL articles, then ECB+ dev (when present)."""
    texts: list[tuple[str, Published]] = []
    for path in (DEMO, ECBPLUS_DEV):
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("text"):
                published = record.get("published")
                when = datetime.fromisoformat(published) if published else None
                texts.append((record["text"], when))
    if not texts:
        sys.exit("no texts found: run from a checkout with examples/corpus")
    return texts[:limit] if limit else texts


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="use the first N texts")
    parser.add_argument("--model", default=AnnotateSettings().model)
    parser.add_argument(
        "--components", nargs="+", default=list(COMPONENTS), choices=list(COMPONENTS)
    )
    args = parser.parse_args()

    settings = AnnotateSettings(model=args.model)
    texts = load_texts(args.limit)
    chars = sum(len(text) for text, _ in texts)
    bare = spacy.load(settings.model)
    annotator = Annotator(settings, components=args.components)
    full = annotator.nlp
    # Warm both (first-call allocations, lazy imports) outside the timed rounds.
    list(bare.pipe([t for t, _ in texts[:20]], batch_size=settings.batch_size))
    list(annotator.annotate(texts[:20]))

    bare_times, full_times = [], []
    for _ in range(args.rounds):
        bare_times.append(
            timed(lambda: list(bare.pipe([t for t, _ in texts], batch_size=settings.batch_size)))
        )
        full_times.append(timed(lambda: list(annotator.annotate(texts))))
    bare_best, full_best = min(bare_times), min(full_times)

    print(f"texts: {len(texts)} articles, {chars:,} characters; model {annotator.model_name}")
    print(f"rounds: {args.rounds} (best of each)")
    for label, best in (("bare spaCy", bare_best), ("full annotate", full_best)):
        print(f"{label:15} {len(texts) / best:8.1f} articles/s {chars / best:10,.0f} chars/s")
    print(f"ratio full/bare {bare_best / full_best:8.3f}   (target >= 0.8)")

    # Our components alone, on docs the model has already parsed.
    docs = []
    for text, when in texts:
        doc = bare.make_doc(text)
        doc._.published = when
        docs.append(doc)
    docs = list(bare.pipe(docs, batch_size=settings.batch_size))
    for name in args.components:
        component = full.get_pipe(name)
        seconds = timed(lambda component=component: [component(doc) for doc in docs])
        print(f"  {name:22} {seconds:7.3f} s = {100 * seconds / bare_best:5.1f}% of bare spaCy")


if __name__ == "__main__":
    main()
