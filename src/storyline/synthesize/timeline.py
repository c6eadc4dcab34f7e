"""A story's timeline: its resolved dates, merged across articles into dated happenings.

Every DATE time expression with a calendar value (a day ``2024-03-06``, an ISO week
``2024-W10``, a month ``2024-03`` or a year ``2024``), and every TIME expression on a resolved day
(``2024-03-06TMO``), becomes a *mention*: its date, the clause around it (the evidence span) and
that clause's *event words*. Unresolved values (``PAST_REF``, ``XXXX-WXX-2``), durations, sets,
quarters, seasons and decades are left out, and so are datelines ("LONDON, March 6 (Reuters) —")
and a page's "Published ..."/"Updated ..." lines, which restate the publication day without
saying what happened, and the current year named relative to publication ("a 9 percent rise
this year"), which qualifies a figure rather than dating a happening. So are headings (a
sub-head names a topic); list items are sentences of their own (:mod:`storyline.text`).

The clause. A sentence with one date is one mention: the sentence, or the clause holding the date
when a semicolon or an unpaired dash splits it (a parenthesis between dashes stays). A sentence
with several dates is cut into clauses (at semicolons, dashes, a comma before "and", "but",
"after", "when"..., and around relative clauses ", who ...,"), and each date gets its own: "Nurses
walked out on Tuesday, and the hospital cancelled operations on Wednesday" gives two mentions.

Merge rule. Two mentions describe the same happening when their dates are compatible (equal, or
the coarser period holds the finer one: "in March" holds 2024-03-06) and their event words are
similar: the idf-weighted cosine similarity (:func:`event_similarity`) of the clauses' content
words (:func:`storyline.link.features.tokens`, month names and numbers out) and the corpus ids of
the entities they name reaches :data:`SAME_EVENT`. Content words count by sense
(:mod:`storyline.synthesize.event_lexicon`): "launched their operation to retake the town" and
"began their offensive to recapture the town" say the same in other words. The idf is taken
over the sentences of the story, so the words every report repeats ("port", "strike") weigh
little and the words that say what happened ("walked", "collapsed") weigh most. Mentions are
merged finest first: each day's mentions are clustered within that day, then week, month and
year mentions join the most similar compatible cluster of a finer or equal date, or found their
own; a coarser mention needs :data:`COARSER_STEP` more similarity per precision step. An entry
keeps the finest date of its cluster, cites every mention (wire copies included: they are where
a reader saw it), and shows the text of its most central mention at that date whose date is in
a main clause (the earliest on ties).

Cost. Clusters are indexed by date bucket (day, month, year) and event word; a mention looks
up its bucket through its :data:`QUERY_WORDS` rarest words and is compared with at most
:data:`MAX_CANDIDATES` of the clusters found (those sharing most words first) and, in each, at
most :data:`MAX_REPRESENTATIVES` members with distinct words: the work per mention is bounded,
so it grows linearly with the number of mentions, plus the sort.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from storyline.link.features import tokens
from storyline.model import (
    Article,
    DatePrecision,
    Evidence,
    StoryMaterial,
    TimelineEntry,
    Timex,
    TimexType,
)
from storyline.synthesize.event_lexicon import event_sense, rewrite_phrases
from storyline.text import SentenceIndex

__all__ = [
    "MAX_CANDIDATES",
    "SAME_EVENT",
    "EventWords",
    "build_timeline",
    "dateline_end",
    "event_similarity",
    "event_words",
    "weighted_norm",
]

SAME_EVENT = 0.25
"""Least idf-weighted cosine similarity of two mentions' event words for one happening, when
their dates have the same precision."""

COARSER_STEP = 0.1
"""Added to :data:`SAME_EVENT` for each precision step between a mention and the cluster it
would join: "in March" must say more clearly than "on Wednesday" that it is the same happening,
and a year even more so."""

MAX_CANDIDATES = 64
"""Clusters a mention is compared with, at most (those sharing most of its rarest words)."""

QUERY_WORDS = 12
"""A mention looks for clusters through this many of its words, the rarest in the story."""

MAX_REPRESENTATIVES = 8
"""Members of a cluster a mention is compared with, at most (its first ones with distinct
words)."""

MIN_SHARED_WORDS = 2
"""Two clauses that share one word only ("the ministry said ..." and "the ministry reported
...") say nothing alike about what happened, however rare that word: no merge."""

MIN_EVENT_WORDS = 2
"""A clause with fewer event words than this says nothing that happened: no entry."""

MAX_TEXT_CHARS = 320
"""An entry's text longer than this is cut at a word boundary (with an ellipsis)."""

_PRECISION_RANK = {
    DatePrecision.DAY: 0,
    DatePrecision.WEEK: 1,
    DatePrecision.MONTH: 2,
    DatePrecision.YEAR: 3,
}
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T.*)?")
_WEEK = re.compile(r"(\d{4})-W(\d{2})(?:-WE)?")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"\d{4}")
# Words that name the date itself, not the happening: they would make every "March" sentence
# look alike.
_DATE_WORDS = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec morning afternoon evening night tonight
    overnight earlier
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
# A dateline: up to a few capitalised words, an optional date and outlet, then a dash.
_DATELINE = re.compile(r"[^\n.!?]{0,100}?\s(?:—|–|--|-)\s")
_CLAUSE_BREAK = re.compile(r";\s+|\s+[—–]\s+|\s+--\s+")
_DASH = re.compile(r"\s+[—–]\s+|\s+--\s+")
_SENTENCE_BREAK = re.compile(
    r";\s+|\s+[—–]\s+|\s+--\s+|,\s+(?=(?:and|but|while|whereas|after|before|when|until|as)\s)"
)
_ASIDE = re.compile(r",\s+(?P<aside>(?:who|which|whose|where)\s[^,;—–]*?),(?=\s)")
_CONNECTIVE = re.compile(r"^(?:and|but|while|whereas)\s+(?:that\s+)?", re.IGNORECASE)
_BOILERPLATE_LINE = re.compile(r"^\s*(?:published|updated|posted|last modified)\b", re.I)


