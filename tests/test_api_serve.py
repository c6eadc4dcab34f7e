"""`storyline serve`: the real server (uvicorn) in a subprocess, on 127.0.0.1 only."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from storyline.api import create_app
from storyline.errors import StoreError

pytestmark = pytest.mark.network


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_on_loopback(demo_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    source, copy = sqlite3.connect(demo_store), sqlite3.connect(db)
    source.backup(copy)
    source.close()
    copy.close()
    port = _free_port()
    storyline = str(Path(sys.executable).parent / "storyline")
    command = [storyline, "--db", str(db), "-q", "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={"PATH": "/usr/bin:/bin", "STORYLINE_ANNOTATE_ON_INGEST": "false"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the server did not start in 30 s"
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        stories = httpx.get(f"{base}/api/stories", params={"limit": 3}).json()
        assert len(stories["stories"]) == 3
        # Default bind is loopback and no token is set: writes are accepted.
        article = {"id": "served-1", "text": "Harbour pilots stopped work. " * 20}
        assert httpx.post(f"{base}/api/articles", json=article).json()["articles_added"] == 1
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serving_a_missing_store_fails_before_listening(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        create_app(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
