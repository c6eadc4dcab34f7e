"""URL lists and fetching, against a real HTTP server on 127.0.0.1 started by these tests.

Nothing here contacts another address: the public-address logic is tested as a pure function,
and invalid or unsupported URLs are refused before any network access.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import ipaddress
import itertools
import json
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType

import pytest

from storyline.config import Settings, load_settings
from storyline.errors import RejectCode
from storyline.ingest.urls import (
    FetchError,
    FetchSession,
    fetch_url,
    is_public_address,
    read_url_list,
)
from storyline.model import Article, PublishedFrom, ReadResult, Rejected

PAGES = Path(__file__).resolve().parent / "fixtures" / "ingest" / "pages"
BRIDGE = (PAGES / "bridge-closed.html").read_bytes()
CAFE = (PAGES / "cafe-parking.cp1252.html").read_bytes()
TEST_SECONDS = 15


class RanTooLong(BaseException):
    """Raised by the alarm: a BaseException, so no ``except Exception`` can swallow it."""


@pytest.fixture(autouse=True)
def time_limit() -> Iterator[None]:
    """Every test here ends within TEST_SECONDS, whatever the server or the client does."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise RanTooLong(f"test ran longer than {TEST_SECONDS}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, TEST_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class NewsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), NewsHandler)
        self.stopping = threading.Event()
        self.paths: list[str] = []
        self.user_agents: list[str] = []
        self.hosts: list[str] = []
        self.times: list[float] = []
        self.huge_bytes_sent = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class NewsHandler(BaseHTTPRequestHandler):
    server: NewsServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.server.user_agents.append(self.headers.get("User-Agent", ""))
        self.server.hosts.append(self.headers.get("Host", ""))
        self.server.times.append(time.monotonic())
        route = ROUTES.get(self.path.split("?")[0])
        if route is None and self.path.startswith("/loop/"):
            route = NewsHandler.loop
        (route or NewsHandler.missing)(self)

    def send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def article(self) -> None:
        self.send(200, BRIDGE, "text/html; charset=utf-8")

    def cafe(self) -> None:
        self.send(200, CAFE, "text/html; charset=windows-1252")

    def gzipped(self) -> None:
        self.send(200, gzip.compress(BRIDGE), "text/html", Content_Encoding="gzip")

    def gzip_bomb(self) -> None:
        self.send(200, gzip.compress(b" " * 20_000_000), "text/html", Content_Encoding="gzip")

    def robots(self) -> None:
        if self.headers.get("Host", "").startswith("down.test"):
            self.send(503, b"maintenance", "text/plain")
            return
        rules = b"User-agent: storyline\nDisallow: /private/\n\nUser-agent: *\nAllow: /\n"
        self.send(200, rules, "text/plain")

    def json(self) -> None:
        self.send(200, b'{"headline": "Council closes bridge"}', "application/json")

    def missing(self) -> None:
        self.send(404, b"<html><body>Page not found</body></html>", "text/html")

    def first_hop(self) -> None:
        self.redirect("/second-hop")

    def second_hop(self) -> None:
        self.redirect(f"{self.server.base}/2023/03/27/bridge", status=301)

    def loop(self) -> None:
        hop = int(self.path.rsplit("/", 1)[1])
        self.redirect(f"/loop/{hop + 1}")

    def to_other_loopback(self) -> None:
        # 127.0.0.2 is loopback too, so nothing leaves this machine even if the check failed;
        # the server listens on 127.0.0.1 only, so such a request would be refused, not served.
        self.redirect(f"http://127.0.0.2:{self.server.server_address[1]}/2023/03/27/bridge")

    def to_file(self) -> None:
        self.redirect("file:///etc/passwd")

    def slow(self) -> None:
        self.server.stopping.wait(10)

    def drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        for _ in range(200):
            if self.server.stopping.wait(0.05):
                return
            try:
                self.wfile.write(b"<p>")
                self.wfile.flush()
            except OSError:
                return

    def huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        chunk = b"<p>The council met again and again.</p>\n" * 1600
        try:
            while self.server.huge_bytes_sent < 50_000_000 and not self.server.stopping.is_set():
                self.wfile.write(chunk)
                self.server.huge_bytes_sent += len(chunk)
        except OSError:
            pass

    def cut_short(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(BRIDGE)))
        self.end_headers()
        self.wfile.write(BRIDGE[:300])

    def declared_huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(10**9))
        self.end_headers()