@dataclass(frozen=True, slots=True)
class _Period:
    """A calendar period: its ISO value, precision and first and last day."""

    value: str
    precision: DatePrecision
    first: date
    last: date

    def holds(self, other: _Period) -> bool:
        return self.first <= other.first and other.last <= self.last


def _period(timex: Timex) -> _Period | None:
    """The calendar period a timex names, None when it names none (durations, unresolved)."""
    if timex.type not in (TimexType.DATE, TimexType.TIME):
        return None
    value = timex.value
    try:
        if m := _DAY.fullmatch(value):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return _Period(day.isoformat(), DatePrecision.DAY, day, day)
        if timex.type is TimexType.TIME:
            return None
        if m := _WEEK.fullmatch(value):
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            week = f"{m[1]}-W{m[2]}"
            return _Period(week, DatePrecision.WEEK, monday, monday + timedelta(days=6))
        if m := _MONTH.fullmatch(value):
            first = date(int(m[1]), int(m[2]), 1)
            nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return _Period(value, DatePrecision.MONTH, first, nxt - timedelta(days=1))
        if _YEAR.fullmatch(value):
            year = int(value)
            return _Period(value, DatePrecision.YEAR, date(year, 1, 1), date(year, 12, 31))
    except ValueError:
        return None
    return None


@dataclass(frozen=True, slots=True)
class EventWords:
    """What a clause says happened: its content words and the corpus entities it names."""

    words: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.words)


def _content_words(text: str) -> frozenset[str]:
    return frozenset(
        event_sense(w)
        for w in tokens(rewrite_phrases(text))
        if w not in _DATE_WORDS and not w.isdigit()
    )


def event_words(
    text: str,
    *,
    entity_ids: Iterable[str] = (),
    drop: Iterable[str] = (),
    cache: dict[str, frozenset[str]] | None = None,
) -> EventWords:
    """The event words of ``text``: the senses (lemmas, news synonyms:
    :func:`~storyline.synthesize.event_lexicon.event_sense`) of its content words, no month
    names or numbers, and ``@``-prefixed entity ids, less the words of the pieces in ``drop``
    (the date). ``cache`` keeps the words of texts already seen (a story repeats its sentences
    in wire copies).

    >>> sorted(event_words("Dockworkers walked out on March 6.").words)
    ['dockworker', 'walk']
    >>> sorted(event_words("Troops launched their operation to retake the town").words)
    ['begin', 'offensiv', 'retak', 'town', 'troop']
    """
    store = cache if cache is not None else {}

    def words_of(piece: str) -> frozenset[str]:
        found = store.get(piece)
        if found is None:
            found = store[piece] = _content_words(piece)
        return found

    words = set(words_of(text))
    for piece in drop:
        words -= words_of(piece)
    words.update("@" + e for e in entity_ids)
    return EventWords(frozenset(words))


