"""URL lists: one URL per line, each fetched (only when asked) and read as an HTML article.

Fetching arbitrary URLs from a server is a request-forgery risk, so :func:`fetch_url` contacts
only public addresses unless ``fetch.allow_private_addresses`` is set: every address a host
resolves to is checked, on every redirect hop, and the connection goes to the checked address
itself, so a DNS answer that changes between check and connect ("rebinding") cannot slip through.
Proxy settings from the environment are ignored for the same reason: a proxy resolves names itself.

Fetching is polite: each site's robots.txt is read once per URL list and obeyed
(``fetch.obey_robots``, off with ``ingest --ignore-robots``), and requests to one host are
``fetch.host_delay_seconds`` apart. Name look-ups are bounded by ``fetch.dns_timeout_seconds``.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import IO
from urllib.parse import quote, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from storyline.config import FetchSettings, Settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest.base import decode_text, guarded, reject
from storyline.ingest.html import article_from_html
from storyline.model import Article, ReadResult, Rejected

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], bool]
"""Says whether a resolved address may be contacted."""
Resolver = Callable[[str, int], Sequence[str]]
"""Turns a host name and port into IP addresses (as text)."""

_SCHEMES = {"http": 80, "https": 443}
_REDIRECTS = {301, 302, 303, 307, 308}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_GZIP_ENCODINGS = {"gzip", "x-gzip", "deflate"}
_CHUNK = 1 << 16
# RFC 9309: crawlers must parse at least the first 500 KiB of a robots.txt.
_ROBOTS_MAX_BYTES = 500 * 1024
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Characters left as they are when quoting a request path or query: RFC 3986 delimiters, and "%"
# so that already-escaped URLs are not escaped twice.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


class FetchError(RecordRejected):
    """A URL that could not be fetched as an HTML page; ``code`` says why.

    It is a :class:`~storyline.errors.RecordRejected`, so inside a reader it becomes the
    ``Rejected`` record of that URL.
    """


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchedPage:
    """An HTML page as the server sent it."""

    url: str
    """The URL that was asked for."""
    final_url: str
    """The URL the page came from, after redirects."""
    status: int
    content_type: str
    """The media type, without parameters (``text/html``)."""
    charset: str | None
    """The charset the ``Content-Type`` header declared, if any."""
    body: bytes


def is_public_address(address: str | IPAddress) -> bool:
    """True when ``address`` is a public unicast address, one a fetch may contact by default.

    Loopback, private, shared (CGNAT), link-local, multicast, reserved and unspecified addresses
    are not public, nor are IPv6 forms that embed one (IPv4-mapped, NAT64, 6to4).
    Raises ``ValueError`` when ``address`` is not an IP address.

    >>> [is_public_address(a) for a in ("93.184.215.14", "10.1.2.3", "::ffff:127.0.0.1")]
    [True, False, False]
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0]) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(ip.ipv4_mapped)
        if ip in _NAT64:
            return is_public_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None and not is_public_address(ip.sixtofour):
            return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _any_address(_: IPAddress) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class _Target:
    """A URL checked and split for an HTTP request."""

    url: str
    scheme: str
    host: str
    port: int
    request_target: str


