"""URL lists: one URL per line, each fetched (only when asked) and read as an HTML article.

Fetching arbitrary URLs from a server is a request-forgery risk, so :func:`fetch_url` contacts
only public addresses unless ``fetch.allow_private_addresses`` is set: every address a host
resolves to is checked, on every redirect hop, and the connection goes to the checked address
itself, so a DNS answer that changes between check and connect ("rebinding") cannot slip through.
Proxy settings from the environment are ignored for the same reason: a proxy resolves names itself.
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

from storyline.config import FetchSettings, Settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest.base import decode_text, guarded, reject
from storyline.ingest.html import article_from_html
from storyline.model import Article, ReadResult, Rejected

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], bool]
"""Says whether a resolved address may be contacted."""

_SCHEMES = {"http": 80, "https": 443}
_REDIRECTS = {301, 302, 303, 307, 308}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_GZIP_ENCODINGS = {"gzip", "x-gzip", "deflate"}
_CHUNK = 1 << 16
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


def _checked_addresses(target: _Target, allowed: AddressPolicy) -> list[str]:
    """Every address the host resolves to, when the policy allows all of them."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(RejectCode.FETCH_FAILED, f"cannot resolve {target.host}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    # One blocked address blocks the host: which one a connection would use is not ours to pick.
    blocked = [a for a in addresses if not allowed(ipaddress.ip_address(a.split("%", 1)[0]))]
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


def _reply(response: http.client.HTTPResponse, target: _Target, fetch: FetchSettings) -> _Reply:
    """Read one response: a redirect, or an HTML page whose status and type are checked."""
    status = response.status
    location = response.getheader("Location")
    if status in _REDIRECTS and location:
        return _Reply(status, redirect_to=urljoin(target.url, location.strip()))
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
    target: _Target, fetch: FetchSettings, allowed: AddressPolicy, deadline: float
) -> _Reply:
    """One GET request to one checked address, within what is left of the deadline."""
    addresses = _checked_addresses(target, allowed)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(RejectCode.FETCH_TIMEOUT, f"no answer within {fetch.timeout_seconds}s")
    pinned = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = pinned(target.host, target.port, addresses, remaining)
    headers = {
        "User-Agent": fetch.user_agent,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "gzip",
    }
    timed_out = FetchError(
        RejectCode.FETCH_TIMEOUT, f"no full answer within {fetch.timeout_seconds}s"
    )
    with _Watchdog(connection, remaining) as watchdog:
        try:
            connection.request("GET", target.request_target, headers=headers)
            with connection.getresponse() as response:
                reply = _reply(response, target, fetch)
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


def fetch_url(
    url: str, settings: Settings, *, allow_address: AddressPolicy | None = None
) -> FetchedPage:
    """Fetch one HTML page over HTTP(S), following redirects, guarded against request forgery.

    ``settings.fetch`` sets the user agent, the timeout (for the whole fetch, redirects
    included), the size limit and the number of redirects. ``allow_address`` decides which
    resolved addresses may be contacted; by default only public ones
    (:func:`is_public_address`), or any when ``fetch.allow_private_addresses`` is set.
    Raises :class:`FetchError`, whose ``code`` is ``invalid_url``, ``unsupported_url_scheme``,
    ``blocked_address``, ``fetch_timeout``, ``fetch_failed``, ``oversize_input`` or ``not_html``.
    """
    fetch = settings.fetch
    if allow_address is None:
        allow_address = _any_address if fetch.allow_private_addresses else is_public_address
    deadline = time.monotonic() + fetch.timeout_seconds
    current = url.strip()
    for _ in range(fetch.max_redirects + 1):
        target = _parse_target(current)
        reply = _exchange(target, fetch, allow_address, deadline)
        if reply.redirect_to is None:
            return FetchedPage(
                url=url,
                final_url=target.url,
                status=reply.status,
                content_type=reply.content_type,
                charset=reply.charset,
                body=reply.body,
            )
        current = reply.redirect_to
    raise FetchError(
        RejectCode.FETCH_FAILED, f"more than {fetch.max_redirects} redirects from {url}"
    )


def _url_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, URL) for each line that is neither blank nor a ``#`` comment."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped


def _article_from_url(url: str, *, location: str, settings: Settings) -> Article:
    page = fetch_url(url, settings)
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
    for number, url in urls:
        where = f"{location}:{number}"
        yield guarded(
            where, functools.partial(_article_from_url, url, location=where, settings=settings)
        )