def weighted_norm(words: EventWords, idf: Mapping[str, float], *, unknown: float = 1.0) -> float:
    """The length of ``words`` as an idf-weighted vector (each word counts once); words missing
    from ``idf`` weigh ``unknown``."""
    return math.sqrt(sum(idf.get(w, unknown) ** 2 for w in words.words))


def event_similarity(
    a: EventWords,
    b: EventWords,
    idf: Mapping[str, float],
    *,
    unknown: float = 1.0,
    norms: tuple[float, float] | None = None,
) -> float:
    """Cosine similarity of the two word sets weighted by idf (each word counts once).

    Words missing from ``idf`` weigh ``unknown``; ``norms`` are the sets' :func:`weighted_norm`
    when the caller keeps them (comparing one set with many).

    >>> round(event_similarity(event_words("ships wait"), event_words("ships wait"), {}), 6)
    1.0
    """
    shared = a.words & b.words
    if not shared:
        return 0.0
    if norms is None:
        norms = (
            weighted_norm(a, idf, unknown=unknown),
            weighted_norm(b, idf, unknown=unknown),
        )
    dot = sum(idf.get(w, unknown) ** 2 for w in shared)
    return min(dot / (norms[0] * norms[1]), 1.0)


@dataclass(slots=True)
class _Mention:
    period: _Period
    evidence: Evidence
    text: str
    words: EventWords
    order: tuple[int, int]
    """(article position in the story, offset): the tie-breaker that keeps output stable."""
    main: bool
    norm: float


@dataclass(slots=True)
class _Cluster:
    period: _Period
    members: list[_Mention] = field(default_factory=list)
    representatives: list[_Mention] = field(default_factory=list)
    """Members with distinct words, the first :data:`MAX_REPRESENTATIVES`: what a new mention
    is compared with (wire copies and repeated sentences add nothing to compare)."""

    def add(self, mention: _Mention) -> bool:
        """Add a member; True when it became a representative (its words are new here)."""
        self.members.append(mention)
        if len(self.representatives) < MAX_REPRESENTATIVES and all(
            r.words != mention.words for r in self.representatives
        ):
            self.representatives.append(mention)
            return True
        return False


def dateline_end(text: str) -> int:
    """Where the dateline of an article ends ("CALDER, Valdoria (Meridian Press) — "), 0 if
    it has none. A dateline is a short, sentence-free prefix of the first line that is not the
    page's own "Published ..." or "Updated ..." line.

    >>> text = "NORRVIK, March 6 (Coastal Post) — Nurses walked out."
    >>> text[dateline_end(text):]
    'Nurses walked out.'
    """
    start = 0
    while _BOILERPLATE_LINE.match(text, start) or text[start : start + 1].isspace():
        newline = text.find("\n", start)
        if newline < 0:
            return 0
        start = newline + 1
    m = _DATELINE.match(text, start)
    if m is None or "\n" in m.group() or len(m.group().split()) > 12:
        return 0
    head = m.group()
    letters = [c for c in head if c.isalpha()]
    # Datelines are place names and outlets: mostly capitalised words, often upper case.
    capitals = sum(1 for w in head.split() if w[:1].isupper() or w[:1] in "(0123456789")
    if not letters or capitals < len(head.split()) * 0.6:
        return 0
    return m.end()


def _dash_pairs(text: str, start: int, end: int) -> list[tuple[re.Match[str], re.Match[str]]]:
    """Dashes that set off a parenthesis ("the barrier — aluminium panels — held"), in pairs."""
    dashes = list(_DASH.finditer(text, start, end))
    return [(dashes[i], dashes[i + 1]) for i in range(0, len(dashes) - 1, 2)]


