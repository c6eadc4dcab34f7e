"""Generated data for measuring deduplication: wire-copy variants of real news, and bulk articles.

Two generators, both deterministic for a given seed:

* :func:`build_copy_eval_set` reads real articles from the ECB+ development set (at run time,
  from ``../shared/eval``; nothing of it is copied into the repository) and adds wire-copy
  variants of some of them: another headline, a paragraph trimmed at the start or the end, an
  added local-angle paragraph or credit line, other boilerplate, light copy edits. The ECB+
  documents themselves are the negatives: each topic holds several different articles on the same
  event, the hard case for a copy detector. :func:`evaluate_dedup` scores the "is a copy of"
  decision pairwise.
* :func:`generate_corpus` streams plain synthetic articles with a share of wire copies, for
  throughput benchmarks (no shared data needed).

ECB+ itself contains wire copies: outlets that ran the same agency story. A pair of ECB+
documents counts neither as a positive nor as a negative when at least half of the shorter one's
words lie in verbatim runs of :data:`REUSE_RUN_WORDS` or more words shared with the other
(:func:`natural_reuse_pairs`); the scores report how many such pairs were grouped.
"""

from __future__ import annotations

import json
import random
import re
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations, pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

from storyline.config import DedupSettings
from storyline.dedup.index import MemoryDedupIndex
from storyline.dedup.minhash import MinHashDeduper, words
from storyline.model import Article

ECBPLUS_DEV = Path(__file__).resolve().parents[4] / "shared" / "eval" / "ecbplus" / "dev.jsonl"
"""Where the ECB+ development set is in a checkout with ``../shared`` beside it."""

MIN_TEXT_CHARS = 200
"""Documents shorter than this are left out, as ingest rejects them (``ingest.min_text_chars``)."""
REUSE_RUN_WORDS = 8
REUSE_SHARE = 0.5
"""ECB+ documents reuse each other's text when shared verbatim runs of ``REUSE_RUN_WORDS`` words
cover ``REUSE_SHARE`` of the shorter one."""

OUTLETS = (
    "Meridian Press",
    "Harbor Gazette",
    "Daily Ledger",
    "Northfield Courier",
    "Valley Tribune",
    "Coastline Herald",
    "Riverside Post",
    "Summit Observer",
    "Lakeshore Times",
    "Prairie Sentinel",
)
_TOWNS = ("Ashford", "Brookvale", "Carrow Bay", "Dunmore", "Elmsworth", "Fenwick", "Glenhaven")
_NAMES = ("Ana Ruiz", "Tom Okafor", "Lena Brandt", "Raj Mehta", "Claire Dubois", "Sam Whitlock")
_CREDITS = (
    "This story was provided by {wire}.",
    "{wire} contributed to this report.",
    "Distributed by {wire}; additional reporting by {outlet} staff.",
    "Material from {wire} was used in this report.",
)
_BOILERPLATE = (
    "Copyright {year} {wire}. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed.",
    "Sign up for the {outlet} morning newsletter.",
    "Follow {outlet} for the latest updates on this story.",
    "Advertisement",
    "Share this article",
    "Reporting by {name}; editing by {name2}.",
    "Read more world news from {outlet}.",
    "Have a news tip? Contact the {outlet} newsroom.",
)
_LOCAL_ANGLES = (
    "In {town}, where many residents have family ties to the area, people said they were "
    "following the news closely and waiting for word from relatives.",
    "{name}, a spokesperson for the {town} council, said local services had not been affected "
    "and that officials would share further information as it became available.",
    "Community leaders in {town} planned to hold a meeting on Monday evening to discuss how "
    "the town could offer support.",
    "Businesses in {town} said the reports had already changed the mood on the high street, "
    "although few expected any lasting effect on trade.",
)
_SUBSTITUTIONS = {
    "said": "stated",
    "told": "informed",
    "people": "residents",
    "about": "around",
    "after": "following",
    "before": "ahead of",
    "also": "additionally",
    "but": "however",
    "more than": "over",
    "because": "as",
    "killed": "left dead",
    "however": "but",
    "began": "started",
    "according to": "citing",
    "announced": "revealed",
}
_NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine")
_SUBSTITUTION = re.compile(r"\b(" + "|".join(map(re.escape, _SUBSTITUTIONS)) + r")\b")
_SMALL_NUMBER = re.compile(r"\b([2-9])\b")
_BIG_NUMBER = re.compile(r"\b(\d{1,3})(\d{3})\b")
_PERCENT = re.compile(r"\b(\d+(?:\.\d+)?) ?(?:percent|per cent|%)")


