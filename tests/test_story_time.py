"""Time that follows what an article is about: sparse coverage, two reports months apart.

Fixtures (tests/fixtures/stories), written in the style of wire copy:

* ``siege_months_apart``: one developing story (an offensive to retake a town, and whether the
  enemy's leader fled it) in two outlets about five months apart with nothing in between; the
  later report's first sentence dates the offensive's start "Five months ago". One story.
* ``quakes_months_apart``: two earthquakes in one province five months apart; the second report
  recalls the first in its third paragraph. Two stories.
* ``trial_and_retrial``: a conviction and, eight months later, the retrial after the verdict
  was voided. Two stories.
* ``dovan_fights``: two title fights of one boxer seven months apart. Two stories.

They are ingested after the demo corpus, so that document frequencies are those of a store that
holds other news, as they would be for a user.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import FIXTURES
from storyline import open_project
from storyline.config import Settings
from storyline.link.index import StoryProfile
from storyline.link.stories import _period_bounds, _reference_gap
from test_cli import run

STORIES = FIXTURES / "stories"


@pytest.fixture(scope="module")
def months_apart(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("months") / "months.db"
    shutil.copy(demo_store, db)
    with open_project(db, settings=Settings()) as project:
        for name in ("siege_months_apart", "quakes_months_apart", "trial_and_retrial"):
            project.ingest([STORIES / f"{name}.jsonl"])
        project.ingest([STORIES / "dovan_fights.jsonl"])
    return db


def _story(db: Path, article_id: str) -> str:
    with open_project(db, settings=Settings()) as project:
        return project.explain(article_id).story_id


def test_a_story_resumes_months_later_when_the_lead_dates_its_event_to_it(
    months_apart: Path,
) -> None:
    assert _story(months_apart, "tsb2") == _story(months_apart, "tsb1")
    with open_project(months_apart, settings=Settings()) as project:
        why = project.explain("tsb2")
    assert not why.new_story
    assert "lead dates its event to 2024-10" in why.time
    assert "no time decay" in why.time


@pytest.mark.parametrize(
    ("first", "second"),
    [("kq1", "kq2"), ("ht1", "ht2"), ("f1a", "f2a")],
    ids=["two quakes in one province", "a trial and its retrial", "two title fights"],
)
def test_two_events_of_one_kind_months_apart_stay_apart(
    months_apart: Path, first: str, second: str
) -> None:
    assert _story(months_apart, first) != _story(months_apart, second)
    with open_project(months_apart, settings=Settings()) as project:
        why = project.explain(second)
    # The explanation says how far apart they are and what that cost.
    assert "days from the story's reports" in why.time
    assert "time decay x" in why.time


def test_explain_prints_the_time_evidence(
    months_apart: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", str(months_apart), "explain", "ht2")
    assert code == 0
    assert "time: published" in out and "away: time decay x0.25" in out
    code, out, _ = run(capsys, "--db", str(months_apart), "explain", "ht2", "--format", "json")
    assert code == 0 and "lead dates its event to 2024-11-19" in json.loads(out)["time"]


def test_period_bounds_of_a_day_a_week_and_a_month() -> None:
    day = datetime(2024, 10, 17, tzinfo=UTC)
    assert _period_bounds("2024-10-17") == (day, datetime(2024, 10, 18, tzinfo=UTC))
    assert _period_bounds("2024-W42") == (
        datetime(2024, 10, 14, tzinfo=UTC),
        datetime(2024, 10, 21, tzinfo=UTC),
    )
    assert _period_bounds("2024-12") == (
        datetime(2024, 12, 1, tzinfo=UTC),
        datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert _period_bounds("2024-13") is None


def test_reference_gap_is_zero_inside_the_story_and_counts_days_outside() -> None:
    story = StoryProfile(
        story_id="s",
        founded_by="a",
        created=0,
        first_published=datetime(2024, 10, 18, 9, tzinfo=UTC),
        last_published=datetime(2024, 10, 20, 9, tzinfo=UTC),
    )
    assert _reference_gap({"p:2024-10": 1.0, "t:siege": 1.0}, story) == (0.0, "2024-10")
    gap, period = _reference_gap({"p:2025-03-11": 1.0}, story) or (0.0, "")
    assert period == "2025-03-11" and 141 < gap < 142
    assert _reference_gap({"t:siege": 1.0}, story) is None
    undated = StoryProfile(story_id="u", founded_by="b", created=0)
    assert _reference_gap({"p:2024-10": 1.0}, undated) is None
