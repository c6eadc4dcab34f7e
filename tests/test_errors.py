"""Error codes and exit codes are part of the output contract."""

from __future__ import annotations

import pytest

from storyline import errors
from storyline.errors import RejectCode, StorylineError


def _error_classes() -> list[type[StorylineError]]:
    found = [StorylineError]
    for value in vars(errors).values():
        if isinstance(value, type) and issubclass(value, StorylineError):
            found.append(value)
    return sorted(set(found), key=lambda cls: cls.__name__)


def test_every_error_has_a_distinct_stable_code() -> None:
    codes = [cls.code for cls in _error_classes()]
    assert len(codes) == len(set(codes)), codes


@pytest.mark.parametrize(
    ("cls", "exit_code", "status"),
    [
        (errors.StorylineError, 1, 500),
        (errors.UsageError, 2, 400),
        (errors.ConfigError, 2, 400),
        (errors.NotFoundError, 2, 404),
        (errors.InputRejectedError, 3, 422),
        (errors.StoreError, 4, 503),
        (errors.SchemaVersionError, 4, 503),
    ],
)
def test_exit_codes_follow_design(cls: type[StorylineError], exit_code: int, status: int) -> None:
    error = cls("something went wrong")
    assert (error.exit_code, error.http_status) == (exit_code, status)
    expected = {"code": cls.code, "message": "something went wrong", "status": status}
    assert error.to_dict() == expected


def test_reject_codes_are_snake_case_and_unique() -> None:
    values = [code.value for code in RejectCode]
    assert len(values) == len(set(values))
    assert all(value == name.lower() for name, value in RejectCode.__members__.items())
    assert len(values) >= 15
