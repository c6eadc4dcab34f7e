"""Shared fixtures. Test data are small realistic files under tests/fixtures and ../shared/eval."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.config import Settings, load_settings

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