def _clause(text: str, sentence_start: int, sentence_end: int, timex: Timex) -> tuple[int, int]:
    """The span of the clause that carries ``timex``: its sentence, cut at semicolons and
    unpaired dashes when the piece holding the date still says something on its own, or the
    parenthesis between two dashes when the date is in it."""
    for first, second in _dash_pairs(text, sentence_start, sentence_end):
        if first.end() <= timex.start and timex.end <= second.start():
            inside = _strip(text, first.end(), second.start())
            if len(text[inside[0] : inside[1]].split()) >= 6:
                return inside
    paired = {m.start() for pair in _dash_pairs(text, sentence_start, sentence_end) for m in pair}
    start, end = sentence_start, sentence_end
    for m in _CLAUSE_BREAK.finditer(text, sentence_start, sentence_end):
        if m.start() in paired:
            continue
        if m.end() <= timex.start:
            candidate = (m.end(), end)
        elif m.start() >= timex.end:
            candidate = (start, m.start())
        else:
            continue
        if len(text[candidate[0] : candidate[1]].split()) >= 6:
            start, end = candidate
    return _strip(text, start, end)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " ,;:":
        start += 1
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    return start, end


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int
    aside: bool
    """A relative clause set off by commas (", who walked out in March,") or a parenthesis
    between dashes: removable."""


def _pieces(text: str, start: int, end: int) -> list[_Piece]:
    """A sentence cut into clauses: at semicolons, dashes, a comma before a conjunction
    (", and", ", but", ", after", ", when"...), and around comma-bounded relative clauses and
    dash-bounded parentheses (asides)."""
    cuts: list[tuple[int, int, bool]] = []  # (cut start, next piece start, next is an aside)
    pairs = _dash_pairs(text, start, end)
    paired = {m.start() for pair in pairs for m in pair}
    for first, second in pairs:
        cuts.append((first.start(), first.end(), True))
        cuts.append((second.start(), second.end(), False))
    for m in _SENTENCE_BREAK.finditer(text, start, end):
        if m.start() not in paired:
            cuts.append((m.start(), m.end(), False))
    for m in _ASIDE.finditer(text, start, end):
        cuts.append((m.start(), m.start("aside"), True))
        cuts.append((m.end("aside"), m.end(), False))
    pieces: list[_Piece] = []
    begin, aside = start, False
    for cut, resume, next_aside in sorted(cuts):
        if cut < begin:
            continue
        a, b = _strip(text, begin, cut)
        if b > a:
            pieces.append(_Piece(a, b, aside))
        begin, aside = resume, next_aside
    a, b = _strip(text, begin, end)
    if b > a:
        pieces.append(_Piece(a, b, aside))
    return pieces


def _spans_for(
    pieces: Sequence[_Piece], own: set[int], other: set[int]
) -> tuple[tuple[int, int], list[int]]:
    """For one date of a sentence that names several: the evidence span (its own clauses, and
    the subject before a relative clause) and the clauses that make up its text (those, and the
    main clauses before them that hold no other date)."""
    first, last = min(own), max(own)
    if pieces[first].aside and first > 0 and first - 1 not in other:
        first -= 1  # "Nurses at the hospital, who walked out in March": keep the subject
    evidence = (pieces[first].start, pieces[last].end)
    parts = [
        i
        for i, p in enumerate(pieces)
        if first <= i <= last or (i < first and i not in other and not p.aside)
    ]
    return evidence, parts


def _compose(text: str, pieces: Sequence[_Piece], parts: Sequence[int]) -> str:
    """Clauses put together as one sentence: neighbours joined as written, a gap closed with
    a space, a leading connective ("and that") dropped, the first letter capitalised."""
    joined = ""
    for n, i in enumerate(parts):
        if n:
            before = parts[n - 1]
            joined += text[pieces[before].end : pieces[i].start] if i == before + 1 else " "
        joined += text[pieces[i].start : pieces[i].end]
    joined = _CONNECTIVE.sub("", joined.strip(" ,;:"), count=1)
    return joined[:1].upper() + joined[1:]