ROUTES: dict[str, Callable[[NewsHandler], None]] = {
    "/2023/03/27/bridge": NewsHandler.article,
    "/private/memo": NewsHandler.article,
    "/robots.txt": NewsHandler.robots,
    "/news/cafe": NewsHandler.cafe,
    "/gzipped": NewsHandler.gzipped,
    "/bomb": NewsHandler.gzip_bomb,
    "/api/story.json": NewsHandler.json,
    "/first-hop": NewsHandler.first_hop,
    "/second-hop": NewsHandler.second_hop,
    "/to-other-loopback": NewsHandler.to_other_loopback,
    "/to-file": NewsHandler.to_file,
    "/slow": NewsHandler.slow,
    "/drip": NewsHandler.drip,
    "/huge": NewsHandler.huge,
    "/declared-huge": NewsHandler.declared_huge,
    "/cut-short": NewsHandler.cut_short,
}


@pytest.fixture(scope="module")
def server() -> Iterator[NewsServer]:
    news = NewsServer()
    thread = threading.Thread(target=news.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield news
    finally:
        news.stopping.set()
        news.shutdown()
        news.server_close()
        thread.join(5)


def fetch_settings(**fetch: object) -> Settings:
    """Settings for fetching from the test server: private addresses allowed, short timeout."""
    values = {
        "fetch.allow_private_addresses": True,
        "fetch.timeout_seconds": 5,
        "fetch.host_delay_seconds": 0,
        **fetch,
    }
    return load_settings(
        environ={}, overrides={f"fetch.{k}" if "." not in k else k: v for k, v in values.items()}
    )


def refused(url: str, settings: Settings, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch_url(url, settings, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_fetch_page_sends_the_configured_user_agent(server: NewsServer) -> None:
    settings = fetch_settings(user_agent="storyline-tests/1.0 (+mailto:desk@example.org)")

    page = fetch_url(f"{server.base}/2023/03/27/bridge", settings)

    assert page.status == 200
    assert page.final_url == page.url == f"{server.base}/2023/03/27/bridge"
    assert (page.content_type, page.charset) == ("text/html", "utf-8")
    assert page.body == BRIDGE
    assert server.user_agents[-1] == "storyline-tests/1.0 (+mailto:desk@example.org)"


def test_redirect_chain_is_followed_to_the_final_url(server: NewsServer) -> None:
    page = fetch_url(f"{server.base}/first-hop", fetch_settings())

    assert page.final_url == f"{server.base}/2023/03/27/bridge"
    assert page.body == BRIDGE


def test_too_many_redirects_fail(server: NewsServer) -> None:
    error = refused(f"{server.base}/loop/0", fetch_settings(max_redirects=3))

    assert error.code is RejectCode.FETCH_FAILED
    assert "more than 3 redirects" in error.message
    assert error.message.endswith("the last went to " + f"{server.base}/loop/4")
    assert "/loop/3" in server.paths and "/loop/4" not in server.paths


def test_loopback_server_is_refused_by_default(server: NewsServer) -> None:
    port = server.server_address[1]
    before = len(server.paths)

    for url in (f"{server.base}/2023/03/27/bridge", f"http://localhost:{port}/2023/03/27/bridge"):
        error = refused(url, load_settings(environ={}))
        assert error.code is RejectCode.BLOCKED_ADDRESS, url

    assert len(server.paths) == before


def test_every_redirect_hop_is_checked(server: NewsServer) -> None:
    settings = load_settings(environ={})

    def only_the_test_server(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return ip == ipaddress.IPv4Address("127.0.0.1")

    direct = fetch_url(
        f"{server.base}/2023/03/27/bridge", settings, allow_address=only_the_test_server
    )
    error = refused(
        f"{server.base}/to-other-loopback", settings, allow_address=only_the_test_server
    )

    assert direct.body == BRIDGE
    assert error.code is RejectCode.BLOCKED_ADDRESS
    assert "127.0.0.2" in error.message


def test_redirect_to_a_file_url_is_refused(server: NewsServer) -> None:
    error = refused(f"{server.base}/to-file", fetch_settings())

    assert error.code is RejectCode.UNSUPPORTED_URL_SCHEME


def test_slow_server_times_out(server: NewsServer) -> None:
    started = time.monotonic()

    error = refused(f"{server.base}/slow", fetch_settings(timeout_seconds=0.3))

    assert error.code is RejectCode.FETCH_TIMEOUT
    assert time.monotonic() - started < 2


def test_server_dripping_bytes_times_out_on_the_whole_fetch(server: NewsServer) -> None:
    started = time.monotonic()

    error = refused(f"{server.base}/drip", fetch_settings(timeout_seconds=0.5))

    assert error.code is RejectCode.FETCH_TIMEOUT
    assert time.monotonic() - started < 2.5


def test_http_error_status_fails(server: NewsServer) -> None:
    error = refused(f"{server.base}/no-such-story", fetch_settings())

    assert error.code is RejectCode.FETCH_FAILED
    assert "HTTP 404" in error.message


def test_page_cut_short_by_the_server_fails(server: NewsServer) -> None:
    error = refused(f"{server.base}/cut-short", fetch_settings())

    assert error.code is RejectCode.FETCH_FAILED
    assert "closed before the page ended" in error.message


def test_refused_connection_fails() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    error = refused(f"http://127.0.0.1:{port}/news", fetch_settings())

    assert error.code is RejectCode.FETCH_FAILED


def test_huge_body_is_cut_off_while_streaming(server: NewsServer) -> None:
    error = refused(f"{server.base}/huge", fetch_settings(max_bytes=200_000))

    assert error.code is RejectCode.OVERSIZE_INPUT
    assert server.huge_bytes_sent < 50_000_000


def test_huge_declared_length_is_refused_before_reading(server: NewsServer) -> None:
    error = refused(f"{server.base}/declared-huge", fetch_settings(max_bytes=200_000))

    assert error.code is RejectCode.OVERSIZE_INPUT
    assert str(10**9) in error.message


def test_gzip_body_is_decoded_and_a_gzip_bomb_is_cut_off(server: NewsServer) -> None:
    settings = fetch_settings(max_bytes=200_000)

    page = fetch_url(f"{server.base}/gzipped", settings)
    bomb = refused(f"{server.base}/bomb", settings)

    assert page.body == BRIDGE
    assert bomb.code is RejectCode.OVERSIZE_INPUT


def test_non_html_content_type_is_not_html(server: NewsServer) -> None:
    error = refused(f"{server.base}/api/story.json", fetch_settings())

    assert error.code is RejectCode.NOT_HTML
    assert "application/json" in error.message


@pytest.mark.parametrize(
    "url",
    [
        "harborgazette.example/2023/03/27/bridge",
        "http://",
        "http:///2023/03/27/bridge",
        "https://harbor gazette.example/news",
        "https://[::1/news",
        "https://harborgazette.example:99999/news",
        "",
    ],
)
def test_invalid_url(url: str) -> None:
    error = refused(url, load_settings(environ={}))

    assert error.code is RejectCode.INVALID_URL


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://files.harborgazette.example/archive/2023.zip",
        "javascript:alert(document.cookie)",
        "gopher://harborgazette.example:70/1/news",
        "data:text/html,<p>Council closes bridge</p>",
    ],
)
def test_unsupported_url_scheme(url: str) -> None:
    error = refused(url, load_settings(environ={}))

    assert error.code is RejectCode.UNSUPPORTED_URL_SCHEME


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:93.184.215.14", True),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("10.20.30.40", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.7", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.251", False),
        ("239.255.255.250", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1%eth0", False),
        ("fc00::5", False),
        ("fd12:3456::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("2002:7f00:1::1", False),
    ],
)
def test_public_address_classifier(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def write_list(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "reading-list.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_list(path: Path, settings: Settings, *, fetch: bool) -> list[ReadResult]:
    with path.open("rb") as stream:
        return list(read_url_list(stream, location=str(path), settings=settings, fetch=fetch))


def test_url_list_without_fetch_is_one_rejection_and_no_request(
    server: NewsServer, tmp_path: Path
) -> None:
    path = write_list(
        tmp_path,
        "# bridge coverage",
        f"{server.base}/2023/03/27/bridge",
        "",
        f"{server.base}/news/cafe",
        f"{server.base}/first-hop",
    )
    before = len(server.paths)

    (result,) = read_list(path, fetch_settings(), fetch=False)

    assert isinstance(result, Rejected)
    assert result.code is RejectCode.URL_LIST_NEEDS_FETCH
    assert result.location == str(path)
    assert "pass --fetch to download the 3 URLs" in result.message
    assert len(server.paths) == before


def test_url_list_with_fetch_reads_each_line(server: NewsServer, tmp_path: Path) -> None:
    path = write_list(
        tmp_path,
        "# bridge coverage, collected 2023-03-28",
        f"{server.base}/first-hop",
        "",
        f"{server.base}/news/cafe",
        f"{server.base}/no-such-story",
        "ftp://files.harborgazette.example/archive/2023.zip",
        "see the council minutes",
        f"{server.base}/api/story.json",
    )

    results = read_list(path, fetch_settings(), fetch=True)

    assert [r.location for r in results] == [f"{path}:{n}" for n in (2, 4, 5, 6, 7, 8)]
    bridge, cafe, *rejected = results
    assert isinstance(bridge, Article) and isinstance(cafe, Article)
    assert bridge.url == f"{server.base}/2023/03/27/bridge"
    assert bridge.reader == "url"
    assert bridge.title == "Council closes Ferris Street bridge to heavy trucks"
    assert bridge.published_from is PublishedFrom.METADATA
    assert "said Renée Fournier" in cafe.text and "€30,000" in cafe.text
    assert [r.code for r in rejected if isinstance(r, Rejected)] == [
        RejectCode.FETCH_FAILED,
        RejectCode.UNSUPPORTED_URL_SCHEME,
        RejectCode.INVALID_URL,
        RejectCode.NOT_HTML,
    ]


def test_url_list_with_fetch_is_refused_by_default_for_loopback(
    server: NewsServer, tmp_path: Path
) -> None:
    path = write_list(tmp_path, f"{server.base}/2023/03/27/bridge")

    (result,) = read_list(path, load_settings(environ={}), fetch=True)

    assert isinstance(result, Rejected)
    assert result.code is RejectCode.BLOCKED_ADDRESS


def test_url_list_of_comments_only_is_empty(tmp_path: Path) -> None:
    path = write_list(tmp_path, "# nothing to read yet", "", "   ")

    (result,) = read_list(path, fetch_settings(), fetch=True)

    assert isinstance(result, Rejected)
    assert result.code is RejectCode.EMPTY_FILE


def test_oversize_url_list_is_rejected(settings: Settings) -> None:
    tiny = dataclasses.replace(
        settings, ingest=dataclasses.replace(settings.ingest, max_file_bytes=64)
    )
    data = b"\n".join(b"https://harborgazette.example/story/%d" % n for n in range(10))

    results = list(read_url_list(io.BytesIO(data), location="list.txt", settings=tiny, fetch=True))

    assert [(r.code, r.location) for r in results if isinstance(r, Rejected)] == [
        (RejectCode.OVERSIZE_INPUT, "list.txt")
    ]
    assert len(results) == 1


def test_cli_fetches_a_url_list_only_when_asked(
    server: NewsServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from storyline.cli import main

    urls = tmp_path / "urls.txt"
    urls.write_text(f"# today's reading\n{server.base}/2023/03/27/bridge\n", encoding="utf-8")

    def stats_after(*flags: str) -> dict[str, object]:
        db = str(tmp_path / f"store{len(flags)}.db")
        main(["--db", db, "ingest", str(urls), *flags])
        capsys.readouterr()
        main(["--db", db, "stats", "--format", "json"])
        return dict(json.loads(capsys.readouterr().out))

    assert stats_after()["rejected"] == {"total": 1, "by_code": {"url_list_needs_fetch": 1}}
    blocked = stats_after("--fetch")
    assert blocked["rejected"] == {"total": 1, "by_code": {"blocked_address": 1}}
    fetched = stats_after("--fetch", "--allow-private")
    assert (fetched["articles"], fetched["rejected"]) == (1, {"total": 0, "by_code": {}})


# ---------------------------------------------------------------------------------------------
# Robots, host delay, DNS: a resolver is given, so names like wire.test reach 127.0.0.1 only.


class Resolver:
    """Answers with the given addresses in turn (the last one repeated), counting the calls."""

    def __init__(self, *answers: list[str], seconds: float = 0.0) -> None:
        self.answers = list(answers)
        self.seconds = seconds
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        time.sleep(self.seconds)
        return self.answers[min(len(self.calls), len(self.answers)) - 1]


def only_127_0_0_1(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return str(address) == "127.0.0.1"


def test_robots_txt_is_honoured_and_read_once_per_site(server: NewsServer) -> None:
    settings = fetch_settings()
    session = FetchSession(settings)
    before = len(server.paths)

    page = fetch_url(f"{server.base}/2023/03/27/bridge", settings, session=session)
    with pytest.raises(FetchError) as caught:
        fetch_url(f"{server.base}/private/memo", settings, session=session)

    assert page.body == BRIDGE
    assert caught.value.code is RejectCode.BLOCKED_BY_ROBOTS
    assert "disallows /private/memo for storyline" in caught.value.message
    assert server.paths[before:] == ["/robots.txt", "/2023/03/27/bridge"]


def test_ignore_robots_fetches_a_disallowed_page(server: NewsServer) -> None:
    before = len(server.paths)

    page = fetch_url(f"{server.base}/private/memo", fetch_settings(obey_robots=False))

    assert page.body == BRIDGE
    assert server.paths[before:] == ["/private/memo"]


def test_robots_txt_answering_5xx_disallows_the_site(server: NewsServer) -> None:
    port = server.server_address[1]
    session = FetchSession(fetch_settings(), resolver=Resolver(["127.0.0.1"]))
    before = len(server.paths)

    with pytest.raises(FetchError) as caught:
        fetch_url(f"http://down.test:{port}/2023/03/27/bridge", fetch_settings(), session=session)

    assert caught.value.code is RejectCode.BLOCKED_BY_ROBOTS
    assert "HTTP 503" in caught.value.message
    assert server.paths[before:] == ["/robots.txt"]


def test_the_checked_address_is_the_one_connected_to(server: NewsServer) -> None:
    # A rebinding resolver: the first answer passes the check, every later one would not (and
    # nothing listens there). One look-up per request, and the connection uses its answer.
    port = server.server_address[1]
    resolver = Resolver(["127.0.0.1"], ["127.0.0.2"])
    settings = fetch_settings(obey_robots=False)

    page = fetch_url(
        f"http://wire.test:{port}/2023/03/27/bridge",
        settings,
        allow_address=only_127_0_0_1,
        session=FetchSession(settings, resolver=resolver),
    )

    assert page.body == BRIDGE
    assert resolver.calls == ["wire.test"]
    assert server.hosts[-1] == f"wire.test:{port}"
    with pytest.raises(FetchError) as caught:
        fetch_url(
            f"http://wire.test:{port}/2023/03/27/bridge",
            settings,
            allow_address=only_127_0_0_1,
            session=FetchSession(settings, resolver=resolver),
        )
    assert caught.value.code is RejectCode.BLOCKED_ADDRESS
    assert "127.0.0.2" in caught.value.message


def test_a_slow_dns_look_up_times_out(server: NewsServer) -> None:
    settings = fetch_settings(dns_timeout_seconds=0.3, obey_robots=False)
    session = FetchSession(settings, resolver=Resolver(["127.0.0.1"], seconds=5))
    started = time.monotonic()

    with pytest.raises(FetchError) as caught:
        fetch_url("http://slow-dns.test/2023/03/27/bridge", settings, session=session)

    assert caught.value.code is RejectCode.FETCH_TIMEOUT
    assert "resolving slow-dns.test took longer than 0.3s" in caught.value.message
    assert time.monotonic() - started < 2


def test_requests_to_one_host_are_spaced_by_the_host_delay(
    server: NewsServer, tmp_path: Path
) -> None:
    path = write_list(
        tmp_path,
        f"{server.base}/2023/03/27/bridge",
        f"{server.base}/private/memo",
        f"{server.base}/news/cafe",
    )
    before = len(server.times)

    results = read_list(path, fetch_settings(host_delay_seconds=0.25), fetch=True)

    assert [r.code for r in results if isinstance(r, Rejected)] == [RejectCode.BLOCKED_BY_ROBOTS]
    times = server.times[before:]
    assert server.paths[-len(times) :] == ["/robots.txt", "/2023/03/27/bridge", "/news/cafe"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 0.24, gaps


def test_cli_ignore_robots(
    server: NewsServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from storyline.cli import main

    monkeypatch.setenv("STORYLINE_FETCH_HOST_DELAY_SECONDS", "0")
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{server.base}/private/memo\n", encoding="utf-8")

    def stats_after(*flags: str) -> dict[str, object]:
        db = str(tmp_path / f"store{len(flags)}.db")
        main(["--db", db, "ingest", str(urls), "--fetch", "--allow-private", *flags])
        capsys.readouterr()
        main(["--db", db, "stats", "--format", "json"])
        return dict(json.loads(capsys.readouterr().out))

    assert stats_after()["rejected"] == {"total": 1, "by_code": {"blocked_by_robots": 1}}
    assert stats_after("--ignore-robots")["articles"] == 1
