"""Shared fixtures. Test data are small realistic files under tests/fixtures and ../shared/eval."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from storyline import open_project
from storyline.config import Settings, load_settings
from storyline.model import StoryMaterial

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
DEMO_CORPUS = ROOT / "examples" / "corpus"


@pytest.fixture
def settings() -> Settings:
    """Default settings, untouched by the developer's environment or config file."""
    return load_settings(environ={})


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus ingested, annotated and linked once per test process: read it, never
    write to it (copy it first)."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    with open_project(db, settings=Settings()) as project:
        project.ingest([DEMO_CORPUS])
    return db


@pytest.fixture
def story_material(tmp_path: Path) -> Callable[[Path], StoryMaterial]:
    """Ingests a fixture file of articles written to be one story (annotated and linked through
    the real pipeline) and returns that story's material for the synthesize stage."""

    def build(path: Path) -> StoryMaterial:
        with open_project(tmp_path / f"{path.stem}.db", settings=Settings()) as project:
            project.ingest([path])
            stories = project.stories()
            assert len(stories) == 1, f"{path.name} should make one story, not {len(stories)}"
            return project.story_material(stories[0].id)

    return build