def _trim(text: str) -> str:
    """An entry's text: spacing normalised, a quote mark the sentence splitter left unmatched
    dropped, the first letter capitalised, cut at :data:`MAX_TEXT_CHARS`."""
    text = " ".join(text.split())
    for opening, closing in (('"', '"'), ("“", "”")):
        if text.startswith(opening) and text.count(closing) < 2 - (opening != closing):
            text = text[1:]
        if text.endswith(closing) and text.count(opening) < 2 - (opening != closing):
            text = text[:-1]
    # A clause cut after a semicolon starts in lower case; the entry is a sentence of its own.
    text = text[:1].upper() + text[1:]
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_TEXT_CHARS - 1)
    return text[: cut if cut > 0 else MAX_TEXT_CHARS - 1].rstrip(" ,;:") + "…"


@dataclass(slots=True)
class _Found:
    period: _Period
    evidence: Evidence
    text: str
    text_spans: list[tuple[int, int]]
    order: tuple[int, int]
    main: bool
    """Whether its text is a main clause (not only a relative clause about something else)."""


def _sentence_mentions(
    article: Article,
    position: int,
    start: int,
    end: int,
    dated: Sequence[tuple[Timex, _Period]],
) -> list[_Found]:
    """One mention per distinct date of a sentence. With one date, the mention is the sentence
    (or its clause, see :func:`_clause`); with several, each date gets its own clauses."""
    text = article.text
    periods: dict[_Period, list[Timex]] = {}
    for timex, period in dated:
        periods.setdefault(period, []).append(timex)
    if len(periods) == 1:
        ((period, timexes),) = periods.items()
        a, b = _clause(text, start, end, timexes[0])
        evidence = Evidence(article_id=article.id, start=a, end=b)
        order = (position, timexes[0].start)
        return [_Found(period, evidence, text[a:b], [(a, b)], order, True)]
    pieces = _pieces(text, start, end)

    def holding(timexes: Iterable[Timex]) -> set[int]:
        return {i for i, p in enumerate(pieces) for t in timexes if p.start <= t.start < p.end}

    found = []
    for period, timexes in periods.items():
        own = holding(timexes)
        other = holding(t for p, ts in periods.items() if p != period for t in ts) - own
        if not own:
            continue
        (a, b), parts = _spans_for(pieces, own, other)
        evidence = Evidence(article_id=article.id, start=a, end=b)
        order = (position, timexes[0].start)
        spans = [(pieces[i].start, pieces[i].end) for i in parts]
        main = not all(pieces[i].aside for i in own)
        composed = _compose(text, pieces, parts)
        found.append(_Found(period, evidence, composed, spans, order, main))
    return found


def _mentions(material: StoryMaterial) -> tuple[list[_Mention], _Weights]:
    """Every dated mention of the story, and the idf of event words over its sentences."""
    found: list[tuple[_Found, list[str], list[str]]] = []
    cache: dict[str, frozenset[str]] = {}
    in_story = {a.id for a in material.articles}
    df: Counter[str] = Counter()
    sentence_count = 0
    for position, article in enumerate(material.articles):
        annotations = material.annotations.get(article.id)
        index = SentenceIndex(article.text)
        if article.duplicate_of not in in_story:
            # Copies would count their origin's words twice.
            for span in index.spans:
                df.update(event_words(span.text, cache=cache).words)
            sentence_count += len(index.spans)
        if annotations is None:
            continue
        names = material.entity_names.get(article.id, {})
        skip_to = dateline_end(article.text)
        by_sentence: dict[tuple[int, int], list[tuple[Timex, _Period]]] = {}
        for timex in annotations.timexes:
            period = _period(timex)
            if period is None or timex.start < skip_to or _is_boilerplate(article, timex):
                continue
            if _is_current_year(article, timex, period):
                continue
            sentence = index.containing(timex.start)
            # A heading names a topic ("The October offensive"), not what happened.
            if sentence is not None and not index.is_heading(sentence):
                key = (max(sentence.start, skip_to), sentence.end)
                by_sentence.setdefault(key, []).append((timex, period))
        for (start, end), dated in by_sentence.items():
            for item in _sentence_mentions(article, position, start, end, dated):
                spans = item.text_spans
                ids = [
                    names[e.canonical]
                    for e in annotations.entities
                    if e.canonical in names and any(a <= e.start < b for a, b in spans)
                ]
                dates = [
                    t.text for t in annotations.timexes if any(a <= t.start < b for a, b in spans)
                ]
                found.append((item, ids, dates))
    n = max(sentence_count, 1)
    # Words never counted (entity ids, words of copies only) weigh as the rarest: naming the
    # same actor is strong evidence of the same happening.
    idf = {w: 1.0 + math.log(n / c) for w, c in df.items()}
    rarest = 1.0 + math.log(n)
    mentions = []
    for item, ids, dates in found:
        words = event_words(item.text, entity_ids=ids, drop=dates, cache=cache)
        if len(words.words) < MIN_EVENT_WORDS:
            continue
        norm = weighted_norm(words, idf, unknown=rarest)
        mentions.append(
            _Mention(item.period, item.evidence, item.text, words, item.order, item.main, norm)
        )
    return mentions, _Weights(idf, rarest)


