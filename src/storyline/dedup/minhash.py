"""Exact fingerprints and MinHash LSH: find the wire copies in a stream of articles.

A syndicated story reaches us many times: the same agency text under other headlines, trimmed,
with a local paragraph or an outlet's boilerplate added, lightly copy-edited. Such copies form a
*group*; the group's *origin* is its earliest published member, and every other member points to
it with ``duplicate_of``, so a story told by one wire counts once downstream.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from storyline.config import DedupSettings
from storyline.dedup.index import DedupIndex, IndexedArticle, MemoryDedupIndex, MinHashValues
from storyline.model import Article, DuplicateKind, DuplicateMatch

SCHEME_VERSION = 1
"""Bumped whenever fingerprints, shingles, hashing or band keys change meaning."""

MEMBERS_PER_BAND_KEY = 2
"""Members of one group indexed under one band key, at most. One would find the group, but
verifying only the holders of a key then misses some copies closer to a later member than to the
first ones; two keep exactly the groups of verifying every candidate on
``benchmarks/dedup_quality.py`` (thresholds 0.4-0.6, seeds 0-5)."""

MAX_CANDIDATES = 64
"""LSH candidates considered per article: those sharing the most band keys with it."""

MAX_VERIFIED = 12
"""Candidates whose signatures are fetched and compared per article, at most."""

MAX_VERIFIED_PER_GROUP = 3
"""Members of one group verified per article, at most: those sharing the most band keys with it,
so the match reported is its closest member among them (groups are never merged: any member
above the threshold decides the group)."""

_FALSE_POSITIVE_WEIGHT = 0.1
_FALSE_NEGATIVE_WEIGHT = 0.9
"""LSH band layout weights: candidates are verified, so a missed candidate costs far more."""

_CHARACTER_MAP = str.maketrans(
    {
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u301d\u301e", '"'),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2039\u203a\u2032\u0060\u00b4", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"),
    }
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_SHINGLE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def normalize(text: str) -> str:
    """Text as compared for copying: NFKC, casefolded, one style of quote, apostrophe and dash,
    no thousands separators in numbers, whitespace collapsed to single spaces.

    >>> normalize("“Ten  Thousand” — 10,000   people’s")
    '"ten thousand" - 10000 people\\'s'
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CHARACTER_MAP)
    text = _THOUSANDS.sub("", text)
    return _SPACE.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The normalized words of ``text`` (see :func:`normalize`); punctuation only separates them.

    >>> words("Ten-thousand (10,000) fans’ cheers")
    ['ten', 'thousand', '10000', 'fans', 'cheers']
    """
    # Quote, dash and space unification cannot change which runs of word characters there are.
    return _WORD.findall(_THOUSANDS.sub("", unicodedata.normalize("NFKC", text).casefold()))


def fingerprint(text: str | list[str]) -> str:
    """SHA-256 (hex) of the normalized words of a text (or of its :func:`words`): equal for texts
    that differ only in case, spacing, quote and dash style, thousands separators or punctuation.

    >>> fingerprint("It's  “done”.") == fingerprint("it’s \\"done\\"")
    True
    """
    tokens = words(text) if isinstance(text, str) else text
    return hashlib.sha256(" ".join(tokens).encode()).hexdigest()


@lru_cache(maxsize=64)
def lsh_layout(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)`` for LSH over ``num_perm`` values, tuned for ``threshold``.

    Minimizes the weighted probability of a false candidate below the threshold and of a missed
    pair above it (the weights favour recall: every candidate is verified afterwards). The same
    search as datasketch's ``MinHashLSH``, with a fixed integration so that the layout, and
    therefore every stored band key, never depends on the library version.

    >>> lsh_layout(0.5, 128)
    (32, 4)
    """
    steps = 200
    below = (np.arange(steps) + 0.5) * (threshold / steps)
    above = threshold + (np.arange(steps) + 0.5) * ((1.0 - threshold) / steps)
    best, layout = float("inf"), (1, 1)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_candidate = 1.0 - (1.0 - below**rows) ** bands
            missed = (1.0 - above**rows) ** bands
            error = _FALSE_POSITIVE_WEIGHT * float(false_candidate.mean()) * threshold
            error += _FALSE_NEGATIVE_WEIGHT * float(missed.mean()) * (1.0 - threshold)
            if error < best:
                best, layout = error, (bands, rows)
    return layout


