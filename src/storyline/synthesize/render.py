"""Dossiers as documents people read: Markdown and one self-contained HTML file.

Both renderers take the dossier *document* (``Dossier.to_dict()``, the JSON contract), so any
exported dossier can be rendered again later, and optionally the texts of its articles, to
quote the passage each citation points at. The HTML is a single file with its style inline: no
script, no external resource, every piece of article content escaped by Jinja2's autoescape.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader

from storyline.text import quoted

__all__ = ["dossier_html", "dossier_markdown", "index_html", "index_markdown"]

Document = Mapping[str, Any]

_PASSAGE_LIMIT = 280
"""Longest cited passage quoted in full; longer ones are cut at a word boundary."""


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("storyline.synthesize", "templates"),
        # Markdown templates escape with the ``md`` filter instead: HTML entities in a .md file
        # would be noise to a reader of the plain text.
        autoescape=lambda name: name is None or not name.endswith(".md.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["day"] = lambda iso: (iso or "")[:10] or "undated"
    environment.filters["md"] = _markdown_escape
    # A direct quote's span usually holds its own marks: they are added only where it has none.
    environment.filters["quoted"] = quoted
    environment.filters["web_url"] = _web_url
    return environment


def _markdown_escape(value: object) -> str:
    """Text safe inside a Markdown table cell or paragraph: no raw HTML, no cell breaks."""
    text = " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("`", "\\`")


def _web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address; anything else (``javascript:``...) is no link."""
    if url and url.split(":", 1)[0].lower() in ("http", "https") and ">" not in url:
        return url
    return None


def _passage(texts: Mapping[str, str] | None, evidence: Mapping[str, Any]) -> str | None:
    if not texts or evidence["article_id"] not in texts:
        return None
    passage = " ".join(texts[evidence["article_id"]][evidence["start"] : evidence["end"]].split())
    if len(passage) > _PASSAGE_LIMIT:
        passage = passage[:_PASSAGE_LIMIT].rsplit(" ", 1)[0] + " …"
    return passage


def _view(document: Document, texts: Mapping[str, str] | None) -> dict[str, Any]:
    """What both renderers show, arranged: numbered sources, quotes grouped, claims marked
    disputed, each citation with its passage."""
    articles = list(document["articles"])
    number = {a["id"]: i for i, a in enumerate(articles, 1)}
    copies: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        if article["duplicate_of"]:
            copies[article["duplicate_of"]].append(article["id"])

    def cite(evidence: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **evidence,
            "n": number.get(evidence["article_id"]),
            "passage": _passage(texts, evidence),
        }

    disputed: dict[str, list[str]] = defaultdict(list)
    for disagreement in document["disagreements"]:
        for claim_id in disagreement["claim_ids"]:
            disputed[claim_id].append(disagreement["type"])
    claims = [
        {**c, "support": [cite(e) for e in c["support"]], "disputed": disputed.get(c["id"], [])}
        for c in document["claims"]
    ]
    statement = {c["id"]: c["statement"] for c in document["claims"]}
    speakers: dict[str, list[dict[str, Any]]] = {}
    for quote in document["quotes"]:
        speakers.setdefault(quote["speaker"], []).append(
            {**quote, "n": number.get(quote["article_id"])}
        )
    published = [a["published"] for a in articles if a["published"]]
    return {
        "d": document,
        "sources": [
            {**a, "n": number[a["id"]], "copies": [number[c] for c in copies.get(a["id"], [])]}
            for a in articles
            if not a["duplicate_of"] or a["duplicate_of"] not in number
        ],
        "outlets": len({a["source"] or a["id"] for a in articles}),
        "first": min(published) if published else None,
        "last": max(published) if published else None,
        "brief": [{**b, "n": number.get(b["article_id"])} for b in document["brief"]],
        "claims": claims,
        "disagreements": [
            {**d, "statements": [statement.get(c, c) for c in d["claim_ids"]]}
            for d in document["disagreements"]
        ],
        "timeline": [
            {**t, "sources": [cite(e) for e in t["sources"]]} for t in document["timeline"]
        ],
        "speakers": sorted(speakers.items(), key=lambda item: (-len(item[1]), item[0])),
    }


def dossier_markdown(document: Document, texts: Mapping[str, str] | None = None) -> str:
    """The dossier as Markdown: brief, disagreements, claims, timeline, quotes, sources."""
    return _environment().get_template("dossier.md.j2").render(_view(document, texts))


def dossier_html(document: Document, texts: Mapping[str, str] | None = None) -> str:
    """The dossier as one self-contained HTML page (inline style, no script, escaped content)."""
    return _environment().get_template("dossier.html.j2").render(_view(document, texts))


def index_markdown(stories: Sequence[Mapping[str, Any]], files: Mapping[str, str]) -> str:
    """An index of exported dossiers: ``stories`` as ``storyline stories`` lists them, and
    the file each dossier was written to."""
    return _environment().get_template("index.md.j2").render(stories=stories, files=files)


def index_html(stories: Sequence[Mapping[str, Any]], files: Mapping[str, str]) -> str:
    """The HTML index of exported dossiers, linking each story's file."""
    return _environment().get_template("index.html.j2").render(stories=stories, files=files)