def _fill(template: str, rng: random.Random, *, wire: str, outlet: str) -> str:
    first, second = rng.sample(_NAMES, 2)
    return template.format(
        wire=wire,
        outlet=outlet,
        year=rng.randint(2008, 2024),
        town=rng.choice(_TOWNS),
        name=first,
        name2=second,
    )


def _new_headline(rng: random.Random, headline: str, body: Sequence[str], outlet: str) -> str:
    lead = next((p for p in body if len(p.split()) >= 8), headline).split()
    choice = rng.randrange(4)
    if choice == 0:
        return f"UPDATE {rng.randint(1, 4)}-{headline}"
    if choice == 1:
        return f"{headline.rstrip('. ')} | {outlet}"
    if choice == 2:
        return " ".join(lead[: rng.randint(6, 10)]).rstrip(",;:")
    return f"What we know: {' '.join(lead[: rng.randint(4, 7)]).rstrip(',;:')}"


def _copy_edit(rng: random.Random, text: str) -> str:
    """A few word substitutions, and maybe another quote style and other number formats."""
    spots = list(_SUBSTITUTION.finditer(text))
    chosen = sorted(rng.sample(spots, min(len(spots), rng.randint(1, 4))), key=lambda m: m.start())
    for found in reversed(chosen):
        text = text[: found.start()] + _SUBSTITUTIONS[found.group(1)] + text[found.end() :]
    if rng.random() < 0.5:
        text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    if rng.random() < 0.5:
        text = _BIG_NUMBER.sub(r"\1,\2", text)
        text = _PERCENT.sub(lambda m: m.group(1) + rng.choice((" percent", " per cent", "%")), text)
        text = _SMALL_NUMBER.sub(lambda m: _NUMBER_WORDS[int(m.group(1)) - 2], text, count=2)
    return text


def wire_copy(
    rng: random.Random,
    headline: str,
    body: Sequence[str],
    *,
    outlet: str,
    wire: str = "Meridian Press",
) -> tuple[str, list[str]]:
    """A plausible republication of an article by ``outlet``: ``(headline, paragraphs)``.

    Each edit is applied with some probability (at least one always is): a new headline; a
    paragraph trimmed at the end, or at the start; an added local-angle paragraph or credit line;
    boilerplate lines; light copy edits.
    """
    paragraphs = list(body)
    edits = [rng.random() < p for p in (0.6, 0.5, 0.5, 0.6, 0.6)]
    if not any(edits):
        edits[rng.randrange(len(edits))] = True
    new_headline, trim, extra, boilerplate, copy_edit = edits
    if new_headline:
        headline = _new_headline(rng, headline, paragraphs, outlet)
    if trim and len(paragraphs) >= 4:
        cut = 1 if len(paragraphs) < 12 else rng.randint(1, 3)
        paragraphs = paragraphs[cut:] if rng.random() < 0.3 else paragraphs[:-cut]
    if extra:
        if rng.random() < 0.5:
            added = _fill(rng.choice(_LOCAL_ANGLES), rng, wire=wire, outlet=outlet)
            paragraphs.insert(rng.randint(1, max(1, len(paragraphs))), added)
        else:
            paragraphs.append(_fill(rng.choice(_CREDITS), rng, wire=wire, outlet=outlet))
    if boilerplate:
        for template in rng.sample(_BOILERPLATE, rng.randint(1, 3)):
            line = _fill(template, rng, wire=wire, outlet=outlet)
            paragraphs.insert(0 if rng.random() < 0.25 else len(paragraphs), line)
    if copy_edit:
        paragraphs = _copy_edit(rng, "\n".join(paragraphs)).split("\n")
    return headline, paragraphs


