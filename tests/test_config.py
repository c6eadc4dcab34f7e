"""Settings: defaults < file < environment < flags, validated once."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.config import Settings, load_settings
from storyline.errors import ConfigError


def _config_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "storyline.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_without_any_layer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}) == Settings()


def test_each_layer_overrides_the_one_below(tmp_path: Path) -> None:
    path = _config_file(
        tmp_path,
        'db = "file.db"\n[dedup]\nthreshold = 0.6\nnum_perm = 64\n[ingest]\nmin_text_chars = 50\n',
    )
    settings = load_settings(
        config_file=path,
        environ={"STORYLINE_DEDUP_THRESHOLD": "0.7", "STORYLINE_DB": "env.db"},
        overrides={"dedup.threshold": 0.8, "ingest.min_text_chars": None},
    )
    assert settings.db == "env.db"  # environment beats file
    assert settings.dedup.threshold == 0.8  # flag beats environment
    assert settings.dedup.num_perm == 64  # file beats default
    assert settings.ingest.min_text_chars == 50  # a None flag does not override


def test_config_file_from_environment(tmp_path: Path) -> None:
    path = _config_file(tmp_path, "[fetch]\ntimeout_seconds = 3\nallow_private_addresses = true\n")
    settings = load_settings(environ={"STORYLINE_CONFIG": str(path)})
    assert settings.fetch.timeout_seconds == 3.0
    assert settings.fetch.allow_private_addresses is True


def test_storyline_toml_in_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config_file(tmp_path, "[ingest]\nmin_text_chars = 10\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}).ingest.min_text_chars == 10


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"STORYLINE_DEDUP_THRESHOLD": "high"}, "dedup.threshold must be a number"),
        ({"STORYLINE_DEDUP_THRESHOLD": "1.5"}, "dedup.threshold must be at most 1.0"),
        ({"STORYLINE_INGEST_MIN_TEXT_CHARS": "0"}, "ingest.min_text_chars must be at least 1"),
        ({"STORYLINE_INGEST_MIN_TEXT_CHARS": "2.5"}, "must be a whole number"),
        ({"STORYLINE_FETCH_ALLOW_PRIVATE_ADDRESSES": "maybe"}, "must be true or false"),
        ({"STORYLINE_DEDUP_SHINGLES": "3"}, "unknown setting dedup.shingles"),
    ],
)
def test_bad_environment_values_name_the_key(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(environ=environ)
    assert caught.value.exit_code == 2


def test_bad_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(config_file=_config_file(tmp_path, "[dedup\nthreshold = "), environ={})
    with pytest.raises(ConfigError, match="not found"):
        load_settings(config_file=tmp_path / "missing.toml", environ={})
    with pytest.raises(ConfigError, match="must be a table"):
        load_settings(config_file=_config_file(tmp_path, "dedup = 3\n"), environ={})
    with pytest.raises(ConfigError, match="unknown setting colour"):
        load_settings(config_file=_config_file(tmp_path, 'colour = "red"\n'), environ={})


def test_unrelated_storyline_variables_are_ignored() -> None:
    settings = load_settings(environ={"STORYLINE_TEST_PG": "x", "STORYLINE_BASE_URL": "y"})
    assert settings == Settings()


def test_api_token_comes_from_the_environment_and_is_not_shown() -> None:
    settings = load_settings(environ={"STORYLINE_API_TOKEN": "secret"})
    assert settings.api.token == "secret"
    assert "secret" not in repr(settings)