def _is_current_year(article: Article, timex: Timex, period: _Period) -> bool:
    """ "This year", "earlier this year": the year of publication, named relative to it. Such
    phrases qualify a figure ("a 9 percent rise this year") far more often than they date a
    happening, and an entry dated only by the current year tells a reader nothing."""
    return (
        period.precision is DatePrecision.YEAR
        and article.published is not None
        and article.published.year == period.first.year
        and not any(c.isdigit() for c in timex.text)
    )


def _is_boilerplate(article: Article, timex: Timex) -> bool:
    """A "Published March 6, 2024" or "Updated ..." line: the page's own date, not an event."""
    line_start = article.text.rfind("\n", 0, timex.start) + 1
    return _BOILERPLATE_LINE.match(article.text, line_start) is not None


@dataclass(frozen=True, slots=True)
class _Weights:
    idf: Mapping[str, float]
    unknown: float


def _similarity(mention: _Mention, cluster: _Cluster, weights: _Weights) -> float:
    """The best similarity of ``mention`` to a representative of ``cluster`` that shares at
    least :data:`MIN_SHARED_WORDS` event words with it."""
    return max(
        (
            event_similarity(
                mention.words,
                member.words,
                weights.idf,
                unknown=weights.unknown,
                norms=(mention.norm, member.norm),
            )
            for member in cluster.representatives
            if len(mention.words.words & member.words.words) >= MIN_SHARED_WORDS
        ),
        default=0.0,
    )


def _months(period: _Period) -> list[tuple[str, int, int]]:
    months = {(period.first.year, period.first.month), (period.last.year, period.last.month)}
    return [("m", y, m) for y, m in sorted(months)]


def _scopes(period: _Period) -> list[tuple[object, ...]]:
    """The date buckets a cluster at ``period`` is found in: its day, months and years."""
    years: list[tuple[object, ...]] = [
        ("y", y) for y in sorted({period.first.year, period.last.year})
    ]
    if period.precision is DatePrecision.YEAR:
        return years
    day: list[tuple[object, ...]] = (
        [("d", period.first)] if period.precision is DatePrecision.DAY else []
    )
    return day + list(_months(period)) + years


def _lookup(period: _Period) -> list[tuple[object, ...]]:
    """The buckets a mention at ``period`` looks in for clusters it may join."""
    if period.precision is DatePrecision.DAY:
        return [("d", period.first)]
    if period.precision is DatePrecision.YEAR:
        return [("y", period.first.year)]
    return list(_months(period))


