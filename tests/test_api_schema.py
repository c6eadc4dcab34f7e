"""A bounded schemathesis run over the API's OpenAPI document: no request makes a 5xx."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from storyline.api import create_app
from storyline.config import AnnotateSettings, Settings


@pytest.fixture(scope="module")
def api_schema(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    # A copy: generated POST bodies are stored (no annotation, to stay quick).
    db = tmp_path_factory.mktemp("schemathesis") / "demo.db"
    source, copy = sqlite3.connect(demo_store), sqlite3.connect(db)
    source.backup(copy)
    source.close()
    copy.close()
    app = create_app(
        Settings(db=str(db), annotate=AnnotateSettings(on_ingest=False)), host="127.0.0.1"
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_api_conforms_to_its_openapi_document(api_schema: Any) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate()

        check()
