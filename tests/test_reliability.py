"""What storyline promises under concurrent readers, crashes, a full disk and two writers
(docs/reliability.md). Crashes are real: ``storyline ingest`` in a subprocess, killed by SIGKILL.

Each test takes a ``backend``: the store location for a test and how to check its integrity,
so a PostgreSQL backend can be added to the same tests by parametrizing it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DEMO_CORPUS
from reliability_corpus import write_corpus
from storyline import open_project
from storyline.config import Settings
from storyline.project import IngestProgress
from storyline.store.sqlite import MAX_PAGES_VARIABLE

STORYLINE = str(Path(sys.executable).parent / "storyline")


@dataclass(frozen=True)
class Backend:
    name: str
    location: Callable[[Path], str]
    """A new store's location under a test's temporary folder."""
    integrity: Callable[[str], str]
    """The backend's own integrity check of a store ("ok" when sound)."""
    count: Callable[[str, str], int]
    """The one number a SQL query (``SELECT COUNT(*) ...``) gives on a store."""


def _sqlite_location(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / "news.db")


def _sqlite_integrity(location: str) -> str:
    with sqlite3.connect(location) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _sqlite_count(location: str, sql: str) -> int:
    with sqlite3.connect(location) as conn:
        return int(conn.execute(sql).fetchone()[0])


BACKENDS = [
    Backend(
        name="sqlite",
        location=_sqlite_location,
        integrity=_sqlite_integrity,
        count=_sqlite_count,
    )
]


@pytest.fixture(params=BACKENDS, ids=lambda backend: backend.name)
def backend(request: pytest.FixtureRequest) -> Backend:
    found: Backend = request.param
    return found