class _Index:
    """Clusters by date bucket and event word: a mention meets only the clusters of its bucket
    that share one of its rarest words, so its cost does not grow with the story."""

    def __init__(self, weights: _Weights) -> None:
        self.weights = weights
        self.postings: dict[tuple[object, ...], list[_Cluster]] = defaultdict(list)

    def add(self, cluster: _Cluster, mention: _Mention) -> None:
        for scope in _scopes(cluster.period):
            for word in mention.words.words:
                self.postings[(*scope, word)].append(cluster)

    def candidates(self, mention: _Mention) -> list[_Cluster]:
        """Compatible clusters sharing the mention's rarest words, the most shared first (then
        the most cited, then the earliest), at most :data:`MAX_CANDIDATES`."""
        idf, unknown = self.weights.idf, self.weights.unknown
        words = sorted(mention.words.words, key=lambda w: (-idf.get(w, unknown), w))
        shared: dict[int, int] = {}
        found: dict[int, _Cluster] = {}
        period = mention.period
        for scope in _lookup(period):
            for word in words[:QUERY_WORDS]:
                for cluster in self.postings.get((*scope, word), ())[:MAX_CANDIDATES]:
                    if id(cluster) not in found:
                        if not (period.holds(cluster.period) or cluster.period.holds(period)):
                            continue
                        found[id(cluster)] = cluster
                    shared[id(cluster)] = shared.get(id(cluster), 0) + 1
        ranked = sorted(
            found.values(),
            key=lambda c: (-shared[id(c)], -len(c.members), c.members[0].order),
        )
        return ranked[:MAX_CANDIDATES]


def _best(mention: _Mention, candidates: Iterable[_Cluster], weights: _Weights) -> _Cluster | None:
    rank = _PRECISION_RANK[mention.period.precision]
    best, best_score = None, 0.0
    for cluster in candidates:
        steps = abs(rank - _PRECISION_RANK[cluster.period.precision])
        score = _similarity(mention, cluster, weights)
        if score >= SAME_EVENT + COARSER_STEP * steps and score > best_score:
            best, best_score = cluster, score
    return best


def _cluster(mentions: Sequence[_Mention], weights: _Weights) -> list[_Cluster]:
    """Greedy clustering, finest precision first (see the module docstring)."""
    ordered = sorted(
        mentions, key=lambda m: (_PRECISION_RANK[m.period.precision], m.period.first, m.order)
    )
    clusters: list[_Cluster] = []
    index = _Index(weights)
    for mention in ordered:
        target = _best(mention, index.candidates(mention), weights)
        if target is None:
            target = _Cluster(mention.period)
            clusters.append(target)
        if target.add(mention):
            index.add(target, mention)
    return clusters


def _representative(cluster: _Cluster, weights: _Weights) -> _Mention:
    """The mention whose text the entry shows: among those at the entry's date whose date is
    in a main clause (the news, not background to other news), the one most like the rest of
    the cluster (summed similarity to its first members), the earliest on ties."""
    finest = [m for m in cluster.members if m.period == cluster.period]
    main = [m for m in finest if m.main] or finest
    # Distinct word sets only: a wire copy neither votes for its origin nor competes with it.
    distinct = list({m.words: m for m in reversed(cluster.members)}.values())[::-1]
    others = distinct[: 2 * MAX_REPRESENTATIVES]

    def centrality(m: _Mention) -> float:
        return sum(
            event_similarity(
                m.words, o.words, weights.idf, unknown=weights.unknown, norms=(m.norm, o.norm)
            )
            for o in others
            if o.words != m.words
        )

    scored = {m.words: centrality(m) for m in main[: 2 * MAX_REPRESENTATIVES]}
    return min(main, key=lambda m: (-round(scored.get(m.words, 0.0), 9), m.order))


def build_timeline(material: StoryMaterial) -> tuple[TimelineEntry, ...]:
    """The story's dated happenings, earliest first (then finest precision first).

    Each entry has the finest date of the mentions merged into it, the text of its most
    representative mention, and every mention as evidence (the clause around the date), in
    story order. See the module docstring for what is kept and how mentions merge.
    """
    mentions, weights = _mentions(material)
    entries: list[tuple[tuple[object, ...], TimelineEntry]] = []
    for cluster in _cluster(mentions, weights):
        text = _trim(_representative(cluster, weights).text)
        members = sorted(cluster.members, key=lambda m: m.order)
        sources: list[Evidence] = []
        for m in members:
            if m.evidence not in sources:
                sources.append(m.evidence)
        entry = TimelineEntry(
            date=cluster.period.value,
            precision=cluster.period.precision,
            text=text,
            sources=tuple(sources),
        )
        key = (
            cluster.period.first,
            _PRECISION_RANK[cluster.period.precision],
            members[0].order,
            text,
        )
        entries.append((key, entry))
    entries.sort(key=lambda pair: pair[0])
    return tuple(entry for _, entry in entries)
