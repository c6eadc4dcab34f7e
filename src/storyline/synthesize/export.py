"""Writing dossiers to a folder: one file per story and format, plus an index per format."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from storyline.errors import UsageError
from storyline.model import StorySummary
from storyline.synthesize.render import dossier_html, dossier_markdown, index_html, index_markdown

__all__ = ["FORMATS", "export_dossiers", "render_dossier"]

FORMATS = ("json", "md", "html")


def render_dossier(
    document: Mapping[str, Any], fmt: str, texts: Mapping[str, str] | None = None
) -> str:
    """A dossier document as ``json`` (the contract, stable key order), ``md`` or ``html``."""
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return dossier_markdown(document, texts)
    if fmt == "html":
        return dossier_html(document, texts)
    raise UsageError(f"unknown dossier format {fmt!r}; use one of {', '.join(FORMATS)}")


def export_dossiers(
    stories: Sequence[StorySummary],
    out: Path,
    *,
    dossier_of: Callable[[str], Mapping[str, Any]],
    texts_of: Callable[[Sequence[str]], Mapping[str, str]],
    formats: Sequence[str] = FORMATS,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write ``<story id>.<format>`` for every story and ``index.<format>`` for the set.

    ``dossier_of`` gives a story's dossier document, ``texts_of`` the texts of articles (for
    the passages that Markdown and HTML quote). Files are written whole or not at all (a
    temporary file renamed), so an interrupted export leaves no half-written dossier.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown dossier format {unknown or formats}; use {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for done, story in enumerate(stories):
        document = dossier_of(story.id)
        # Only Markdown and HTML quote passages: a JSON-only export reads no article text.
        wants_texts = any(fmt != "json" for fmt in formats)
        texts = texts_of([a["id"] for a in document["articles"]]) if wants_texts else {}
        for fmt in formats:
            written.append(_write(out / f"{story.id}.{fmt}", render_dossier(document, fmt, texts)))
        if progress is not None:
            progress(done + 1, len(stories))
    listed = [s.to_dict() for s in stories]
    for fmt in formats:
        files = {s.id: f"{s.id}.{fmt}" for s in stories}
        if fmt == "json":
            index = {"stories": [{**s, "file": files[str(s["id"])]} for s in listed]}
            text = json.dumps(index, ensure_ascii=False, indent=2) + "\n"
        else:
            text = (index_markdown if fmt == "md" else index_html)(listed, files)
        written.append(_write(out / f"index.{fmt}", text))
    return written


def _write(path: Path, text: str) -> Path:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path
