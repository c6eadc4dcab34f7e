"""Typed errors and stable rejection codes.

Every error a user can see carries a stable ``code`` (for programs), an ``http_status`` (for the
HTTP API) and an ``exit_code`` (for the CLI). Exit codes follow DESIGN.md: 0 ok, 1 internal error,
2 usage, 3 input rejected (with ``--strict``), 4 store error.

Bad *content* is not an error: a reader turns it into a :class:`storyline.model.Rejected` record
whose ``code`` is one of :class:`RejectCode`. Those codes are part of the output contract; add new
ones, never rename old ones.
"""

from __future__ import annotations

from enum import StrEnum


class StorylineError(Exception):
    """Base of every error storyline raises on purpose.

    >>> err = ConfigError("dedup.threshold must be between 0 and 1")
    >>> (err.code, err.http_status, err.exit_code)
    ('config_invalid', 400, 2)
    """

    code: str = "internal"
    http_status: int = 500
    exit_code: int = 1

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "status": self.http_status}


class UsageError(StorylineError):
    """The caller asked for something that cannot be done as asked."""

    code = "usage"
    http_status = 400
    exit_code = 2


class ConfigError(UsageError):
    """A setting is unknown, of the wrong type or out of range."""

    code = "config_invalid"


class NotFoundError(UsageError):
    """An id (article, story, entity) that the store does not hold."""

    code = "not_found"
    http_status = 404


class InvalidRequestError(UsageError):
    """An HTTP request whose parameters or body do not have the documented shape."""

    code = "invalid_request"
    http_status = 422


class PayloadTooLargeError(UsageError):
    """An HTTP request body over the API's size limit (``api.max_body_bytes``)."""

    code = "payload_too_large"
    http_status = 413


class AuthenticationError(UsageError):
    """A write to the HTTP API without the bearer token it needs."""

    code = "unauthorized"
    http_status = 401


class PermissionDeniedError(UsageError):
    """A write to the HTTP API with a wrong token, or one the server does not accept at all
    (no token configured on a server that listens beyond loopback)."""

    code = "forbidden"
    http_status = 403


class InputRejectedError(StorylineError):
    """Raised only in strict mode, when at least one input record was rejected."""

    code = "input_rejected"
    http_status = 422
    exit_code = 3


class StoreError(StorylineError):
    """The store could not be opened, migrated, read or written."""

    code = "store"
    http_status = 503
    exit_code = 4


class StoreBusyError(StoreError):
    """Another writer holds the store: another ingest, or (for a write that does not wait,
    such as caching a dossier) any write transaction."""

    code = "store_busy"


class StoreFullError(StoreError):
    """The store cannot grow: the disk is full, or the store reached its size limit."""

    code = "store_full"


class SchemaVersionError(StoreError):
    """The store was written by a newer storyline than this one."""

    code = "store_schema_too_new"


class RejectCode(StrEnum):
    """Why an input record did not become an article. Values are stable output codes."""

    EMPTY_FILE = "empty_file"
    BLANK_CONTENT = "blank_content"
    BINARY_CONTENT = "binary_content"
    UNDECODABLE_TEXT = "undecodable_text"
    CORRUPT_COMPRESSION = "corrupt_compression"
    DECOMPRESSION_BOMB = "decompression_bomb"
    OVERSIZE_INPUT = "oversize_input"
    MALFORMED_JSON = "malformed_json"
    JSON_NOT_OBJECT = "json_not_object"
    INVALID_FIELD = "invalid_field"
    MISSING_TEXT = "missing_text"
    TEXT_TOO_SHORT = "text_too_short"
    BOILERPLATE_ONLY = "boilerplate_only"
    MALFORMED_FEED = "malformed_feed"
    EMPTY_FEED = "empty_feed"
    MALFORMED_WARC = "malformed_warc"
    WARC_NO_HTML = "warc_no_html"
    UNSUPPORTED_FORMAT = "unsupported_format"
    UNREADABLE_PATH = "unreadable_path"
    SYMLINK_LOOP = "symlink_loop"
    INVALID_URL = "invalid_url"
    UNSUPPORTED_URL_SCHEME = "unsupported_url_scheme"
    BLOCKED_ADDRESS = "blocked_address"
    BLOCKED_BY_ROBOTS = "blocked_by_robots"
    FETCH_FAILED = "fetch_failed"
    FETCH_TIMEOUT = "fetch_timeout"
    NOT_HTML = "not_html"
    URL_LIST_NEEDS_FETCH = "url_list_needs_fetch"
    READER_ERROR = "reader_error"
    """An unexpected failure while reading one record (a bug to report); the batch goes on."""


class RecordRejected(Exception):
    """Raised inside a reader to turn the current record into a ``Rejected``.

    Readers catch it at record level, so one bad record never stops the rest of a file.
    It never escapes :func:`storyline.ingest.read_articles`.
    """

    def __init__(self, code: RejectCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
