"""HTML pages: main text, metadata, encodings, and where the publication time came from."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.config import Settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest import read_articles
from storyline.ingest.base import derive_id
from storyline.ingest.html import article_from_html
from storyline.model import Article, PublishedFrom, ReadResult, Rejected

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"


def _one(path: Path, settings: Settings) -> Article:
    results: list[ReadResult] = list(read_articles(path, settings=settings))
    assert len(results) == 1
    result = results[0]
    assert not isinstance(result, Rejected), (result.code, result.message)
    return result


def test_page_text_and_metadata(settings: Settings) -> None:
    article = _one(GOOD / "levee.html", settings)
    assert article.reader == "html"
    assert article.title == "Levee repairs to start in April"
    assert article.source == "Valley Courier"
    assert article.url == "https://valleycourier.example/news/levee-repairs-april"
    assert article.id == derive_id(url=article.url, text="")
    assert article.text.startswith("Repairs to the Marlow river levee will begin on April 3")
    assert article.text.endswith("The department said it would study the request.")
    for furniture in ("Home", "Weather", "All rights reserved", "Levee repairs to start"):
        assert furniture not in article.text


def test_published_from_page_metadata_in_utc(settings: Settings) -> None:
    article = _one(GOOD / "levee.html", settings)
    assert article.published == datetime(2023, 3, 28, 14, 30, tzinfo=UTC)  # 10:30 -04:00
    assert article.published_from is PublishedFrom.METADATA


@pytest.mark.parametrize("name", ["cafe-undeclared.html", "cafe-latin1-label.html"])
def test_cp1252_pages(settings: Settings, name: str) -> None:
    """Undeclared windows-1252, and windows-1252 labelled latin-1 (as browsers read it)."""
    article = _one(GOOD / name, settings)
    assert article.title == "Café owners fight Mill Street parking rules"
    assert "José Núñez, who has run the Café Olé for 19 years" in article.text
    assert "“They can’t catch the 4 o’clock boat" in article.text
    assert "Anaïs Dupré, said the rules — approved 7–2 last month" in article.text
    assert not any("\x80" <= char <= "\x9f" or char == "\ufffd" for char in article.text)


def test_xhtml_with_an_xml_declaration(settings: Settings) -> None:
    article = _one(GOOD / "claims.xhtml", settings)
    assert article.title == "Flood claims top 300"
    assert article.text.startswith("Insurers have received more than 300 claims")


def _page(**head: str) -> str:
    metas = "".join(
        f'<meta property="{k.replace("_", ":")}" content="{v}">' for k, v in head.items()
    )
    paragraphs = (GOOD / "levee.html").read_text().split("<h1>", 1)[1].split("</article>")[0]
    return (
        f"<html><head><title>Levee repairs</title>{metas}</head><body><article><h1>"
        f"{paragraphs}</article><footer>© 2019 Valley Courier</footer></body></html>"
    )


def test_a_copyright_year_is_not_a_publication_date(settings: Settings) -> None:
    article = article_from_html(_page(), location="page", settings=settings)
    assert article.published is None


def test_a_date_in_the_url_is_labelled_url_not_metadata(settings: Settings) -> None:
    url = "https://valleycourier.example/news/2023/03/28/levee-repairs-april"
    article = article_from_html(_page(), location="page", settings=settings, url=url)
    assert article.published == datetime(2023, 3, 28, tzinfo=UTC)
    assert article.published_from is PublishedFrom.URL


def test_the_container_date_wins(settings: Settings) -> None:
    page = _page(article_published_time="2023-03-28T10:30:00-04:00")
    article = article_from_html(
        page, location="page", settings=settings, published="2023-03-28T16:00:00Z"
    )
    assert article.published == datetime(2023, 3, 28, 16, tzinfo=UTC)
    assert article.published_from is PublishedFrom.INPUT


def test_boilerplate_page_and_short_page_get_different_codes(settings: Settings) -> None:
    cookie_wall = (BAD / "cookie-wall.html").read_bytes()
    brief = (BAD / "ferry-brief.html").read_bytes()
    with pytest.raises(RecordRejected) as wall:
        article_from_html(cookie_wall, location="wall", settings=settings)
    with pytest.raises(RecordRejected) as short:
        article_from_html(brief, location="brief", settings=settings)
    assert (wall.value.code, short.value.code) == (
        RejectCode.BOILERPLATE_ONLY,
        RejectCode.TEXT_TOO_SHORT,
    )


def test_an_article_inside_a_wrapper_named_like_furniture_is_kept(settings: Settings) -> None:
    body = (
        (GOOD / "levee.html")
        .read_text()
        .replace("<main>", '<main><div class="page has-sidebar share-tools">')
        .replace("</main>", "</div></main>")
    )
    article = article_from_html(body, location="page", settings=settings)
    assert article.text.startswith("Repairs to the Marlow river levee")


def test_oversize_page(settings: Settings) -> None:
    tiny = dataclasses.replace(
        settings, ingest=dataclasses.replace(settings.ingest, max_record_bytes=512)
    )
    with pytest.raises(RecordRejected) as caught:
        article_from_html((GOOD / "levee.html").read_bytes(), location="p", settings=tiny)
    assert caught.value.code is RejectCode.OVERSIZE_INPUT


def test_lists_and_tables_count_as_content(settings: Settings) -> None:
    page = (
        "<html><head><title>Road closures</title></head><body>"
        '<nav><a href="/">Home</a></nav><article><h1>Road closures</h1>'
        "<p>The county closed these roads on Monday after the flood, and said more closures "
        "were possible if the river rose again overnight.</p>"
        "<ul><li>Harbor Road between the quay and Mill Bridge</li><li>Quay Lane</li>"
        "<li>Route 9 north of the ferry terminal</li></ul>"
        "<table><tr><td>Road</td><td>Reopens</td></tr><tr><td>Harbor Road</td>"
        "<td>Friday</td></tr></table></article><footer>© Harbor Gazette</footer></body></html>"
    )
    article = article_from_html(page, location="page", settings=settings)
    assert "Quay Lane" in article.text
    assert "Harbor Road" in article.text