@dataclass(frozen=True, slots=True)
class Signature:
    """A text's MinHash values and the LSH band keys derived from them."""

    values: MinHashValues
    band_keys: tuple[bytes, ...]
    """Empty for a text without words: such a text can only be an exact copy."""


@dataclass(frozen=True, slots=True)
class PreparedText:
    """What deduplication computes from a text alone (:meth:`MinHashDeduper.prepare`): done
    ahead of time, outside the store's write transaction."""

    fingerprint: str
    signature: Signature


@dataclass(frozen=True, slots=True, kw_only=True)
class DedupOutcome:
    """What :meth:`MinHashDeduper.dedupe` decided for one article."""

    article: Article
    """The article with ``duplicate_of`` (the origin's id; None for the origin itself) and
    ``duplicate_group`` set."""
    match: DuplicateMatch | None = None
    """Why it joined an existing group: the stored article it copies (``match.origin_id``: the
    closest stored member, not necessarily the group's origin), how, and how closely. None when
    the article starts a group or was already indexed."""
    repointed_from: str | None = None
    """Set when the article is published before its group's origin and took its place: the
    previous origin's id. ``index.set_origin`` has been called; a store whose index does not
    update stored articles itself must point the group's other members to the new origin."""
    already_indexed: bool = False
    """The article's id was already in the index: nothing was added, and ``article`` shows the
    grouping on record."""

    @property
    def is_duplicate(self) -> bool:
        return self.article.duplicate_of is not None


def _identity(value: object) -> object:
    return value


def _sort_key(entry: IndexedArticle) -> tuple[bool, datetime | None, int]:
    """Earliest first: known publication times before unknown ones, then arrival order."""
    return (entry.published is None, entry.published, entry.arrival)


