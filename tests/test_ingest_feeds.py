"""RSS 2.0, RSS 1.0/RDF and Atom feeds: one article or rejection per entry."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.config import Settings
from storyline.errors import RejectCode
from storyline.ingest.feeds import fragment_text, read_feed
from storyline.model import Article, PublishedFrom, ReadResult, Rejected

FEEDS = Path(__file__).resolve().parent / "fixtures" / "ingest"


def read(name: str, settings: Settings) -> list[ReadResult]:
    path = FEEDS / name
    with path.open("rb") as stream:
        return list(read_feed(stream, location=str(path), settings=settings))


def read_bytes(data: bytes, settings: Settings) -> list[ReadResult]:
    return list(read_feed(io.BytesIO(data), location="feed.xml", settings=settings))


def article(result: ReadResult) -> Article:
    assert isinstance(result, Article), result
    return result


def test_rss2_entries_become_articles_with_entry_metadata(settings: Settings) -> None:
    results = read("harbor-gazette.rss", settings)
    first = article(results[0])

    assert first.location == f"{FEEDS / 'harbor-gazette.rss'}#1"
    assert first.reader == "rss"
    assert first.source == "Harbor Gazette"
    assert first.title == "Council closes Ferris Street bridge to heavy trucks"
    assert first.url == "https://harborgazette.example/2023/03/27/ferris-street-bridge-closed"
    assert first.author == "Ines Calder"
    assert first.language == "en-us"
    assert first.published == datetime(2023, 3, 27, 16, 40, tzinfo=UTC)
    assert first.published_from is PublishedFrom.INPUT


def test_rss2_prefers_full_content_and_keeps_lists_without_captions_or_scripts(
    settings: Settings,
) -> None:
    text = article(read("harbor-gazette.rss", settings)[0]).text

    assert text.splitlines() == [
        "The Marlow county council voted 7-2 on Monday night to close the Ferris Street bridge to"
        " trucks heavier than ten tonnes, after inspectors found corrosion in two of its support"
        " beams.",
        "“We cannot wait for a collapse,” said council chair Ines Obradovic. Engineers put the"
        " cost of repairs at $4.2 million.",
        "Trucks over ten tonnes must detour via Route 9.",
        "The ban starts on Monday, April 3.",
        "Freight operators said the detour adds 40 minutes to each trip.",
        "The port authority has asked for an exemption for its container shuttles.",
    ]


def test_rss2_description_author_email_and_named_time_zone(settings: Settings) -> None:
    second = article(read("harbor-gazette.rss", settings)[1])

    assert second.text.startswith("The Port Marlow ferry company will raise fares by 8 percent")
    assert "\nA monthly commuter pass will cost $96" in second.text
    assert second.author == "Tomas Reyes"
    # "EST" is five hours behind UTC.
    assert second.published == datetime(2023, 3, 26, 14, 15, tzinfo=UTC)


def test_bad_entries_are_rejected_one_by_one(settings: Settings) -> None:
    results = read("harbor-gazette.rss", settings)

    assert [type(r).__name__ for r in results] == ["Article", "Article", "Rejected", "Rejected"]
    missing, short = results[2], results[3]
    assert isinstance(missing, Rejected) and isinstance(short, Rejected)
    assert (missing.code, missing.location.rsplit("#", 1)[1]) == (RejectCode.MISSING_TEXT, "3")
    assert (short.code, short.location.rsplit("#", 1)[1]) == (RejectCode.TEXT_TOO_SHORT, "4")


def test_atom_entries(settings: Settings) -> None:
    html, xhtml, plain = (article(r) for r in read("valley-courier.atom", settings))

    assert {a.reader for a in (html, xhtml, plain)} == {"atom"}
    assert {a.source for a in (html, xhtml, plain)} == {"Valley Courier"}
    assert html.title == "Bridge ban will hit port shuttles, operators say"
    assert html.url == "https://valleycourier.example/news/4411-bridge-ban-shuttles"
    assert html.author == "Priya Nandakumar"
    assert html.language == "en"
    # <published> wins over <updated>, and its offset is applied.
    assert html.published == datetime(2023, 3, 28, 10, 30, tzinfo=UTC)
    assert html.text.splitlines()[1].startswith("The county council voted 7-2 for the ban")
    assert xhtml.text.startswith("The Lower Valley school board postponed a vote")
    assert len(xhtml.text.splitlines()) == 2
    # Without <published>, <updated> is the entry's date.
    assert xhtml.published == datetime(2023, 3, 27, 21, 10, tzinfo=UTC)
    # A plain-text summary: the file's line wrapping is not kept.
    assert "\n" not in plain.text
    assert "upper valley from Tuesday evening" in plain.text


def test_rss1_rdf_entries(settings: Settings) -> None:
    results = [article(r) for r in read("tri-county-wire.rdf", settings)]

    assert [a.url for a in results] == [
        "https://tricountywire.example/2023/03/27/bridge-corrosion",
        "https://tricountywire.example/2023/03/27/water-main",
    ]
    bridge = results[0]
    assert bridge.reader == "rss"
    assert bridge.source == "Tri-County Wire"
    assert bridge.author == "Tri-County Wire staff"
    assert bridge.language == "en"
    assert bridge.published == datetime(2023, 3, 27, 17, 5, tzinfo=UTC)
    assert bridge.text.startswith("PORT MARLOW (TCW) — Marlow County officials on Monday")


def test_feed_that_is_not_well_formed_still_yields_its_entries(settings: Settings) -> None:
    (result,) = read("broken-entities.rss", settings)

    trout = article(result)
    assert trout.title == "Fish & Game extends trout season"
    assert "The state Fish & Game department extended" in trout.text
    assert "water levels were high" in trout.text


def test_whole_page_in_an_entry_loses_its_navigation(settings: Settings) -> None:
    (result,) = read("syndicated-pages.rss", settings)

    page = article(result)
    assert page.text.startswith("The Port Marlow authority on Tuesday asked")
    assert "Jobs board" not in page.text
    assert "newsletter" not in page.text
    assert page.title == "Port authority asks for bridge exemption"
    assert page.source == "Marlow Metro Syndicate"
    assert page.published == datetime(2023, 3, 28, 12, 30, tzinfo=UTC)
    assert page.published_from is PublishedFrom.INPUT


def test_feed_without_entries_is_one_empty_feed(settings: Settings) -> None:
    (result,) = read("empty-channel.rss", settings)

    assert isinstance(result, Rejected)
    assert result.code is RejectCode.EMPTY_FEED
    assert result.location == str(FEEDS / "empty-channel.rss")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Council closes bridge. This is a memo, not a feed.",
        b"<!DOCTYPE html><html><body><p>A web page, not a feed.</p></body></html>",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbor Gaz',
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
    ],
    ids=["empty", "prose", "html-page", "cut-short", "binary"],
)
def test_unparseable_input_is_one_malformed_feed(data: bytes, settings: Settings) -> None:
    (result,) = read_bytes(data, settings)

    assert isinstance(result, Rejected)
    assert result.code is RejectCode.MALFORMED_FEED
    assert result.location == "feed.xml"


def test_oversize_entry_is_rejected_and_the_rest_still_read(settings: Settings) -> None:
    small = dataclasses.replace(
        settings, ingest=dataclasses.replace(settings.ingest, max_record_bytes=1000)
    )

    results = read("harbor-gazette.rss", small)

    assert isinstance(results[0], Rejected)
    assert results[0].code is RejectCode.OVERSIZE_INPUT
    assert isinstance(results[1], Article)


def test_fragment_text_keeps_one_line_per_block() -> None:
    markup = """<h2>Road  works</h2><p>Lanes close
        at <b>night</b>.<br>Buses divert.</p><ul><li>Route 9</li><li>Route 12</li></ul>
        <figure><img src="x.jpg"><figcaption>Photo: staff</figcaption></figure>
        <style>p { color: red }</style><script>track()</script><p>Read more</p>"""

    assert fragment_text(markup) == (
        "Road works\nLanes close at night.\nBuses divert.\nRoute 9\nRoute 12"
    )


def test_every_cut_of_a_feed_reads_without_raising(settings: Settings) -> None:
    data = (FEEDS / "harbor-gazette.rss").read_bytes()

    for cut in range(0, len(data), 53):
        results = read_bytes(data[:cut], settings)
        assert results, cut
        assert all(r.location.startswith("feed.xml") for r in results), cut


def test_control_bytes_in_an_html_entry_are_dropped_not_a_reader_error(settings: Settings) -> None:
    # Found by tests/test_fuzz_readers.py: lxml parsed the control byte into a text node, then
    # refused it when the text was set again (ValueError, one reader_error per such entry).
    feed = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Courier</title>'
        b'<entry><title>Ferry resumes</title><content type="html">&lt;p&gt;The Lake Orr ferry'
        b" resumed\x01 service on Tuesday after a week of storms.&lt;/p&gt;"
        b"</content></entry></feed>"
    )

    short = dataclasses.replace(settings.ingest, min_text_chars=20)
    [result] = read_bytes(feed, dataclasses.replace(settings, ingest=short))

    assert (
        article(result).text
        == "The Lake Orr ferry resumed service on Tuesday after a week of storms."
    )
    assert fragment_text("<p>a\x00b\x1fc</p>") == "abc"