# --- Evaluation set from ECB+ -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CopyEvalSet:
    """Real articles and generated wire copies of some of them, in arrival order."""

    articles: tuple[Article, ...]
    base_of: Mapping[str, str]
    """Article id -> the ECB+ document it is (or copies)."""
    topic_of: Mapping[str, int]
    """ECB+ document id -> its topic."""
    natural_reuse: frozenset[frozenset[str]]
    """Pairs of ECB+ documents that reuse each other's text (unlabeled, see the module doc)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CopyScores:
    """Pairwise scores of the "is a copy of" decision over an evaluation set."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    same_topic_false_positives: int
    """False positives between different articles of the same ECB+ topic (the hard negatives)."""
    negative_pairs: int
    same_topic_negative_pairs: int
    unlabeled_pairs: int
    unlabeled_grouped: int


def load_ecbplus(path: Path = ECBPLUS_DEV) -> list[dict[str, object]]:
    """The ECB+ documents long enough to be ingested, in file order."""
    with path.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    return [d for d in docs if len(str(d["text"])) >= MIN_TEXT_CHARS]


def natural_reuse_pairs(texts: Mapping[str, str]) -> frozenset[frozenset[str]]:
    """Pairs of documents where verbatim shared runs cover at least half of the shorter one."""
    run = REUSE_RUN_WORDS
    tokens = {key: words(text) for key, text in texts.items()}
    owners: dict[tuple[str, ...], set[str]] = {}
    for key, toks in tokens.items():
        for i in range(len(toks) - run + 1):
            owners.setdefault(tuple(toks[i : i + run]), set()).add(key)
    related: set[tuple[str, str]] = set()
    for keys in owners.values():
        if 1 < len(keys) < 50:
            related.update(combinations(sorted(keys), 2))
    reused = set()
    for a, b in related:
        short, long = sorted((tokens[a], tokens[b]), key=len)
        shared = {tuple(long[i : i + run]) for i in range(len(long) - run + 1)}
        covered = [False] * len(short)
        for i in range(len(short) - run + 1):
            if tuple(short[i : i + run]) in shared:
                covered[i : i + run] = [True] * run
        if sum(covered) >= REUSE_SHARE * len(short):
            reused.add(frozenset((a, b)))
    return frozenset(reused)


def build_copy_eval_set(
    path: Path = ECBPLUS_DEV,
    *,
    seed: int = 0,
    copied_share: float = 0.5,
    max_copies: int = 3,
    unknown_date_share: float = 0.1,
) -> CopyEvalSet:
    """Every ECB+ document, plus 1 to ``max_copies`` wire copies of a ``copied_share`` of them.

    Copies are published from two hours before to twelve hours after their original, and
    arrive in random order with everything else; a ``unknown_date_share`` of all articles have no
    publication time.
    """
    rng = random.Random(seed)
    docs = load_ecbplus(path)
    start = datetime(2013, 1, 1, tzinfo=UTC)

    def when(moment: datetime) -> datetime | None:
        return None if rng.random() < unknown_date_share else moment

    articles: list[Article] = []
    base_of: dict[str, str] = {}
    for doc in docs:
        doc_id, lines = str(doc["doc_id"]), str(doc["text"]).split("\n")
        # The first line is a headline (or the page URL) unless it is the lead sentence.
        header = len(lines) > 1 and (lines[0].startswith("http") or len(lines[0].split()) <= 20)
        headline, body = lines[0], lines[1:] if header else lines
        published = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
        text = str(doc["text"])
        articles.append(Article(id=doc_id, text=text, title=headline, published=when(published)))
        base_of[doc_id] = doc_id
        if rng.random() >= copied_share:
            continue
        outlets = rng.sample(OUTLETS, max_copies)
        for n in range(rng.randint(1, max_copies)):
            title, paragraphs = wire_copy(rng, headline, body, outlet=outlets[n])
            copy_id = f"{doc_id}~copy{n + 1}"
            moment = when(published + timedelta(minutes=rng.randint(-120, 720)))
            text = "\n".join([title, *paragraphs] if header else paragraphs)
            articles.append(Article(id=copy_id, text=text, title=title, published=moment))
            base_of[copy_id] = doc_id
    rng.shuffle(articles)
    texts = {str(d["doc_id"]): str(d["text"]) for d in docs}
    return CopyEvalSet(
        articles=tuple(articles),
        base_of=base_of,
        topic_of={str(d["doc_id"]): int(str(d["topic"])) for d in docs},
        natural_reuse=natural_reuse_pairs(texts),
    )


