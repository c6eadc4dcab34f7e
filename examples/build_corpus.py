"""Render the demo corpus from ``examples/corpus-src/*.jsonl`` into mixed input formats.

Every source record names the format it is published in; this script writes::

    corpus/articles.jsonl          "jsonl" and "jsonl-html" records (the input-article contract)
    corpus/pages/<host>/<slug>.html  "html" records, one page each, per-outlet templates
    corpus/feeds/<host>.rss|.atom  "rss" and "atom" records, one feed per outlet
    corpus/archive/crawl.warc.gz   "warc" records as request/response pairs, plus robots.txt
    corpus/notes/<id>.txt          "text" records

The output is byte-identical on every run: inputs are sorted, timestamps come from the
records, and WARC record ids are derived from URLs. Gold labels (``story``, ``wire_of``)
stay in ``corpus-src``. Run: ``python examples/build_corpus.py``.
"""

from __future__ import annotations

import html
import json
import shutil
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path
from typing import TypedDict, cast
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent
SRC = HERE / "corpus-src"
OUT = HERE / "corpus"
FORMATS = {"jsonl", "jsonl-html", "html", "rss", "atom", "warc", "text"}
CRAWLER = "storyline-demo-crawler/1.0 (+https://storyline.example/crawler)"
NS_CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_ATOM = "http://www.w3.org/2005/Atom"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class Source(TypedDict):
    id: str
    story: str
    format: str
    outlet: str
    url: str
    author: str | None
    published: str
    title: str
    text: str
    wire_of: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Outlet:
    """How one outlet's site looks: its page template knobs and its feed style."""

    sections: tuple[str, ...]
    cookie: str
    tagline: str
    evergreen: tuple[str, ...]
    date_in: str = "meta"  # "meta": article:published_time; "time": <time> only; "jsonld"
    charset: str = "utf-8"  # encoding of its pages/ files
    us_dates: bool = False  # "March 6, 2024" instead of "6 March 2024"
    feed_html_in: str = "content:encoded"  # or "description"


OUTLETS: dict[str, Outlet] = {
    "meridianpress.example": Outlet(
        sections=("Top stories", "Valdoria", "World", "Business", "Sport", "Photos"),
        cookie="We use cookies to personalise content and to analyse our traffic. "
        "You can change your choice at any time under Privacy settings.",
        tagline="Meridian Press is an independent news agency founded in 1921.",
        evergreen=("Meridian Press style guide", "Corrections and clarifications"),
    ),
    "harborgazette.example": Outlet(
        sections=("Calder", "Region", "Port & Shipping", "Opinion", "Sport", "Obituaries"),
        cookie="Harbor Gazette and our partners store cookies on your device to improve "
        "your experience. Accept to continue, or manage your preferences.",
        tagline="Serving Calder and the coast since 1887.",
        evergreen=("Tide tables for Calder harbour", "Subscribe to the print edition"),
        us_dates=True,
    ),
    "dailyledger.example": Outlet(
        sections=("Home", "Politics", "Economy", "World", "Analysis", "Culture", "Puzzles"),
        cookie="The Daily Ledger uses cookies and similar technologies. Read our cookie "
        "notice to find out more.",
        tagline="The Daily Ledger. Independent journalism since 1902.",
        evergreen=("Today's crossword", "Letters to the editor"),
        date_in="jsonld",
    ),
    "northfieldcourier.example": Outlet(
        sections=("Northfield", "Farming", "Business", "Sport", "What’s on", "Jobs"),
        cookie="This website uses cookies — some are essential, others help us understand "
        "how you use the site. Read our cookie policy (updated 1 January 2024).",
        tagline="Northfield Courier — the voice of the north since 1911.",
        evergreen=("Northfield market prices", "Weekend events guide"),
        charset="windows-1252",
    ),
    "capitalobserver.example": Outlet(
        sections=("Parliament", "Government", "Elections", "Policy", "Newsletter"),
        cookie="Capital Observer uses cookies for analytics and to remember your settings.",
        tagline="Capital Observer covers power and politics in Arlen.",
        evergreen=("Who's who in parliament", "Sign up for the Morning Briefing"),
        us_dates=True,
    ),
    "riversidetribune.example": Outlet(
        sections=("Local", "Eastbrook", "Tessin", "Sport", "Community", "Classifieds"),
        cookie="We value your privacy. We and our partners use cookies to deliver our "
        "services and show relevant offers.",
        tagline="Riverside Tribune: the Tessin valley's newspaper.",
        evergreen=("Eastbrook bin collection dates", "Send us your photos"),
        feed_html_in="description",
    ),
    "globaldispatch.example": Outlet(
        sections=("World", "Europe", "Business", "Climate", "Tech", "Video"),
        cookie="Global Dispatch uses cookies. Some are necessary for the site to work; "
        "others help us measure audiences.",
        tagline="Global Dispatch — news from everywhere, for everyone.",
        evergreen=("Markets today", "The week in pictures"),
        us_dates=True,
    ),
    "eveningsentinel.example": Outlet(
        sections=("News", "Showbiz", "Sport", "Money", "Puzzles", "Horoscopes"),
        cookie="YOUR PRIVACY: we and our 148 partners use cookies to show you ads you'll "
        "love. Click OK to carry on reading.",
        tagline="The Evening Sentinel — the nation's favourite read since 1958.",
        evergreen=("WIN a dream holiday for two", "Today's stars with Madame Zora"),
        date_in="time",
    ),
}
DEFAULT_OUTLET = Outlet(
    sections=("News", "Opinion", "Sport"),
    cookie="This site uses cookies.",
    tagline="",
    evergreen=(),
)


