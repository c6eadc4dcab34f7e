"""What lead similarity costs: embedding each article's title and lead, against annotating it.

    python benchmarks/dense.py                 # the demo corpus + ECB+ dev texts, 3 rounds
    python benchmarks/dense.py --rounds 5 --limit 200

Prints, from one run on one machine:
- articles/s of the annotate pipeline (``Annotator``) on the texts;
- articles/s of the lead embedder (``storyline.link.dense``: all-MiniLM-L6-v2 int8 on one
  onnxruntime thread) on the same articles' titles and leads;
- the embedder's time as a share of annotation's (an annotated article is embedded once, when
  it is assigned to a story), and the process's peak RSS.

Rounds alternate the two so that machine noise hits both; the best round of each counts.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from annotate import load_texts, timed
from storyline.annotate.pipeline import Annotator
from storyline.config import AnnotateSettings
from storyline.link.dense import LeadEmbedder, lead_text
from storyline.model import Article


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N texts")
    args = parser.parse_args(argv)

    texts = load_texts(args.limit)
    articles = [Article(id=str(i), text=text) for i, (text, _) in enumerate(texts)]
    leads = [lead_text(a) for a in articles]
    annotator = Annotator(AnnotateSettings())
    embedder = LeadEmbedder()
    annotator.nlp  # noqa: B018  (load both models before timing)
    embedder.embed("warm up")

    annotate_times: list[float] = []
    embed_times: list[float] = []
    for _ in range(args.rounds):
        annotate_times.append(timed(lambda: list(annotator.annotate(texts))))
        embed_times.append(timed(lambda: [embedder.embed(lead) for lead in leads]))
    n = len(texts)
    annotate_best, embed_best = min(annotate_times), min(embed_times)
    print(f"texts: {n} (demo corpus + ECB+ dev), rounds: {args.rounds}")
    print(f"annotate pipeline:  {n / annotate_best:8.1f} articles/s")
    print(
        f"lead embedding:     {n / embed_best:8.1f} articles/s "
        f"({1000 * embed_best / n:.1f} ms per article)"
    )
    print(f"embedding / annotation time: {embed_best / annotate_best:.3f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")
    sys.stdout.flush()


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"({time.perf_counter() - start:.0f} s)")