def score_groups(eval_set: CopyEvalSet, group_of: Mapping[str, str]) -> CopyScores:
    """Pairwise precision and recall of ``group_of`` (article id -> copy group) on ``eval_set``."""
    base_of, topic_of, reuse = eval_set.base_of, eval_set.topic_of, eval_set.natural_reuse
    ids = [a.id for a in eval_set.articles]
    tp = fp = same_topic_fp = unlabeled_grouped = 0
    by_group: dict[str, list[str]] = {}
    for article_id in ids:
        by_group.setdefault(group_of[article_id], []).append(article_id)
    for members in by_group.values():
        for a, b in combinations(members, 2):
            base_a, base_b = base_of[a], base_of[b]
            if base_a == base_b:
                tp += 1
            elif frozenset((base_a, base_b)) in reuse:
                unlabeled_grouped += 1
            else:
                fp += 1
                same_topic_fp += topic_of[base_a] == topic_of[base_b]
    by_base: dict[str, int] = {}
    for article_id in ids:
        by_base[base_of[article_id]] = by_base.get(base_of[article_id], 0) + 1
    by_topic: dict[int, int] = {}
    for base, size in by_base.items():
        by_topic[topic_of[base]] = by_topic.get(topic_of[base], 0) + size
    positives = sum(n * (n - 1) // 2 for n in by_base.values())
    unlabeled = sum(by_base[a] * by_base[b] for a, b in (tuple(p) for p in reuse))
    same_topic = sum(n * (n - 1) // 2 for n in by_topic.values()) - positives
    same_topic -= sum(
        by_base[a] * by_base[b] for a, b in (tuple(p) for p in reuse) if topic_of[a] == topic_of[b]
    )
    total = len(ids) * (len(ids) - 1) // 2
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / positives if positives else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CopyScores(
        precision=precision,
        recall=recall,
        f1=f1,
        true_positives=tp,
        false_positives=fp,
        false_negatives=positives - tp,
        same_topic_false_positives=same_topic_fp,
        negative_pairs=total - positives - unlabeled,
        same_topic_negative_pairs=same_topic,
        unlabeled_pairs=unlabeled,
        unlabeled_grouped=unlabeled_grouped,
    )


def evaluate_dedup(eval_set: CopyEvalSet, settings: DedupSettings) -> CopyScores:
    """Run :class:`MinHashDeduper` over the set in arrival order and score its groups."""
    deduper = MinHashDeduper(settings, MemoryDedupIndex())
    group_of = {}
    for article in eval_set.articles:
        group = deduper.add(article).duplicate_group
        assert group is not None
        group_of[article.id] = group
    return score_groups(eval_set, group_of)


# --- Bulk synthetic articles --------------------------------------------------------------------

_COMMON_WORDS = (
    "the of and to a in that is was for on with as by at from it his her their said has have "
    "had be been were are will would not but this they an which who after over more than its "
    "about also into two three new year years people government officials police city state "
    "country week last first told could since when while during before under against between"
)
_ONSETS = "b br c ch d f g gr h k l m n p pr r s sh st t tr v w"
_VOWELS = "a e i o u ai ea io ou"
_CODAS = "- - n r s t l nd st ck m"


def _vocabulary(size: int) -> tuple[list[str], npt.NDArray[np.float64]]:
    """Pseudo-words after real function words, with Zipf-like cumulative weights."""
    rng = random.Random(4242)
    onsets, vowels = _ONSETS.split(), _VOWELS.split()
    codas = [c.strip("-") for c in _CODAS.split()]
    vocab = _COMMON_WORDS.split()
    seen = set(vocab)
    while len(vocab) < size:
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
            for _ in range(rng.choice((1, 2, 2, 3)))
        )
        if word not in seen:
            seen.add(word)
            vocab.append(word)
    cumulative = np.cumsum(1.0 / np.arange(1, size + 1))
    return vocab, cumulative / cumulative[-1]


def _paragraphs(
    rng: np.random.Generator, vocab: list[str], cumulative: npt.NDArray[np.float64], n: int
) -> list[str]:
    """About ``n`` words: sentences of 8-28 words, paragraphs of 1-4 sentences."""
    tokens = [vocab[i] for i in np.searchsorted(cumulative, rng.random(n)).tolist()]
    ends = np.cumsum(rng.integers(8, 29, size=n // 8 + 1)).tolist()
    sentences, start = [], 0
    for end in ends:
        if start >= n:
            break
        sentence = tokens[start:end]
        sentences.append(sentence[0].capitalize() + " " + " ".join(sentence[1:]) + ".")
        start = end
    cuts = [0, *np.cumsum(rng.integers(1, 5, size=len(sentences))).tolist()]
    return [" ".join(sentences[a:b]) for a, b in pairwise(cuts) if a < len(sentences)]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def generate_corpus(
    n: int,
    *,
    seed: int = 0,
    copy_rate: float = 0.2,
    labels: bool = False,
) -> Iterator[dict[str, str | None]]:
    """Stream ``n`` synthetic input articles (the JSONL input contract), a ``copy_rate`` share of
    them wire copies (:func:`wire_copy`) of a recent original by another outlet.

    Each is ``{"id", "url", "source", "title", "text", "published"}`` with 300-700 words of
    text; with ``labels=True`` also ``"copy_of"``: the original's id, or None.

    >>> first = next(generate_corpus(1, seed=7))
    >>> sorted(first)
    ['id', 'published', 'source', 'text', 'title', 'url']
    """
    rng = random.Random(seed)
    words_rng = np.random.default_rng(seed)
    vocab, cumulative = _vocabulary(6000)
    recent: deque[tuple[str, str, list[str], datetime, str]] = deque(maxlen=200)
    clock = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
    for i in range(n):
        clock += timedelta(seconds=rng.randint(10, 300))
        article_id = f"syn{seed}-{i:07d}"
        copy_of = None
        if recent and rng.random() < copy_rate:
            copy_of, headline, body, published, wire = rng.choice(recent)
            source = rng.choice([o for o in OUTLETS if o != wire])
            headline, paragraphs = wire_copy(rng, headline, body, outlet=source, wire=wire)
            published += timedelta(minutes=rng.randint(-60, 720))
        else:
            source, published = rng.choice(OUTLETS), clock
            title_words = rng.sample(vocab, rng.randint(5, 10))
            headline = " ".join(title_words).capitalize()
            paragraphs = _paragraphs(words_rng, vocab, cumulative, rng.randint(300, 700))
            recent.append((article_id, headline, paragraphs, published, source))
        record: dict[str, str | None] = {
            "id": article_id,
            "url": f"https://{_slug(source)}.example/{published:%Y/%m/%d}/{_slug(headline)}-{i}",
            "source": source,
            "title": headline,
            "text": "\n\n".join(paragraphs),
            "published": published.isoformat(),
        }
        if labels:
            record["copy_of"] = copy_of
        yield record


__all__ = [
    "ECBPLUS_DEV",
    "CopyEvalSet",
    "CopyScores",
    "build_copy_eval_set",
    "evaluate_dedup",
    "generate_corpus",
    "load_ecbplus",
    "natural_reuse_pairs",
    "score_groups",
    "wire_copy",
]
