"""Projects for a multi-threaded server: lent to one request at a time, one writer thread.

Each request borrows a :class:`~storyline.project.Project` of its own for its duration (its
SQLite connection may move between the threads FastAPI runs a request's dependencies and
route on, but is only ever used by one at a time); idle projects are kept for the next
request. WAL mode: readers never block each other or the writer. Writes (ingest) all run on
one dedicated thread with its own project, so they are serialised and the clusterer and
entity linker see every article in order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from storyline.config import Settings
from storyline.project import Project, open_project
from storyline.store import SqliteStore

_T = TypeVar("_T")


class ProjectPool:
    """Hands out projects over one store: :meth:`borrow` for reads, :meth:`write` serialised.

    The store is opened (and migrated) once at construction, in the caller's thread, so a
    missing or too new store fails before the server starts listening.
    """

    def __init__(self, settings: Settings, *, create: bool = False) -> None:
        self.settings = settings
        open_project(settings=settings, create=create).close()
        self._idle: list[Project] = []
        self._lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyline-writer")
        self._writer_project: Project | None = None
        self._closed = False

    def _open(self) -> Project:
        return Project(SqliteStore(self.settings.db, create=False, shared=True), self.settings)

    @contextmanager
    def borrow(self) -> Iterator[Project]:
        """A project for this request alone (reads only), returned to the pool after."""
        with self._lock:
            project = self._idle.pop() if self._idle else None
        if project is None:
            project = self._open()
        try:
            yield project
        finally:
            with self._lock:
                if self._closed:
                    project.close()
                else:
                    self._idle.append(project)

    def write(self, work: Callable[[Project], _T]) -> Future[_T]:
        """Run ``work`` on the writer thread's project, after the writes queued before it."""
        return self._writer.submit(self._run, work)

    def _run(self, work: Callable[[Project], _T]) -> _T:
        if self._writer_project is None:
            self._writer_project = open_project(settings=self.settings, create=False)
        return work(self._writer_project)

    def close(self) -> None:
        """Finish queued writes and close every project (borrowed ones when returned)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            idle, self._idle = self._idle, []
        for project in idle:
            project.close()

        def close_writer() -> None:
            if self._writer_project is not None:
                self._writer_project.close()
                self._writer_project = None

        self._writer.submit(close_writer).result()
        self._writer.shutdown()