def _parse_target(url: str) -> _Target:
    """Validate a URL: ``invalid_url`` or ``unsupported_url_scheme`` when it cannot be fetched."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(RejectCode.INVALID_URL, f"not a valid URL: {url!r} ({exc})") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise FetchError(RejectCode.INVALID_URL, f"not a URL, it has no scheme: {url!r}")
    if scheme not in _SCHEMES:
        raise FetchError(
            RejectCode.UNSUPPORTED_URL_SCHEME, f"only http and https URLs are fetched: {url!r}"
        )
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise FetchError(RejectCode.INVALID_URL, f"a URL has no spaces or control bytes: {url!r}")
    if not parts.hostname:
        raise FetchError(RejectCode.INVALID_URL, f"the URL has no host: {url!r}")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchError(RejectCode.INVALID_URL, f"the URL's host is not valid: {url!r}") from None
    target = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_QUERY_SAFE)
    return _Target(url, scheme, host, port or _SCHEMES[scheme], target)


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system's resolver gives for ``host``, in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _resolve(target: _Target, resolver: Resolver, seconds: float) -> list[str]:
    """Resolve the target's host once, within ``seconds``.

    ``getaddrinfo`` has no timeout of its own (a dead DNS server holds it for the resolver's
    retries), so it runs in a daemon thread that is left behind if it does not answer in time.
    """
    with contextlib.suppress(ValueError):
        return [str(ipaddress.ip_address(target.host))]  # a literal address: nothing to look up
    outcome: list[list[str] | Exception] = []
    answered = threading.Event()

    def look_up() -> None:
        try:
            outcome.append(list(resolver(target.host, target.port)))
        except Exception as exc:
            outcome.append(exc)
        finally:
            answered.set()

    threading.Thread(target=look_up, name=f"resolve {target.host}", daemon=True).start()
    if not answered.wait(max(seconds, 0.0)):
        raise FetchError(
            RejectCode.FETCH_TIMEOUT, f"resolving {target.host} took longer than {seconds:.3g}s"
        )
    result = outcome[0]
    if isinstance(result, Exception):
        raise FetchError(RejectCode.FETCH_FAILED, f"cannot resolve {target.host}: {result}")
    if not result:
        raise FetchError(RejectCode.FETCH_FAILED, f"{target.host} resolves to no address")
    return result


def _checked_addresses(
    target: _Target, allowed: AddressPolicy, resolver: Resolver, seconds: float
) -> list[str]:
    """Every address the host resolves to, when the policy allows all of them.

    These are the addresses the connection then goes to: the name is resolved once per
    request, so no second answer can differ from the one checked.
    """
    addresses = _resolve(target, resolver, seconds)
    try:
        ips = [ipaddress.ip_address(a.split("%", 1)[0]) for a in addresses]
    except ValueError as exc:
        raise FetchError(RejectCode.FETCH_FAILED, f"cannot resolve {target.host}: {exc}") from None
    # One blocked address blocks the host: which one a connection would use is not ours to pick.
    blocked = [a for a, ip in zip(addresses, ips, strict=True) if not allowed(ip)]
    if blocked:
        raise FetchError(
            RejectCode.BLOCKED_ADDRESS,
            f"{target.host} resolves to {', '.join(blocked)}, which is not a public address;"
            " set fetch.allow_private_addresses to fetch it",
        )
    return addresses


def _connect(addresses: Sequence[str], port: int, timeout: float | None) -> socket.socket:
    error: OSError = OSError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except TimeoutError:
            raise
        except OSError as exc:
            error = exc
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to already-checked addresses: the host name is never resolved again."""

    def __init__(self, host: str, port: int, addresses: Sequence[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses
        self.opened: socket.socket | None = None
        """The socket, kept after ``close()`` hands it over to the response."""

    def connect(self) -> None:
        self.sock = self.opened = _connect(self._addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to already-checked addresses, verifying the certificate of the host."""

    def __init__(self, host: str, port: int, addresses: Sequence[str], timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._addresses = addresses
        self.opened: socket.socket | None = None
        """The socket, kept after ``close()`` hands it over to the response."""

    def connect(self) -> None:
        sock = _connect(self._addresses, self.port, self.timeout)
        self.sock = self.opened = self._tls.wrap_socket(sock, server_hostname=self.host)


class _Watchdog:
    """Cuts a connection when the fetch runs past its deadline.

    A socket timeout bounds each read, not the whole exchange: a server that sends a byte now
    and then would keep it alive forever.
    """

    def __init__(
        self, connection: _PinnedHTTPConnection | _PinnedHTTPSConnection, seconds: float
    ) -> None:
        self.fired = threading.Event()
        self._connection = connection
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired.set()
        sock = self._connection.opened
        if sock is not None:
            # The plain socket's shutdown: SSLSocket's own is not safe from another thread.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    redirect_to: str | None = None
    content_type: str = ""
    charset: str | None = None
    body: bytes = b""


def _read_body(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    """The decoded body, refused as ``oversize_input`` as soon as it passes ``max_bytes``."""
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in _GZIP_ENCODINGS | {"identity"}:
        raise FetchError(RejectCode.FETCH_FAILED, f"unsupported content encoding {encoding!r}")
    # gzip and zlib streams both (wbits + 32), output capped so a small bomb cannot blow up.
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 32) if encoding in _GZIP_ENCODINGS else None
    oversize = FetchError(
        RejectCode.OVERSIZE_INPUT, f"the page is larger than the limit of {max_bytes} bytes"
    )
    body = bytearray()
    while chunk := response.read1(_CHUNK):
        if decoder is not None:
            chunk = decoder.decompress(chunk, max_bytes + 1 - len(body))
            if decoder.unconsumed_tail:
                raise oversize
        body += chunk
        if len(body) > max_bytes:
            raise oversize
    # http.client ends a body quietly when the server hangs up early: a cut page is no page.
    if response.length or (decoder is not None and not decoder.eof):
        raise FetchError(RejectCode.FETCH_FAILED, "the connection closed before the page ended")
    return bytes(body)


def _reply(
    response: http.client.HTTPResponse, target: _Target, fetch: FetchSettings, *, page: bool
) -> _Reply:
    """Read one response: a redirect, an HTML page whose status and type are checked, or (not
    ``page``: robots.txt) whatever came, its status left to the caller."""
    status = response.status
    location = response.getheader("Location")
    if status in _REDIRECTS and location:
        return _Reply(status, redirect_to=urljoin(target.url, location.strip()))
    if not page:
        ok = 200 <= status < 300
        body = _read_body(response, min(fetch.max_bytes, _ROBOTS_MAX_BYTES)) if ok else b""
        return _Reply(status, None, response.headers.get_content_type(), None, body)
    if not 200 <= status < 300:
        raise FetchError(
            RejectCode.FETCH_FAILED, f"HTTP {status} {response.reason} from {target.url}"
        )
    declared = response.getheader("Content-Type")
    content_type = response.headers.get_content_type() if declared else "text/html"
    if content_type not in _HTML_TYPES:
        raise FetchError(RejectCode.NOT_HTML, f"{target.url} is {content_type}, not an HTML page")
    length = response.getheader("Content-Length", "")
    if length.isdigit() and int(length) > fetch.max_bytes:
        raise FetchError(
            RejectCode.OVERSIZE_INPUT,
            f"the page has {length} bytes, above the limit of {fetch.max_bytes}",
        )
    body = _read_body(response, fetch.max_bytes)
    return _Reply(status, None, content_type, response.headers.get_content_charset(), body)


def _exchange(
    target: _Target,
    fetch: FetchSettings,
    allowed: AddressPolicy,
    resolver: Resolver,
    deadline: float,
    *,
    page: bool = True,
) -> _Reply:
    """One GET request to one checked address, within what is left of the deadline."""
    remaining = deadline - time.monotonic()
    addresses = _checked_addresses(
        target, allowed, resolver, min(fetch.dns_timeout_seconds, remaining)
    )
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(RejectCode.FETCH_TIMEOUT, f"no answer within {fetch.timeout_seconds}s")
    pinned = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = pinned(target.host, target.port, addresses, remaining)
    headers = {
        "User-Agent": fetch.user_agent,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1" if page else "text/plain",
        "Accept-Encoding": "gzip",
    }
    timed_out = FetchError(
        RejectCode.FETCH_TIMEOUT, f"no full answer within {fetch.timeout_seconds}s"
    )
    with _Watchdog(connection, remaining) as watchdog:
        try:
            connection.request("GET", target.request_target, headers=headers)
            with connection.getresponse() as response:
                reply = _reply(response, target, fetch, page=page)
        except (FetchError, OSError, http.client.HTTPException, zlib.error, ValueError) as exc:
            # However the cut shows (reset, early end, short body), past the deadline it is one.
            if watchdog.fired.is_set() or isinstance(exc, TimeoutError):
                raise timed_out from None
            if isinstance(exc, FetchError):
                raise
            raise FetchError(RejectCode.FETCH_FAILED, f"cannot fetch {target.url}: {exc}") from None
        finally:
            connection.close()
    if watchdog.fired.is_set():
        raise timed_out
    return reply


class FetchSession:
    """What the fetches of one run share: each site's robots.txt, and when each host was last
    asked (``fetch.host_delay_seconds`` apart, robots.txt requests included).

    ``resolver`` turns a host name into addresses (:func:`system_resolver` by default); tests
    give their own, which is still bounded by ``fetch.dns_timeout_seconds``.
    """

    def __init__(self, settings: Settings, *, resolver: Resolver | None = None) -> None:
        self._fetch = settings.fetch
        self.resolver: Resolver = resolver or system_resolver
        self._last_request: dict[str, float] = {}
        self._robots: dict[tuple[str, str, int], RobotFileParser | FetchError] = {}

    def wait_for(self, host: str) -> float:
        """Sleep until ``host`` may be asked again; return the seconds slept."""
        last = self._last_request.get(host)
        waited = 0.0
        if last is not None:
            waited = max(0.0, last + self._fetch.host_delay_seconds - time.monotonic())
            if waited:
                time.sleep(waited)
        return waited

    def exchange(
        self,
        target: _Target,
        allowed: AddressPolicy,
        deadline: float,
        *,
        page: bool = True,
    ) -> _Reply:
        """One request (after :meth:`wait_for`): the host delay counts from when it ends."""
        try:
            return _exchange(target, self._fetch, allowed, self.resolver, deadline, page=page)
        finally:
            self._last_request[target.host] = time.monotonic()

    def check_robots(self, target: _Target, allowed: AddressPolicy) -> None:
        """Raise ``blocked_by_robots`` when the site's robots.txt disallows the target for our
        user agent (reading it, within its own ``fetch.timeout_seconds``, on first use)."""
        if not self._fetch.obey_robots:
            return
        site = (target.scheme, target.host, target.port)
        if site not in self._robots:
            self._robots[site] = self._read_robots(target, allowed)
        rules = self._robots[site]
        if isinstance(rules, FetchError):
            raise FetchError(rules.code, rules.message)
        if not rules.can_fetch(self._fetch.user_agent, target.url):
            raise FetchError(
                RejectCode.BLOCKED_BY_ROBOTS,
                f"robots.txt of {target.host} disallows {target.request_target} for"
                f" {_product(self._fetch.user_agent)}; pass --ignore-robots to fetch it anyway",
            )

    def _read_robots(self, target: _Target, allowed: AddressPolicy) -> RobotFileParser | FetchError:
        """The rules of a site (RFC 9309), or the error every page of it gets.

        A 4xx answer allows everything; any other answer but 2xx disallows everything
        (``blocked_by_robots``). A site that cannot be reached at all gives its own error
        (``fetch_failed``, ``fetch_timeout``, ``blocked_address``...), as its pages would.
        Redirects are followed, each hop checked like a page's.
        """
        rules = RobotFileParser()
        authority = f"[{target.host}]" if ":" in target.host else target.host
        current = f"{target.scheme}://{authority}:{target.port}/robots.txt"
        for _ in range(self._fetch.max_redirects + 1):
            try:
                hop = _parse_target(current)
                self.wait_for(hop.host)
                deadline = time.monotonic() + self._fetch.timeout_seconds
                reply = self.exchange(hop, allowed, deadline, page=False)
            except FetchError as exc:
                return FetchError(exc.code, f"{exc.message} (while reading {current})")
            if reply.redirect_to is not None:
                current = reply.redirect_to
                continue
            # A 4xx answer has no body here: no rules, so everything is allowed.
            if not 200 <= reply.status < 500:
                return FetchError(
                    RejectCode.BLOCKED_BY_ROBOTS,
                    f"{current} answered HTTP {reply.status}, which disallows every page of"
                    f" {target.host} (RFC 9309); pass --ignore-robots to fetch anyway",
                )
            rules.parse(reply.body.decode("utf-8", errors="replace").splitlines())
            return rules
        return FetchError(
            RejectCode.BLOCKED_BY_ROBOTS,
            f"robots.txt of {target.host} redirects more than {self._fetch.max_redirects} times,"
            " which disallows every page (RFC 9309); pass --ignore-robots to fetch anyway",
        )


def _product(user_agent: str) -> str:
    return user_agent.split("/", 1)[0].strip() or user_agent


def fetch_url(
    url: str,
    settings: Settings,
    *,
    allow_address: AddressPolicy | None = None,
    session: FetchSession | None = None,
) -> FetchedPage:
    """Fetch one HTML page over HTTP(S), following redirects, guarded against request forgery.

    ``settings.fetch`` sets the user agent, the timeout (for the whole fetch, redirects
    included; robots.txt and host delays not), the DNS timeout, the size limit, the number of
    redirects, whether robots.txt is obeyed and the delay between two requests to one host.
    ``allow_address`` decides which resolved addresses may be contacted; by default only public
    ones (:func:`is_public_address`), or any when ``fetch.allow_private_addresses`` is set.
    ``session`` carries robots.txt rules and host times from one fetch to the next.
    Raises :class:`FetchError`, whose ``code`` is ``invalid_url``, ``unsupported_url_scheme``,
    ``blocked_address``, ``blocked_by_robots``, ``fetch_timeout``, ``fetch_failed``,
    ``oversize_input`` or ``not_html``.
    """
    fetch = settings.fetch
    if allow_address is None:
        allow_address = _any_address if fetch.allow_private_addresses else is_public_address
    session = session if session is not None else FetchSession(settings)
    deadline = time.monotonic() + fetch.timeout_seconds
    current = url.strip()
    redirects = 0
    while True:
        target = _parse_target(current)
        paused = time.monotonic()
        session.check_robots(target, allow_address)
        session.wait_for(target.host)
        deadline += time.monotonic() - paused  # robots.txt and the host delay are not the page's
        reply = session.exchange(target, allow_address, deadline)
        if reply.redirect_to is None:
            return FetchedPage(
                url=url,
                final_url=target.url,
                status=reply.status,
                content_type=reply.content_type,
                charset=reply.charset,
                body=reply.body,
            )
        if redirects == fetch.max_redirects:
            raise FetchError(
                RejectCode.FETCH_FAILED,
                f"more than {fetch.max_redirects} redirects from {url} (fetch.max_redirects);"
                f" the last went to {reply.redirect_to}",
            )
        redirects += 1
        current = reply.redirect_to


def _url_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, URL) for each line that is neither blank nor a ``#`` comment."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped


def _article_from_url(
    url: str, *, location: str, settings: Settings, session: FetchSession
) -> Article:
    page = fetch_url(url, settings, session=session)
    return article_from_html(
        page.body,
        location=location,
        settings=settings,
        url=page.final_url,
        declared_encoding=page.charset,
        reader="url",
    )


def read_url_list(
    stream: IO[bytes], *, location: str, settings: Settings, fetch: bool = False
) -> Iterator[ReadResult]:
    """Read a list of URLs, one a line (blank lines and ``# comments`` skipped).

    Nothing is downloaded unless ``fetch`` is true: the list is then one ``url_list_needs_fetch``
    rejection. With ``fetch``, each URL is fetched (:func:`fetch_url`) and becomes one article or
    one rejection, at ``path:LINE``.
    """
    limit = settings.ingest.max_file_bytes
    data = stream.read(limit + 1)
    if len(data) > limit:
        yield from reject(
            location, RejectCode.OVERSIZE_INPUT, f"URL list is larger than {limit} bytes"
        )
        return
    try:
        urls = list(_url_lines(decode_text(data)))
    except RecordRejected as exc:
        yield Rejected(location=location, code=exc.code, message=exc.message)
        return
    if not urls:
        yield from reject(location, RejectCode.EMPTY_FILE, "the URL list holds no URLs")
        return
    if not fetch:
        count = f"{len(urls)} URL" + ("" if len(urls) == 1 else "s")
        yield from reject(
            location, RejectCode.URL_LIST_NEEDS_FETCH, f"pass --fetch to download the {count}"
        )
        return
    session = FetchSession(settings)
    for number, url in urls:
        where = f"{location}:{number}"
        build = functools.partial(
            _article_from_url, url, location=where, settings=settings, session=session
        )
        yield guarded(where, build)
