"""WARC archives: HTML responses become articles; everything else is passed over or rejected."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.config import Settings
from storyline.errors import RejectCode
from storyline.ingest.warc import read_warc
from storyline.model import Article, PublishedFrom, ReadResult, Rejected

PAGES = Path(__file__).resolve().parent / "fixtures" / "ingest" / "pages"
BRIDGE_URL = "https://harborgazette.example/2023/03/27/ferris-street-bridge-closed"
CAFE_URL = "https://valleycourier.example/news/cafe-owners-parking"
CRAWLED = "2024-01-05T10:00:00Z"


class Archive:
    """Writes a small WARC the way a crawler would, with warcio's own writer."""

    def __init__(self, *, gzip: bool = False) -> None:
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=gzip)

    def warcinfo(self) -> Archive:
        info = {"software": "storyline-tests", "format": "WARC File Format 1.1"}
        self.writer.write_record(self.writer.create_warcinfo_record("test.warc", info))
        return self

    def request(self, url: str) -> Archive:
        headers = StatusAndHeaders(
            "GET / HTTP/1.1", [("Host", url.split("/")[2])], is_http_request=True
        )
        self._write(url, "request", b"", headers)
        return self

    def response(self, url: str, body: bytes, content_type: str, status: str = "200 OK") -> Archive:
        headers = StatusAndHeaders(
            status,
            [("Content-Type", content_type), ("Content-Length", str(len(body)))],
            protocol="HTTP/1.1",
        )
        self._write(url, "response", body, headers)
        return self

    def metadata(self, url: str) -> Archive:
        record = self.writer.create_warc_record(
            url,
            "metadata",
            payload=io.BytesIO(b"fetchTimeMs: 212\r\n"),
            warc_content_type="application/warc-fields",
        )
        self.writer.write_record(record)
        return self

    def _write(self, url: str, kind: str, body: bytes, headers: StatusAndHeaders) -> None:
        record = self.writer.create_warc_record(
            url,
            kind,
            payload=io.BytesIO(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": CRAWLED},
        )
        self.writer.write_record(record)

    def bytes(self) -> bytes:
        return self.buffer.getvalue()


def news_archive(*, gzip: bool = False) -> bytes:
    """A crawl of two news pages, a logo, their requests and crawler metadata."""
    return (
        Archive(gzip=gzip)
        .warcinfo()
        .request(BRIDGE_URL)
        .response(
            BRIDGE_URL, (PAGES / "bridge-closed.html").read_bytes(), "text/html; charset=utf-8"
        )
        .metadata(BRIDGE_URL)
        .request("https://harborgazette.example/logo.png")
        .response("https://harborgazette.example/logo.png", b"\x89PNG\r\n\x1a\n" * 40, "image/png")
        .request(CAFE_URL)
        .response(
            CAFE_URL,
            (PAGES / "cafe-parking.cp1252.html").read_bytes(),
            "text/html; charset=windows-1252",
        )
        .bytes()
    )


def read(data: bytes, settings: Settings) -> list[ReadResult]:
    return list(read_warc(io.BytesIO(data), location="crawl.warc", settings=settings))


def test_html_responses_become_articles(settings: Settings) -> None:
    results = read(news_archive(), settings)

    assert [type(r).__name__ for r in results] == ["Article", "Article"]
    bridge, cafe = results
    assert isinstance(bridge, Article) and isinstance(cafe, Article)
    # Locations count response records, the logo included.
    assert [bridge.location, cafe.location] == ["crawl.warc#1", "crawl.warc#3"]
    assert [bridge.url, cafe.url] == [BRIDGE_URL, CAFE_URL]
    assert {bridge.reader, cafe.reader} == {"warc"}
    assert bridge.title == "Council closes Ferris Street bridge to heavy trucks"
    assert bridge.text.startswith("The Marlow county council voted 7-2 on Monday night")
    assert "Subscribe" not in bridge.text


def test_publication_time_comes_from_the_page_not_the_crawl(settings: Settings) -> None:
    bridge, cafe = read(news_archive(), settings)

    assert isinstance(bridge, Article) and isinstance(cafe, Article)
    assert bridge.published == datetime(2023, 3, 27, 16, 40, tzinfo=UTC)
    assert bridge.published_from is PublishedFrom.METADATA
    assert cafe.published == datetime(2023, 3, 29, 8, 5, tzinfo=UTC)


def test_crawl_time_is_never_the_publication_time(settings: Settings) -> None:
    page = (PAGES / "bridge-closed.html").read_bytes()
    undated = page.replace(
        b'<meta property="article:published_time" content="2023-03-27T18:40:00+02:00">', b""
    )
    assert undated != page
    data = Archive().response("https://harborgazette.example/local/bridge", undated, "text/html")

    (result,) = read(data.bytes(), settings)

    assert isinstance(result, Article)
    assert result.published != datetime.fromisoformat(CRAWLED)
    assert result.published_from is not PublishedFrom.INPUT


def test_charset_from_the_http_header_decodes_windows_1252(settings: Settings) -> None:
    cafe = read(news_archive(), settings)[1]

    assert isinstance(cafe, Article)
    assert cafe.title == "Café owners fight harbor parking plan"
    assert "“Our customers don’t arrive by bus,” said Renée Fournier" in cafe.text
    assert "up to €30,000 a year" in cafe.text


def test_gzipped_archive_reads_the_same(settings: Settings) -> None:
    plain = read(news_archive(), settings)
    gzipped = read(news_archive(gzip=True), settings)

    assert gzipped == plain


def test_archive_without_html_pages_is_one_warc_no_html(settings: Settings) -> None:
    data = (
        Archive()
        .warcinfo()
        .request("https://harborgazette.example/logo.png")
        .response("https://harborgazette.example/logo.png", b"\x89PNG\r\n\x1a\n" * 40, "image/png")
        .response(
            "https://harborgazette.example/gone",
            b"<html>Not found</html>",
            "text/html",
            "404 Not Found",
        )
        .response(
            "https://harborgazette.example/old", b"<html>Moved</html>", "text/html", "301 Moved"
        )
        .bytes()
    )

    (result,) = read(data, settings)

    assert isinstance(result, Rejected)
    assert result.code is RejectCode.WARC_NO_HTML
    assert result.location == "crawl.warc"
    assert "3 responses: 1 not HTML, 2 not 2xx" in result.message


def test_truncated_last_record_keeps_the_pages_before_it(settings: Settings) -> None:
    data = news_archive()

    results = read(data[:-300], settings)

    assert [type(r).__name__ for r in results] == ["Article", "Rejected"]
    damaged = results[1]
    assert isinstance(damaged, Rejected)
    assert damaged.code is RejectCode.MALFORMED_WARC
    assert damaged.location == "crawl.warc#3"
    assert "truncated" in damaged.message


def test_archive_cut_inside_a_record_header(settings: Settings) -> None:
    data = news_archive()
    cut = data.index(b"WARC-Type: request", data.index(b"WARC-Type: metadata")) + 20

    results = read(data[:cut], settings)

    assert [type(r).__name__ for r in results] == ["Article", "Rejected"]
    assert isinstance(results[1], Rejected)
    assert results[1].code is RejectCode.MALFORMED_WARC
    assert results[1].location == "crawl.warc"


def test_every_cut_of_an_archive_reads_without_raising(settings: Settings) -> None:
    data = news_archive(gzip=True)
    complete = read(data, settings)

    for cut in range(0, len(data), 97):
        results = read(data[:cut], settings)
        articles = [r for r in results if isinstance(r, Article)]
        rejected = [r for r in results if isinstance(r, Rejected)]
        assert articles == complete[: len(articles)], cut
        assert len(rejected) <= 1, (cut, rejected)
        assert results, cut


@pytest.mark.parametrize(
    "data",
    [b"", b"Not an archive: just a line of text.\n", b"\x1f\x8b\x08\x00garbage"],
    ids=["empty", "text", "bad-gzip"],
)
def test_input_that_is_not_a_warc_is_one_malformed_warc(data: bytes, settings: Settings) -> None:
    (result,) = read(data, settings)

    assert isinstance(result, Rejected)
    assert result.code is RejectCode.MALFORMED_WARC
    assert result.location == "crawl.warc"


def test_oversize_page_is_rejected_and_the_rest_still_read(settings: Settings) -> None:
    huge = b"<html><body>" + b"<p>The council met again.</p>" * 2000 + b"</body></html>"
    data = (
        Archive()
        .response("https://harborgazette.example/2023/03/28/minutes", huge, "text/html")
        .response(BRIDGE_URL, (PAGES / "bridge-closed.html").read_bytes(), "text/html")
        .bytes()
    )
    limited = dataclasses.replace(
        settings, ingest=dataclasses.replace(settings.ingest, max_record_bytes=20_000)
    )

    oversize, bridge = read(data, limited)

    assert isinstance(oversize, Rejected)
    assert (oversize.code, oversize.location) == (RejectCode.OVERSIZE_INPUT, "crawl.warc#1")
    assert isinstance(bridge, Article)
    assert bridge.location == "crawl.warc#2"