class MinHashDeduper:
    """Groups exact and near copies of articles, remembering what it saw in a :class:`DedupIndex`.

    Exact copies share a :func:`fingerprint`. Near copies are found with MinHash LSH over word
    shingles: articles sharing a band key are candidates, and a candidate is a copy when the
    estimated Jaccard similarity of the two shingle sets reaches ``settings.threshold``.

    The work per article is bounded whatever the size of its copy group (a wire story may be
    republished by hundreds of outlets). A member joining a group is indexed only under the band
    keys that fewer than :data:`MEMBERS_PER_BAND_KEY` of its group are indexed under, so a
    bucket holds a bounded number of members per group. Candidates are ranked by the band keys
    they share with the article, their group's total first (a similarity estimate that costs
    nothing), and at most :data:`MAX_VERIFIED` of them, :data:`MAX_VERIFIED_PER_GROUP` per
    group, are verified against their stored signatures, fetched in one look-up.

    >>> from storyline.config import DedupSettings
    >>> deduper = MinHashDeduper(DedupSettings())
    >>> text = "The river rose two metres overnight and the old bridge was closed. " * 3
    >>> deduper.add(Article(id="a", text=text, source="Harbor Gazette")).duplicate_of is None
    True
    >>> copy = deduper.dedupe(Article(id="b", text=text.upper(), source="Daily Ledger"))
    >>> copy.article.duplicate_of, copy.article.duplicate_group, copy.match.kind.value
    ('a', 'a', 'exact')
    """

    _WORD_CACHE_LIMIT = 500_000

    def __init__(self, settings: DedupSettings, index: DedupIndex | None = None) -> None:
        self.settings = settings
        self.index: DedupIndex = index if index is not None else MemoryDedupIndex()
        self.bands, self.rows = lsh_layout(settings.threshold, settings.num_perm)
        self._permutations = MinHash(
            num_perm=settings.num_perm, seed=settings.seed, scheme="affine64"
        ).permutations
        self._salt = hashlib.blake2b(self.scheme.encode()).digest()
        self._word_hashes: dict[str, int] = {}

    @property
    def scheme(self) -> str:
        """Everything signatures and band keys depend on. Band keys are salted with it, so entries
        made under another scheme are never candidates; a store may keep it to warn when the
        settings of an existing store change.
        """
        s = self.settings
        return (
            f"storyline-minhash-v{SCHEME_VERSION}:perm={s.num_perm}:seed={s.seed}"
            f":shingle={s.shingle_words}:bands={self.bands}x{self.rows}"
        )

    def fingerprint(self, text: str) -> str:
        """The exact-copy fingerprint of ``text`` (see :func:`fingerprint`)."""
        return fingerprint(text)

    def signature(self, text: str | list[str]) -> Signature:
        """MinHash of the word shingles of a text (or of its :func:`words`), and its band keys.

        Shingle hashes are built from BLAKE2b word hashes, so values and keys are the same in
        every process and run.
        """
        tokens = words(text) if isinstance(text, str) else text
        minhash = MinHash(
            num_perm=self.settings.num_perm,
            seed=self.settings.seed,
            scheme="affine64",
            hashfunc=_identity,
            permutations=self._permutations,
        )
        if not tokens:
            return Signature(minhash.hashvalues, ())
        cache = self._word_hashes
        if len(cache) > self._WORD_CACHE_LIMIT:
            cache.clear()
        for word in set(tokens).difference(cache):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            cache[word] = int.from_bytes(digest, "little")
        hashed = np.fromiter(map(cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
        size = self.settings.shingle_words
        count = max(1, len(tokens) - size + 1)
        shingles = hashed[:count].copy()
        for offset in range(1, min(size, len(tokens))):
            shingles = shingles * _SHINGLE_MULTIPLIER + hashed[offset : offset + count]
        minhash.update_batch(shingles)
        values: MinHashValues = minhash.hashvalues
        return Signature(values, self._band_keys(values))

    def _band_keys(self, values: MinHashValues) -> tuple[bytes, ...]:
        """One 16-byte key per band: a BLAKE2b digest of the scheme, band number and its rows."""
        raw = values.astype("<u8", copy=False).tobytes()
        width = 8 * self.rows
        return tuple(
            hashlib.blake2b(
                raw[band * width : (band + 1) * width],
                digest_size=16,
                key=self._salt,
                person=band.to_bytes(2, "little"),
            ).digest()
            for band in range(self.bands)
        )

    @staticmethod
    def similarity(a: MinHashValues, b: MinHashValues) -> float:
        """Estimated Jaccard similarity of two signatures: the share of equal MinHash values."""
        return float(np.count_nonzero(a == b)) / len(a)

    def add(self, article: Article) -> Article:
        """Index ``article`` and return it with ``duplicate_of`` and ``duplicate_group`` set.

        Shorthand for ``dedupe(article).article``.
        """
        return self.dedupe(article).article

    def prepare(self, text: str) -> PreparedText:
        """The exact-copy fingerprint and the signature of ``text``: the CPU part of
        :meth:`dedupe`, which needs no index."""
        tokens = words(text)
        return PreparedText(fingerprint(tokens), self.signature(tokens))

    def dedupe(self, article: Article, prepared: PreparedText | None = None) -> DedupOutcome:
        """Group ``article`` with the copies already indexed, index it, and say what happened.

        Exact copies are found first; otherwise the most similar verified LSH candidate decides
        the group (groups are never merged). The group's origin is its earliest member by
        publication time (unknown times after known ones, ties by arrival): a copy published
        before the current origin takes its place (see :attr:`DedupOutcome.repointed_from`). An
        article whose id is already indexed is not added again. ``prepared``: the text's
        :meth:`prepare`, when computed ahead.
        """
        known = self.index.entry(article.id)
        if known is not None:
            origin = None if known.origin == known.article_id else known.origin
            stored = replace(article, duplicate_of=origin, duplicate_group=known.group)
            return DedupOutcome(article=stored, already_indexed=True)

        if prepared is None:
            prepared = self.prepare(article.text)
        fp, sig = prepared.fingerprint, prepared.signature
        match, matched = self._best_match(article.id, sig, self.index.find_exact(fp))
        group = matched.group if matched is not None else article.id
        origin = matched.origin if matched is not None else article.id
        band_keys = sig.band_keys
        if matched is not None and band_keys:
            # A few members per group and key find the group: buckets do not grow with copies.
            held = self.index.group_band_keys(group, band_keys, at_least=MEMBERS_PER_BAND_KEY)
            band_keys = tuple(key for key in band_keys if key not in held)
        entry = self.index.add(
            article_id=article.id,
            published=article.published,
            fingerprint=fp,
            band_keys=band_keys,
            signature=sig.values,
            group=group,
            origin=origin,
        )
        if matched is None:
            return DedupOutcome(article=replace(article, duplicate_of=None, duplicate_group=group))
        current = matched if matched.article_id == origin else self.index.entry(origin)
        if current is not None and _sort_key(entry) < _sort_key(current):
            self.index.set_origin(group, article.id)
            stored = replace(article, duplicate_of=None, duplicate_group=group)
            return DedupOutcome(article=stored, match=match, repointed_from=origin)
        stored = replace(article, duplicate_of=origin, duplicate_group=group)
        return DedupOutcome(article=stored, match=match)

    def _best_match(
        self, article_id: str, sig: Signature, exact: IndexedArticle | None
    ) -> tuple[DuplicateMatch | None, IndexedArticle | None]:
        """The exact copy, else the most similar verified candidate at or above the threshold
        (ties: the earliest arrival)."""
        if exact is not None:
            kind, best, matched = DuplicateKind.EXACT, 1.0, exact
        else:
            kind, best, matched = DuplicateKind.NEAR, 0.0, None
            chosen = self._to_verify(sig.band_keys)
            stored = self.index.signatures([entry.article_id for entry in chosen])
            for entry in chosen:
                score = self.similarity(sig.values, stored[entry.article_id])
                if score >= self.settings.threshold and score > best:
                    best, matched = score, entry
        if matched is None:
            return None, None
        match = DuplicateMatch(
            article_id=article_id, origin_id=matched.article_id, kind=kind, similarity=best
        )
        return match, matched

    def _to_verify(self, band_keys: tuple[bytes, ...]) -> list[IndexedArticle]:
        """The candidates worth verifying, in arrival order.

        Groups are taken by the band keys their members share with the article (together: a
        copy's keys are spread over its group), most first; within a group, the members sharing
        the most keys, ties by arrival (the group's first members hold most of its keys).
        """
        ranked = self.index.ranked_candidates(band_keys, limit=MAX_CANDIDATES)
        members: dict[str, list[IndexedArticle]] = {}
        shared: Counter[str] = Counter()
        for entry, count in ranked:  # most shared first, ties by arrival
            members.setdefault(entry.group, []).append(entry)
            shared[entry.group] += count
        order = sorted(members, key=lambda g: (-shared[g], min(e.arrival for e in members[g])))
        chosen = [e for g in order for e in members[g][:MAX_VERIFIED_PER_GROUP]][:MAX_VERIFIED]
        return sorted(chosen, key=lambda entry: entry.arrival)


__all__ = [
    "MAX_CANDIDATES",
    "MAX_VERIFIED",
    "MAX_VERIFIED_PER_GROUP",
    "MEMBERS_PER_BAND_KEY",
    "DedupOutcome",
    "MinHashDeduper",
    "Signature",
    "fingerprint",
    "lsh_layout",
    "normalize",
    "words",
]