def _ingest(
    db: str, *sources: Path, args: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [STORYLINE, "--db", db, "-q", "ingest", "--format", "json", *args, *map(str, sources)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def _accounted(backend: Backend, db: str) -> None:
    """Every record read is an article or a rejection, once: the store's own totals agree."""
    with open_project(db, settings=Settings(), create=False) as project:
        stats = project.stats()
    assert stats.records_read == stats.articles + stats.rejected_total
    assert backend.count(db, "SELECT COUNT(*) FROM dedup_entries") == stats.articles
    assert backend.integrity(db) == "ok"


# -- readers during writes ------------------------------------------------------------------


def test_a_dossier_is_served_while_another_writer_holds_the_store(
    demo_store: Path, tmp_path: Path
) -> None:
    db = tmp_path / "demo.db"
    # A consistent copy (other tests read the demo store, keeping dossiers in it): none kept.
    with sqlite3.connect(demo_store) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
        copy.execute("DELETE FROM dossiers")
    with open_project(db, settings=Settings()) as project:
        story = project.stories()[0]
        writer = sqlite3.connect(db, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # an ingest's batch, in another process
        try:
            started = time.monotonic()
            document = project.dossier_document(story.id)
            waited = time.monotonic() - started
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert document["id"] == story.id
        assert waited < 5, f"the page waited {waited:.1f} s on the writer"
        assert project.store.cached_dossier(story.id, project._dossier_fingerprint(story)) is None
        # Once the writer is done, the next request keeps what it builds.
        assert project.dossier_document(story.id) == document
        assert project.store.cached_dossier(story.id, project._dossier_fingerprint(story))


def test_ingest_annotates_outside_its_write_transactions(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    other = sqlite3.connect(db, isolation_level=None, timeout=0)
    writable: list[bool] = []

    def probe(step: IngestProgress) -> None:
        # Another writer (a reader keeping a dossier) tries, without waiting.
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            writable.append(False)
        else:
            other.execute("ROLLBACK")
            writable.append(True)

    with open_project(db, settings=Settings()) as project:
        report = project.ingest([DEMO_CORPUS], progress=probe)
    other.close()
    assert report.articles_annotated == 61
    # Annotation (a model run per article) leaves the store free; only the writes hold it.
    assert writable.count(True) >= report.articles_annotated


# -- crash safety ---------------------------------------------------------------------------


def _articles(db: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM articles")}


def _rejections(db: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT key FROM rejected")}


@pytest.mark.slow
def test_ingest_killed_at_random_points_resumes_to_the_same_store(
    backend: Backend, tmp_path: Path
) -> None:
    corpus = write_corpus(tmp_path / "wire.jsonl", 150)
    sources = (DEMO_CORPUS, corpus)
    once = backend.location(tmp_path / "once")
    assert _finish(_ingest(once, *sources, args=("--no-annotate",)))[0] == 0

    db = backend.location(tmp_path / "killed")
    rng = random.Random(20240317)
    kills = attempt = 0
    while kills < 20 and attempt < 40:  # a run that ends before its kill point is no kill
        attempt += 1
        # Half the runs annotate (the model loads, then a batch is annotated); half only store
        # and assign, so the kills land in every kind of write transaction.
        args = ("--wait", "0") if attempt % 2 else ("--wait", "0", "--no-annotate")
        process = _ingest(db, *sources, args=args)
        try:
            process.wait(timeout=rng.uniform(0.3, 3.0))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            kills += 1
        code, _, err = _finish(process)
        # Killed, or done; never a failure: the dead run's lock is taken over (--wait 0).
        assert code in (0, -signal.SIGKILL), err
        assert backend.integrity(db) == "ok"
    assert kills >= 20

    code, _, err = _finish(_ingest(db, *sources))
    assert code == 0, err
    assert _articles(db) == _articles(once)
    assert _rejections(db) == _rejections(once)
    _accounted(backend, db)
    assert backend.count(db, "SELECT COUNT(*) FROM articles WHERE story_id IS NULL") == 0
    annotated = backend.count(db, "SELECT COUNT(*) FROM annotations")
    assert annotated == len(_articles(once))


@pytest.mark.slow
def test_a_full_store_stops_ingest_with_a_clear_error_and_resumes(
    backend: Backend, tmp_path: Path
) -> None:
    db = backend.location(tmp_path)
    first = tmp_path / "first.jsonl"
    first.write_text((DEMO_CORPUS / "articles.jsonl").read_text().splitlines()[0] + "\n")
    assert _finish(_ingest(db, first, args=("--no-annotate",)))[0] == 0
    pages = backend.count(db, "SELECT page_count FROM pragma_page_count")
    corpus = write_corpus(tmp_path / "wire.jsonl", 150)

    full = {MAX_PAGES_VARIABLE: str(pages + 6)}
    code, _, err = _finish(_ingest(db, corpus, args=("--no-annotate",), env=full))
    assert code == 4
    assert len(err.strip().splitlines()) == 1
    assert "store is full" in err and db in err
    assert backend.integrity(db) == "ok"
    _accounted(backend, db)

    code, out, err = _finish(_ingest(db, corpus, args=("--no-annotate",)))
    assert code == 0, err
    assert json.loads(out)["articles_added"] > 0
    _accounted(backend, db)
    assert _articles(db) >= {f"gen-{n:04d}" for n in range(150)}


# -- one writer -----------------------------------------------------------------------------


def _wait_for_lock(db: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    """Until ``process`` holds the store's writer lock (it writes its pid into the lock file)."""
    lock = Path(db + ".lock")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.is_file() and lock.read_text().strip() == str(process.pid):
            return
        assert process.poll() is None, "the first ingest ended before it was seen writing"
        time.sleep(0.02)
    raise AssertionError("the first ingest never took the writer lock")


@pytest.mark.slow
def test_a_second_ingest_waits_or_stops_and_nothing_is_counted_twice(
    backend: Backend, tmp_path: Path
) -> None:
    db = backend.location(tmp_path)
    corpus = write_corpus(tmp_path / "wire.jsonl", 100)
    first = _ingest(db, DEMO_CORPUS, corpus)
    _wait_for_lock(db, first)

    code, out, err = _finish(_ingest(db, DEMO_CORPUS, corpus, args=("--wait", "0")))
    assert code == 4, out
    assert err.strip().count("\n") == 0
    assert f"another ingest (pid {first.pid}) is writing to {db}" in err

    patient = _ingest(db, DEMO_CORPUS, corpus, args=("--wait", "240"))
    code, out, err = _finish(first)
    assert code == 0, err
    first_report = json.loads(out)
    code, out, err = _finish(patient)
    assert code == 0, err
    second_report = json.loads(out)

    assert first_report["articles_added"] == 161
    assert second_report["articles_added"] == 0
    # Read again, all of it: the two bad lines are known rejections, not new ones.
    assert second_report["already_stored"] == second_report["records_read"] == 163
    assert second_report["rejected_again"] == 2
    assert second_report["rejected"]["total"] == 0
    _accounted(backend, db)
