"""The CLI end to end, in-process: contracts of DESIGN.md, exit codes, idempotent ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline import __version__
from storyline.cli import cli, main
from storyline.link import story_id_for

REPORTS = {
    1: [
        "Dockworkers at the Port of Calder walked off the job on Wednesday, halting the loading "
        "of container ships for the first time in eleven years, union officials said.",
        "Dmitri Olander, head of the Calder Dockworkers Union, told reporters that the strike "
        "would continue until the port authority improved its wage offer of 3 percent.",
        "“We have waited three years for a fair deal,” Olander said outside the main gate.",
    ],
    2: [
        "Cargo backed up along the Calder coast on Thursday as the dockworkers' walkout entered "
        "its second day and shipping lines began diverting vessels to smaller northern ports.",
        "The port authority said about 40 ships were waiting offshore by the evening, while a "
        "union spokeswoman put the figure at nearly 60.",
        "Economy Minister Petra Vos urged both sides to return to talks before the weekend.",
    ],
    3: [
        "Talks to end the Calder port strike collapsed late on Friday after the port authority "
        "refused to raise its offer, leaving hundreds of containers stranded on the quays.",
        "Retailers warned of empty shelves within a week if the dispute is not settled, and "
        "farmers said fruit exports were already rotting in refrigerated trucks.",
    ],
}


def _article(n: int, source: str, published: str) -> dict[str, str]:
    return {
        "id": f"calder-{n}",
        "url": f"https://{source.lower().replace(' ', '')}.example/2024/03/0{n}/strike",
        "source": source,
        "title": f"Calder port strike, day {n}",
        "text": "\n\n".join(REPORTS[n]),
        "published": published,
    }


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    lines = [
        json.dumps(_article(1, "Harbor Gazette", "2024-03-06T09:00:00+01:00")),
        "{this is not json",
        json.dumps(_article(2, "Daily Ledger", "2024-03-07T10:00:00Z")),
        json.dumps({"id": "no-text", "title": "A headline with no body"}),
        "",
    ]
    (folder / "wire.jsonl").write_text("\n".join(lines), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert __version__ in out


@pytest.mark.parametrize("command", [[], *[[name] for name in sorted(cli.commands)]])
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert "Usage:" in out


def test_ingest_stats_articles_rejected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, inputs: Path
) -> None:
    db = str(tmp_path / "news.db")
    code, out, err = run(capsys, "--db", db, "ingest", str(inputs), "--format", "json")
    assert code == 0, err
    assert err == ""  # no progress display when not on a terminal
    report = json.loads(out)
    assert report["records_read"] == 5
    assert report["articles_added"] == 2
    assert report["rejected"]["by_code"] == {
        "empty_file": 1,
        "malformed_json": 1,
        "missing_text": 1,
    }

    code, out, _ = run(capsys, "--db", db, "stats", "--format", "json")
    stats = json.loads(out)
    assert stats == {
        "records_read": 5,
        "articles": 2,
        "duplicates": 0,
        "rejected": {
            "total": 3,
            "by_code": {"empty_file": 1, "malformed_json": 1, "missing_text": 1},
        },
        "sources": 2,
        "stories": 1,  # two days of one port strike
        "annotated": 2,
    }

    code, out, _ = run(capsys, "--db", db, "articles", "--format", "json")
    listed = json.loads(out)["articles"]
    assert [a["id"] for a in listed] == ["calder-1", "calder-2"]
    assert listed[0]["story_id"] == listed[1]["story_id"] == story_id_for("calder-1")
    assert listed[0] == {
        "id": "calder-1",
        "source": "Harbor Gazette",
        "published": "2024-03-06T08:00:00+00:00",
        "title": "Calder port strike, day 1",
        "url": "https://harborgazette.example/2024/03/01/strike",
        "duplicate_of": None,
        "story_id": story_id_for("calder-1"),
    }

    code, out, _ = run(capsys, "--db", db, "rejected", "--format", "json")
    rejected = json.loads(out)["rejected"]
    assert {r["code"] for r in rejected} == {"empty_file", "malformed_json", "missing_text"}
    assert any(r["location"].endswith("wire.jsonl:2") for r in rejected)
    assert all(set(r) == {"location", "code", "message"} and r["message"] for r in rejected)


def test_ingest_is_idempotent(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, inputs: Path
) -> None:
    db = str(tmp_path / "news.db")
    run(capsys, "--db", db, "ingest", str(inputs))
    _, before, _ = run(capsys, "--db", db, "stats", "--format", "json")
    code, out, _ = run(capsys, "--db", db, "ingest", str(inputs), "--format", "json")
    assert code == 0
    again = json.loads(out)
    assert again["articles_added"] == 0
    assert again["rejected"]["total"] == 0
    assert again["already_stored"] == again["records_read"] == 5
    _, after, _ = run(capsys, "--db", db, "stats", "--format", "json")
    assert json.loads(after) == json.loads(before)


def test_table_output_is_readable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, inputs: Path
) -> None:
    db = str(tmp_path / "news.db")
    code, out, _ = run(capsys, "--db", db, "ingest", str(inputs))
    assert code == 0
    assert "2 new articles" in out and "3 rejected" in out
    assert f"(see: storyline --db {db} rejected)" in out
    _, out, _ = run(capsys, "--db", db, "articles")
    assert "calder-1" in out and "Harbor Gazette" in out
    _, out, _ = run(capsys, "--db", db, "stats")
    assert "records read" in out


def test_strict_exits_3_when_anything_is_rejected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, inputs: Path
) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "news.db"), "ingest", "--strict", str(inputs))
    assert code == 3
    expected = "storyline: error input_rejected: 3 records rejected (3 new, 0 rejected before)"
    assert err.strip() == expected


def test_store_error_exits_4(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("shopping list\n" * 200)
    code, _, err = run(capsys, "--db", str(not_a_db), "stats")
    assert code == 4
    assert err.startswith("storyline: error store: ")


def test_reading_commands_never_create_a_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for command in ("stats", "articles", "rejected"):
        code, _, err = run(capsys, "--db", str(tmp_path / "typo" / "news.db"), command)
        assert code == 4
        assert err.startswith("storyline: error store: no store at")
    assert not (tmp_path / "typo").exists()


def test_json_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("shopping list\n" * 200)
    code, _, err = run(capsys, "--json", "--db", str(not_a_db), "stats")
    assert code == 4
    assert json.loads(err)["error"]["code"] == "store"


def test_usage_and_config_errors_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "ingest")
    assert code == 2
    assert err.startswith("storyline: error usage: Missing argument")
    assert len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "--json", "bogus")
    assert code == 2 and json.loads(err)["error"]["code"] == "usage"
    code, _, err = run(capsys, "--db", str(tmp_path / "x.db"), "ingest", str(tmp_path / "nope"))
    assert code == 2 and "no such file or folder" in err
    code, _, err = run(capsys, "--db", "postgresql://localhost/news", "stats")
    assert code == 2 and err.startswith("storyline: error config_invalid:")
    code, _, _ = run(capsys, "stats", "--format", "yaml")
    assert code == 2
    monkeypatch.setenv("STORYLINE_DEDUP_THRESHOLD", "lots")
    code, _, err = run(capsys, "--db", str(tmp_path / "x.db"), "stats")
    assert code == 2
    assert err.startswith("storyline: error config_invalid: dedup.threshold")


def test_stdin_ingest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    line = json.dumps(_article(3, "Capital Observer", "2024-03-08")) + "\n"
    fake_stdin = io.TextIOWrapper(io.BytesIO(line.encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake_stdin)
    code, out, err = run(capsys, "--db", str(tmp_path / "x.db"), "ingest", "-", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["articles_added"] == 1


def test_strict_fails_again_on_input_already_rejected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, inputs: Path
) -> None:
    db = str(tmp_path / "news.db")
    assert run(capsys, "--db", db, "ingest", "--strict", str(inputs))[0] == 3
    code, _, err = run(capsys, "--db", db, "ingest", "--strict", str(inputs))
    assert code == 3
    assert "3 records rejected (0 new, 3 rejected before)" in err


def test_eval_timex_on_meantime(capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import SHARED_EVAL

    path = SHARED_EVAL / "meantime" / "timex.jsonl"
    if not path.exists():
        pytest.skip("../shared/eval is not beside this checkout")
    code, out, _ = run(capsys, "eval", "timex", str(path), "--format", "json")
    assert code == 0
    scores = json.loads(out)
    assert scores["documents"] == 120
    assert scores["span"]["gold"] == 370
    assert 0.0 < scores["value"]["f1"] <= scores["span"]["f1"] <= 1.0
    code, out, _ = run(capsys, "eval", "timex", str(path))
    assert code == 0 and "value (all)" in out