def host_of(r: Source) -> str:
    return urlsplit(r["url"]).hostname or ""


def slug_of(r: Source) -> str:
    return urlsplit(r["url"]).path.rstrip("/").rsplit("/", 1)[-1]


def when(r: Source) -> datetime:
    """Publication time; a date-only value counts as midnight UTC."""
    dt = datetime.fromisoformat(r["published"])
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def human_date(r: Source, outlet: Outlet) -> str:
    dt, date_only = when(r), len(r["published"]) == 10
    day = (
        f"{MONTHS[dt.month - 1]} {dt.day}, {dt.year}"
        if outlet.us_dates
        else f"{dt.day} {MONTHS[dt.month - 1]} {dt.year}"
    )
    return day if date_only else f"{day}, {dt:%H:%M}"


def body_html(text: str) -> str:
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in text.split("\n\n"))


def render_page(r: Source, related: list[Source], charset: str = "utf-8") -> str:
    """A full article page with the boilerplate a real news site wraps around the story."""
    outlet, e = OUTLETS.get(host_of(r), DEFAULT_OUTLET), html.escape
    name, author = r["outlet"], r["author"]
    first = r["text"].split("\n\n", 1)[0]
    head = [
        f'<meta charset="{charset}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(r['title'])} | {e(name)}</title>",
        f'<meta name="description" content="{e(first[:157] + "…" * (len(first) > 157))}">',
        f'<meta property="og:site_name" content="{e(name)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{e(r["title"])}">',
        f'<meta property="og:url" content="{e(r["url"])}">',
    ]
    if author:
        head.append(f'<meta name="author" content="{e(author)}">')
    if outlet.date_in == "meta":
        head.append(f'<meta property="article:published_time" content="{e(r["published"])}">')
    head += [
        f'<link rel="canonical" href="{e(r["url"])}">',
        '<link rel="stylesheet" href="/static/site.css">',
    ]
    if outlet.date_in == "jsonld":
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": r["title"],
            "datePublished": r["published"],
            "mainEntityOfPage": r["url"],
            "author": {"@type": "Person", "name": author or name},
            "publisher": {"@type": "Organization", "name": name},
        }
        data = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
        head.append(f'<script type="application/ld+json">{data}</script>')
    dated = (
        f'<span class="dateline">{e(human_date(r, outlet))}</span>'
        if outlet.date_in == "jsonld"
        else f'<time datetime="{e(r["published"])}">{e(human_date(r, outlet))}</time>'
    )
    byline = ""
    if author:
        profile = e(author.lower().replace(" ", "-"))
        byline = f'By <a rel="author" href="/authors/{profile}">{e(author)}</a> · '
    nav = "".join(
        f'<li><a href="/{e(s.lower().replace(" ", "-"))}/">{e(s)}</a></li>' for s in outlet.sections
    )
    links = [f'<li><a href="{e(o["url"])}">{e(o["title"])}</a></li>' for o in related]
    links += [f'<li><a href="/info/{i}">{e(t)}</a></li>' for i, t in enumerate(outlet.evergreen)]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
{chr(10).join(head)}
</head>
<body>
<div class="cookie-banner" id="cookie-consent" role="dialog">
<p>{e(outlet.cookie)}</p>
<button type="button">Accept all</button> <button type="button">Manage preferences</button>
</div>
<header class="site-header">
<a class="logo" href="/">{e(name)}</a>
<nav class="main-nav"><ul>{nav}</ul></nav>
<form class="search" action="/search"><input name="q" placeholder="Search"></form>
</header>
<main>
<article class="story">
<h1>{e(r["title"])}</h1>
<p class="byline">{byline}{dated}</p>
<div class="story-body">
{body_html(r["text"])}
</div>
</article>
<aside class="sidebar">
<h2>Related</h2>
<ul>{"".join(links)}</ul>
<div class="newsletter"><h2>Get the morning briefing</h2>
<p>The day's top stories in your inbox, every morning at 7.</p>
<input type="email" placeholder="Your email"> <button type="button">Sign up</button></div>
</aside>
</main>
<footer class="site-footer">
<ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li>
<li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li></ul>
<p>{e(outlet.tagline)}</p>
<p>© 2024 {e(name)}. All rights reserved.</p>
</footer>
</body>
</html>
"""


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    if path.exists():
        raise SystemExit(f"two records render to {path.relative_to(OUT)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding, errors="xmlcharrefreplace"))


def write_xml(path: Path, root: ET.Element) -> None:
    ET.indent(root)
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data + b"\n")


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    el.text = text
    return el


def write_rss(host: str, items: list[Source]) -> None:
    outlet = OUTLETS.get(host, DEFAULT_OUTLET)
    rss = ET.Element("rss", {"version": "2.0"})
    ch = sub(rss, "channel")
    sub(ch, "title", items[0]["outlet"])
    sub(ch, "link", f"https://{host}/")
    sub(ch, "description", outlet.tagline or items[0]["outlet"])
    sub(ch, "language", "en")
    sub(ch, "lastBuildDate", format_datetime(max(when(r) for r in items)))
    sub(
        ch,
        f"{{{NS_ATOM}}}link",
        href=f"https://{host}/feed.rss",
        rel="self",
        type="application/rss+xml",
    )
    for r in sorted(items, key=lambda r: (when(r), r["id"]), reverse=True):
        it = sub(ch, "item")
        sub(it, "title", r["title"])
        sub(it, "link", r["url"])
        sub(it, "guid", r["url"], isPermaLink="true")
        sub(it, "pubDate", format_datetime(when(r)))
        if r["author"]:
            sub(it, f"{{{NS_DC}}}creator", r["author"])
        if outlet.feed_html_in == "description":
            sub(it, "description", body_html(r["text"]))
        else:
            sub(it, "description", r["text"].split("\n\n", 1)[0])
            sub(it, f"{{{NS_CONTENT}}}encoded", body_html(r["text"]))
    write_xml(OUT / "feeds" / f"{host}.rss", rss)


def write_atom(host: str, items: list[Source]) -> None:
    # Plain tag names plus an xmlns attribute give the usual default-namespace Atom document.
    feed = ET.Element("feed", {"xmlns": NS_ATOM})
    sub(feed, "id", f"tag:{host},2024:feed")
    sub(feed, "title", items[0]["outlet"])
    sub(feed, "updated", max(when(r) for r in items).isoformat())
    sub(feed, "link", href=f"https://{host}/", rel="alternate")
    sub(feed, "link", href=f"https://{host}/feed.atom", rel="self")
    for r in sorted(items, key=lambda r: (when(r), r["id"]), reverse=True):
        en = sub(feed, "entry")
        sub(en, "id", f"tag:{host},2024:{slug_of(r)}")
        sub(en, "title", r["title"])
        sub(en, "link", href=r["url"], rel="alternate", type="text/html")
        sub(en, "published", when(r).isoformat())
        sub(en, "updated", when(r).isoformat())
        sub(sub(en, "author"), "name", r["author"] or r["outlet"])
        sub(en, "summary", r["text"].split("\n\n", 1)[0])
        sub(en, "content", body_html(r["text"]), type="html")
    write_xml(OUT / "feeds" / f"{host}.atom", feed)


def warc_id(kind: str, url: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{kind}:{url}')}>"


def warc_date(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_pair(w: WARCWriter, url: str, fetched: datetime, body: bytes, ctype: str) -> None:
    """A request record and its response, as a crawler would have stored them."""
    parts = urlsplit(url)
    req = StatusAndHeaders(
        f"GET {parts.path or '/'} HTTP/1.1",
        [
            ("Host", parts.hostname or ""),
            ("User-Agent", CRAWLER),
            ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"),
            ("Accept-Encoding", "identity"),
        ],
        is_http_request=True,
    )
    resp = StatusAndHeaders(
        "200 OK",
        [
            ("Date", format_datetime(fetched.astimezone(UTC), usegmt=True)),
            ("Server", "nginx"),
            ("Content-Type", ctype),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "max-age=300"),
        ],
        protocol="HTTP/1.1",
    )
    date = warc_date(fetched)
    response = w.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        http_headers=resp,
        warc_headers_dict={"WARC-Record-ID": warc_id("response", url), "WARC-Date": date},
    )
    request = w.create_warc_record(
        url,
        "request",
        http_headers=req,
        warc_headers_dict={"WARC-Record-ID": warc_id("request", url), "WARC-Date": date},
    )
    w.write_request_response_pair(request, response)


def write_warc(items: list[Source], related: dict[str, list[Source]]) -> None:
    # A crawler fetched each page two hours after publication, robots.txt a minute before.
    crawl = sorted(items, key=lambda r: (when(r), r["id"]))
    start = when(crawl[0]) + timedelta(hours=2) - timedelta(minutes=1)
    path = OUT / "archive" / "crawl.warc.gz"
    path.parent.mkdir(parents=True)
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True, warc_version="1.1")
        info = (
            f"software: {CRAWLER}\r\nformat: WARC File Format 1.1\r\n"
            "description: storyline demo crawl of fictional news sites\r\n"
        ).encode()
        w.write_record(
            w.create_warc_record(
                "",
                "warcinfo",
                payload=BytesIO(info),
                warc_content_type="application/warc-fields",
                warc_headers_dict={
                    "WARC-Record-ID": warc_id("warcinfo", "crawl.warc.gz"),
                    "WARC-Date": warc_date(start),
                    "WARC-Filename": "crawl.warc.gz",
                },
            )
        )
        seen: set[str] = set()
        for r in crawl:
            fetched, host = when(r) + timedelta(hours=2), host_of(r)
            if host not in seen:
                seen.add(host)
                robots = (
                    f"User-agent: *\nDisallow: /search\nDisallow: /account/\n\n"
                    f"Sitemap: https://{host}/sitemap.xml\n"
                ).encode()
                write_pair(
                    w,
                    f"https://{host}/robots.txt",
                    fetched - timedelta(minutes=1),
                    robots,
                    "text/plain; charset=utf-8",
                )
            page = render_page(r, related[r["id"]]).encode("utf-8")
            write_pair(w, r["url"], fetched, page, "text/html; charset=utf-8")


def load_sources() -> list[Source]:
    records: list[Source] = []
    for path in sorted(SRC.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                r = cast(Source, json.loads(line))
                if r["format"] not in FORMATS:
                    raise SystemExit(f"{path.name}:{n}: unknown format {r['format']!r}")
                records.append(r)
    ids = [r["id"] for r in records]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate ids in corpus-src")
    return sorted(records, key=lambda r: r["id"])


def related_links(records: list[Source]) -> dict[str, list[Source]]:
    """For each article, up to three earlier articles from the same outlet, newest first."""
    by_outlet: dict[str, list[Source]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (when(r), r["id"])):
        by_outlet[host_of(r)].append(r)
    out: dict[str, list[Source]] = {}
    for rs in by_outlet.values():
        for i, r in enumerate(rs):
            out[r["id"]] = rs[max(0, i - 3) : i][::-1]
    return out


def main() -> None:
    ET.register_namespace("content", NS_CONTENT)
    ET.register_namespace("dc", NS_DC)
    ET.register_namespace("atom", NS_ATOM)
    records = load_sources()
    related = related_links(records)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    by_format: dict[str, list[Source]] = defaultdict(list)
    for r in records:
        by_format[r["format"]].append(r)

    lines = []
    for r in sorted(by_format["jsonl"] + by_format["jsonl-html"], key=lambda r: r["id"]):
        body = (
            {"html": render_page(r, related[r["id"]])}
            if r["format"] == "jsonl-html"
            else {"text": r["text"]}
        )
        article = {
            "id": r["id"],
            "url": r["url"],
            "source": r["outlet"],
            "title": r["title"],
            **body,
            "published": r["published"],
            "author": r["author"],
            "language": "en",
        }
        lines.append(json.dumps(article, ensure_ascii=False) + "\n")
    write_text(OUT / "articles.jsonl", "".join(lines))

    for r in by_format["html"]:
        charset = OUTLETS.get(host_of(r), DEFAULT_OUTLET).charset
        page = render_page(r, related[r["id"]], charset)
        write_text(OUT / "pages" / host_of(r) / f"{slug_of(r)}.html", page, charset)

    for fmt, write_feed in (("rss", write_rss), ("atom", write_atom)):
        by_host: dict[str, list[Source]] = defaultdict(list)
        for r in by_format[fmt]:
            by_host[host_of(r)].append(r)
        for host in sorted(by_host):
            write_feed(host, by_host[host])

    if by_format["warc"]:
        write_warc(by_format["warc"], related)

    for r in by_format["text"]:
        write_text(OUT / "notes" / f"{r['id']}.txt", f"{r['title']}\n\n{r['text']}\n")

    counts = ", ".join(f"{fmt} {len(rs)}" for fmt, rs in sorted(by_format.items()))
    print(f"{len(records)} records -> {OUT}: {counts}")


if __name__ == "__main__":
    main()
