"""Wire-copy deduplication: fingerprints, near copies, origins, groups, and a quality floor."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from storyline.config import DedupSettings
from storyline.dedup import (
    DedupIndex,
    IndexedArticle,
    MemoryDedupIndex,
    MinHashDeduper,
    fingerprint,
    lsh_layout,
    normalize,
    words,
)
from storyline.dedup.index import MinHashValues
from storyline.dedup.minhash import MAX_VERIFIED, MEMBERS_PER_BAND_KEY
from storyline.dedup.synthetic import (
    CopyEvalSet,
    build_copy_eval_set,
    evaluate_dedup,
    generate_corpus,
    wire_copy,
)
from storyline.errors import NotFoundError
from storyline.model import Article, DuplicateKind
from storyline.store import SqliteStore

DEDUP_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "dedup"
ECBPLUS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "ecbplus"
T0 = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)


def _text(name: str) -> str:
    return (DEDUP_FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def _article(article_id: str, text: str, published: datetime | None = T0) -> Article:
    return Article(id=article_id, text=text, published=published, source=article_id)


@pytest.fixture
def deduper() -> MinHashDeduper:
    return MinHashDeduper(DedupSettings())


@pytest.fixture
def wire() -> str:
    return _text("wire_original")


def _lines(text: str) -> list[str]:
    return text.strip().split("\n")


# -- exact copies ----------------------------------------------------------------------------


def test_normalization_unifies_case_space_quotes_dashes_and_numbers() -> None:
    assert normalize("“Ten  Thousand” —\n10,000  people’s") == '"ten thousand" - 10000 people\'s'
    assert words("Harwick’s bridge (1,200 homes)") == ["harwick", "s", "bridge", "1200", "homes"]


def test_fingerprint_ignores_whitespace_quote_style_and_punctuation(wire: str) -> None:
    reflowed = " ".join(wire.split()).replace("\u201c", '"').replace("\u201d", '"')
    assert fingerprint(reflowed) == fingerprint(wire)
    assert fingerprint(wire.replace(" — ", ", ").upper()) == fingerprint(wire)
    assert fingerprint(wire.replace("40 passenger", "41 passenger")) != fingerprint(wire)


def test_exact_copy_joins_the_group(deduper: MinHashDeduper, wire: str) -> None:
    deduper.add(_article("wire", wire))
    outcome = deduper.dedupe(_article("copy", "  " + wire.replace("\n", "\n\n") + "\n"))
    assert outcome.article.duplicate_of == "wire"
    assert outcome.article.duplicate_group == "wire"
    assert outcome.match is not None
    assert outcome.match.kind is DuplicateKind.EXACT
    assert outcome.match.similarity == 1.0


# -- near copies -----------------------------------------------------------------------------


def _new_headline(text: str) -> str:
    return "\n".join(["Storm shuts Harwick rail bridge for two weeks", *_lines(text)[1:]])


def _trim_end(text: str) -> str:
    return "\n".join(_lines(text)[:-1])


def _trim_start(text: str) -> str:
    lines = _lines(text)
    return "\n".join([lines[0], *lines[2:]])


def _boilerplate(text: str) -> str:
    return "\n".join(
        [
            *_lines(text),
            "This story was provided by Meridian Press.",
            "Sign up for the Valley Tribune morning newsletter.",
            "Copyright 2024 Meridian Press. All rights reserved.",
        ]
    )


def _local_angle_and_edits(text: str) -> str:
    lines = _lines(text)
    lines.insert(
        3,
        "In Sele, where the station car park was empty on Wednesday morning, shop owners said "
        "they expected fewer visitors from Harwick until the trains return.",
    )
    edited = "\n".join(lines).replace(" said", " stated", 3).replace("1,200", "1200")
    return edited.replace("\u201c", '"').replace("\u201d", '"')


@pytest.mark.parametrize(
    "edit", [_new_headline, _trim_end, _trim_start, _boilerplate, _local_angle_and_edits]
)
def test_near_copy_joins_the_group(
    deduper: MinHashDeduper, wire: str, edit: Callable[[str], str]
) -> None:
    deduper.add(_article("wire", wire))
    outcome = deduper.dedupe(_article("copy", edit(wire), T0 + timedelta(hours=2)))
    assert outcome.article.duplicate_of == "wire"
    assert outcome.article.duplicate_group == "wire"
    assert outcome.match is not None
    assert outcome.match.kind is DuplicateKind.NEAR
    assert outcome.match.origin_id == "wire"
    assert DedupSettings().threshold <= outcome.match.similarity < 1.0


def test_all_edits_at_once_still_a_copy(deduper: MinHashDeduper, wire: str) -> None:
    deduper.add(_article("wire", wire))
    copy = _local_angle_and_edits(_boilerplate(_trim_end(_new_headline(wire))))
    assert deduper.add(_article("copy", copy)).duplicate_of == "wire"


def test_independent_reports_on_the_same_event_are_not_copies(deduper: MinHashDeduper) -> None:
    names = ["wire_original", "harbor_gazette_report", "daily_ledger_report"]
    stored = [deduper.add(_article(name, _text(name))) for name in names]
    assert [a.duplicate_of for a in stored] == [None, None, None]
    assert [a.duplicate_group for a in stored] == names


def test_short_texts_and_texts_without_words(deduper: MinHashDeduper) -> None:
    assert deduper.signature("").band_keys == ()
    assert deduper.add(_article("a", "Flood.")).duplicate_of is None
    assert deduper.add(_article("b", "flood!")).duplicate_of == "a"
    assert deduper.add(_article("c", "---")).duplicate_of is None
    assert deduper.add(_article("d", "— —")).duplicate_of == "c"


# -- origins and groups ----------------------------------------------------------------------


def test_origin_is_the_earliest_published_even_when_it_arrives_late(
    deduper: MinHashDeduper, wire: str
) -> None:
    first = deduper.dedupe(_article("late-copy", _boilerplate(wire), T0 + timedelta(hours=3)))
    assert first.article.duplicate_of is None and first.article.duplicate_group == "late-copy"

    second = deduper.dedupe(_article("copy-2", _trim_end(wire), T0 + timedelta(hours=5)))
    assert second.article.duplicate_of == "late-copy"

    original = deduper.dedupe(_article("wire", wire, T0))
    assert original.article.duplicate_of is None
    assert original.article.duplicate_group == "late-copy"  # the group id never changes
    assert original.repointed_from == "late-copy"
    assert original.match is not None

    third = deduper.dedupe(_article("copy-3", _new_headline(wire), T0 + timedelta(hours=1)))
    assert third.article.duplicate_of == "wire"
    assert third.article.duplicate_group == "late-copy"
    assert third.repointed_from is None

    members = [deduper.index.entry(i) for i in ("late-copy", "copy-2", "wire", "copy-3")]
    assert [e.origin if e is not None else None for e in members] == ["wire"] * 4


def test_unknown_publication_time_sorts_after_known_ones(
    deduper: MinHashDeduper, wire: str
) -> None:
    deduper.add(_article("undated", wire, None))
    dated = deduper.dedupe(_article("dated", _trim_end(wire), T0 + timedelta(days=3)))
    assert dated.repointed_from == "undated" and dated.article.duplicate_of is None
    later_undated = deduper.add(_article("undated-2", _boilerplate(wire), None))
    assert later_undated.duplicate_of == "dated"


def test_publication_ties_are_broken_by_arrival(deduper: MinHashDeduper, wire: str) -> None:
    deduper.add(_article("first", wire, T0))
    tie = deduper.dedupe(_article("second", _trim_end(wire), T0))
    assert tie.article.duplicate_of == "first" and tie.repointed_from is None


def test_re_adding_an_indexed_article_changes_nothing(wire: str) -> None:
    index = MemoryDedupIndex()
    deduper = MinHashDeduper(DedupSettings(), index)
    deduper.add(_article("wire", wire))
    copy = _article("copy", _boilerplate(wire))
    first = deduper.add(copy)
    again = deduper.dedupe(copy)
    assert again.already_indexed and again.match is None
    assert again.article == first
    assert len(index) == 2
    # A fresh deduper over the same index (a reopened store) sees it too.
    assert MinHashDeduper(DedupSettings(), index).dedupe(copy).already_indexed
    with pytest.raises(ValueError, match="already indexed"):
        index.add(
            article_id="wire",
            published=None,
            fingerprint="f",
            band_keys=[],
            signature=np.zeros(4, dtype=np.uint64),
            group="wire",
            origin="wire",
        )


def test_groups_persist_in_the_store_index(tmp_path: Path, wire: str) -> None:
    path = tmp_path / "news.db"
    with SqliteStore(path) as store, store.transaction():
        deduper = MinHashDeduper(DedupSettings(), store.dedup_index())
        for article in (
            _article("copy", _boilerplate(wire), T0 + timedelta(hours=2)),
            _article("other", _text("daily_ledger_report"), T0),
        ):
            store.add_article(deduper.add(article))
    with SqliteStore(path) as store, store.transaction():
        deduper = MinHashDeduper(DedupSettings(), store.dedup_index())
        outcome = deduper.dedupe(_article("wire", wire, T0))
        store.add_article(outcome.article)
        assert outcome.repointed_from == "copy"
        assert deduper.dedupe(_article("copy", _boilerplate(wire))).already_indexed
        stored = {a.id: (a.duplicate_of, a.duplicate_group) for a in store.iter_articles()}
    assert stored == {
        "copy": ("wire", "copy"),
        "other": (None, "other"),
        "wire": (None, "copy"),
    }


# -- bounded work for large copy groups -------------------------------------------------------


class _CountingIndex(MemoryDedupIndex):
    """A real in-memory index that counts, per look-up, the candidates and signatures it gives."""

    def __init__(self) -> None:
        super().__init__()
        self.candidate_counts: list[int] = []
        self.signature_fetches: list[int] = []

    def ranked_candidates(
        self, band_keys: Sequence[bytes], *, limit: int
    ) -> list[tuple[IndexedArticle, int]]:
        found = super().ranked_candidates(band_keys, limit=limit)
        # What the bucket scan touched, before the limit: bounded by the buckets' sizes.
        every = super().ranked_candidates(band_keys, limit=len(self))
        self.candidate_counts.append(len(every))
        return found

    def signature(self, article_id: str) -> MinHashValues:
        self.signature_fetches.append(1)
        return super().signature(article_id)

    def signatures(self, article_ids: Sequence[str]) -> dict[str, MinHashValues]:
        self.signature_fetches.append(len(article_ids))
        return super().signatures(article_ids)


def test_work_per_article_stays_bounded_in_a_large_copy_group(wire: str) -> None:
    index = _CountingIndex()
    deduper = MinHashDeduper(DedupSettings(), index)
    lines, rng = _lines(wire), random.Random(8)
    copies = 400
    outcomes = [deduper.dedupe(_article("wire", wire, T0))]
    for n in range(copies):
        headline, body = wire_copy(rng, lines[0], lines[1:], outlet=f"Outlet {n % 37}")
        published = T0 + timedelta(minutes=rng.randint(-60, 720))
        outcomes.append(
            deduper.dedupe(_article(f"copy-{n}", "\n".join([headline, *body]), published))
        )

    assert all(o.article.duplicate_group == "wire" for o in outcomes)
    # At most one batched signature look-up per article (none for exact copies), of a bounded
    # number of candidates: never one per member of the group.
    assert 0 < len(index.signature_fetches) <= copies
    assert max(index.signature_fetches) <= MAX_VERIFIED
    # A band's bucket holds a bounded number of the group's members, so candidates do too.
    assert max(index.candidate_counts) <= MEMBERS_PER_BAND_KEY * deduper.bands < copies

    earliest = min(outcomes, key=lambda o: (o.article.published, outcomes.index(o))).article.id
    members = [index.entry(o.article.id) for o in outcomes]
    assert {e.origin for e in members if e is not None} == {earliest}
    for outcome in outcomes[1:]:
        match = outcome.match
        assert match is not None and match.similarity >= DedupSettings().threshold
        entry = index.entry(match.origin_id)
        assert entry is not None and entry.group == "wire"
    # An exact copy is indexed under no band key of its own; its id still finds it.
    again = deduper.dedupe(_article("copy-exact", wire, T0 + timedelta(hours=1)))
    assert again.match is not None and again.match.kind is DuplicateKind.EXACT
    assert deduper.dedupe(_article("copy-exact", wire)).already_indexed


@pytest.fixture(params=["memory", "sqlite"])
def any_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DedupIndex]:
    if request.param == "memory":
        yield MemoryDedupIndex()
        return
    with SqliteStore(tmp_path / "index.db") as store, store.transaction():
        yield store.dedup_index()


def _sig(seed: int) -> MinHashValues:
    return np.random.default_rng(seed).integers(0, 2**32, size=16, dtype=np.uint64)


def test_index_lookups_by_id_rank_and_group(any_index: DedupIndex) -> None:
    layout = {"a1": (b"k1", b"k2", b"k3"), "a2": (b"k2", b"k3"), "a3": (b"k3",), "b1": (b"k1",)}
    for n, (article_id, keys) in enumerate(layout.items()):
        group = "b1" if article_id == "b1" else "a1"
        any_index.add(
            article_id=article_id,
            published=None,
            fingerprint=article_id,
            band_keys=keys,
            signature=_sig(n),
            group=group,
            origin=group,
        )
    first, entry = any_index.entry("a1"), any_index.entry("a2")
    assert first is not None and entry is not None and first.arrival < entry.arrival
    assert (entry.article_id, entry.group, entry.origin, entry.published) == (
        "a2",
        "a1",
        "a1",
        None,
    )
    assert any_index.entry("missing") is None

    ranked = any_index.ranked_candidates([b"k1", b"k2", b"k3", b"k9"], limit=10)
    assert [(e.article_id, n) for e, n in ranked] == [("a1", 3), ("a2", 2), ("a3", 1), ("b1", 1)]
    assert [e.article_id for e, _ in any_index.ranked_candidates([b"k3"], limit=2)] == ["a1", "a2"]
    assert any_index.ranked_candidates([], limit=5) == []

    assert any_index.group_band_keys("a1", [b"k1", b"k3", b"k9"]) == {b"k1", b"k3"}
    assert any_index.group_band_keys("a1", [b"k1", b"k2", b"k3"], at_least=2) == {b"k2", b"k3"}
    assert any_index.group_band_keys("b1", [b"k2"]) == set()

    fetched = any_index.signatures(["a3", "a1"])
    assert list(fetched) == ["a3", "a1"]
    assert np.array_equal(fetched["a3"], _sig(2)) and np.array_equal(fetched["a1"], _sig(0))
    assert any_index.signatures([]) == {}
    with pytest.raises((KeyError, NotFoundError)):
        any_index.signatures(["a1", "missing"])


def test_memory_and_store_indexes_group_a_stream_identically(tmp_path: Path) -> None:
    stream = [
        Article(
            id=str(r["id"]),
            text=str(r["text"]),
            published=datetime.fromisoformat(str(r["published"])),
        )
        for r in generate_corpus(250, seed=9, copy_rate=0.5)
    ]

    def run(index: DedupIndex) -> list[tuple[object, ...]]:
        deduper = MinHashDeduper(DedupSettings(), index)
        rows: list[tuple[object, ...]] = []
        for article in stream:
            o = deduper.dedupe(article)
            m = o.match
            rows.append(
                (o.article.duplicate_of, o.article.duplicate_group, o.repointed_from)
                + ((m.origin_id, m.kind, m.similarity) if m is not None else ())
            )
        return rows

    with SqliteStore(tmp_path / "s.db") as store, store.transaction():
        in_store = run(store.dedup_index())
    assert run(MemoryDedupIndex()) == in_store
    assert sum(1 for row in in_store if row[0] is not None) > 60


# -- determinism -----------------------------------------------------------------------------


def test_signatures_and_band_keys_are_deterministic(wire: str) -> None:
    one, two = MinHashDeduper(DedupSettings()), MinHashDeduper(DedupSettings())
    a, b = one.signature(wire), two.signature(wire)
    assert np.array_equal(a.values, b.values) and a.band_keys == b.band_keys
    assert len(a.band_keys) == one.bands and all(len(k) == 16 for k in a.band_keys)
    # Pinned: stored band keys must stay valid across processes, runs and library upgrades.
    assert one.signature("Storm closes the coast road").band_keys[0].hex() == (
        "9511d579564a01dc3b1fe2e8ddc76182"
    )
    other_seed = MinHashDeduper(DedupSettings(seed=2)).signature(wire)
    assert not set(other_seed.band_keys) & set(a.band_keys)


def test_two_instances_group_a_stream_identically() -> None:
    stream = [
        Article(
            id=str(r["id"]),
            text=str(r["text"]),
            published=datetime.fromisoformat(str(r["published"])),
        )
        for r in generate_corpus(150, seed=5, copy_rate=0.3)
    ]
    runs = []
    for _ in range(2):
        deduper = MinHashDeduper(DedupSettings())
        runs.append([(a.duplicate_of, a.duplicate_group) for a in map(deduper.add, stream)])
    assert runs[0] == runs[1]


def test_lsh_layout_favours_recall() -> None:
    assert lsh_layout(0.4, 128) == (42, 3)
    assert lsh_layout(0.5, 128) == (32, 4)
    bands, rows = lsh_layout(0.4, 128)
    assert 1 - (1 - 0.4**rows) ** bands > 0.9  # a pair right at the threshold is a candidate


# -- generated data --------------------------------------------------------------------------


def test_generate_corpus_streams_deterministic_articles_with_copies() -> None:
    records = list(generate_corpus(300, seed=11, copy_rate=0.25, labels=True))
    assert records == list(generate_corpus(300, seed=11, copy_rate=0.25, labels=True))
    assert len({r["id"] for r in records}) == len({r["url"] for r in records}) == 300
    originals = [r for r in records if r["copy_of"] is None]
    assert all(300 <= len(str(r["text"]).split()) <= 701 for r in originals)
    copies = len(records) - len(originals)
    assert 50 <= copies <= 100

    deduper = MinHashDeduper(DedupSettings())
    found = set()
    for record in records:
        stored = deduper.add(
            Article(id=str(record["id"]), text=str(record["text"]), title=str(record["title"]))
        )
        if stored.duplicate_group != stored.id:
            found.add(stored.id)
    assert found == {r["id"] for r in records if r["copy_of"] is not None}


def test_wire_copy_always_edits_something(wire: str) -> None:
    lines = _lines(wire)
    rng = random.Random(3)
    for _ in range(50):
        headline, body = wire_copy(rng, lines[0], lines[1:], outlet="Valley Tribune")
        assert (headline, body) != (lines[0], lines[1:])


needs_ecbplus = pytest.mark.skipif(
    not ECBPLUS.is_dir(), reason="../shared/eval/ecbplus is not available"
)


@pytest.fixture(scope="module")
def ecbplus_copies() -> CopyEvalSet:
    return build_copy_eval_set(ECBPLUS / "dev.jsonl", seed=0)


@needs_ecbplus
def test_quality_floor_on_ecbplus_wire_copies(ecbplus_copies: CopyEvalSet) -> None:
    # Measured at the default settings (benchmarks/dedup_quality.py): precision 1.000 and
    # recall 0.976 on this seed (0.969-0.978 over seeds 0-5); pinned a little lower.
    scores = evaluate_dedup(ecbplus_copies, DedupSettings())
    assert scores.true_positives > 500 and scores.same_topic_negative_pairs > 10_000
    assert scores.precision >= 0.99
    assert scores.recall >= 0.96


@needs_ecbplus
def test_eval_set_is_deterministic(ecbplus_copies: CopyEvalSet) -> None:
    again = build_copy_eval_set(ECBPLUS / "dev.jsonl", seed=0)
    assert again.articles == ecbplus_copies.articles
    assert again.natural_reuse == ecbplus_copies.natural_reuse
    assert len({a.id for a in again.articles}) == len(again.articles)
