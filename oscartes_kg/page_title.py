"""The ``<title>`` of a web page a curator names, to pre-fill a call for projects (issue 7 §4).

The server fetches a URL a user typed, so it guards against server-side request forgery
(OWASP SSRF prevention cheat sheet): http and https only; every address the host name resolves
to must be public (no loopback, private, link-local, multicast, reserved or unspecified address,
IPv4 or IPv6), checked before connecting and again on the connected socket (a DNS answer that
changes between the two is caught); redirects are followed by hand, at most ``MAX_REDIRECTS``,
each target checked the same way; ``TIMEOUT`` seconds per request and at most ``MAX_BYTES`` read.
Only a local test may allow private addresses (``allow_private``: True for all, or a set of
addresses).
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import UsageError

__all__ = ["Fetched", "Refused", "fetch_title", "check_url", "TIMEOUT", "MAX_BYTES", "MAX_REDIRECTS", "MAX_TITLE"]

TIMEOUT = 5.0
MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 5
#: A label is at most 200 characters (shape EntityLabel).
MAX_TITLE = 200
_HTML = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Fetched:
    """What reading the page gave: its title, or why there is none (French / English)."""

    title: str | None = None
    problem: str | None = None


class Refused(Exception):
    """An address the server must not fetch."""


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host.

    :raises UsageError: anything else.

    >>> check_url("https://example.org/appel")
    'https://example.org/appel'
    >>> check_url("file:///etc/passwd")
    Traceback (most recent call last):
    ...
    oscartes_kg.errors.UsageError: adresse refusée : seules les adresses http:// ou https:// complètes sont acceptées / only full http:// or https:// addresses are accepted
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000 \
            or any(c.isspace() for c in url):
        raise UsageError("adresse refusée : seules les adresses http:// ou https:// complètes sont "
                         "acceptées / only full http:// or https:// addresses are accepted",
                         prop="url", rule="url")
    return url


def fetch_title(url: str, *, allow_private: bool | frozenset = False, timeout: float = TIMEOUT) -> Fetched:
    """The page's ``<title>`` (whitespace collapsed, at most ``MAX_TITLE`` characters), or the
    reason it could not be read; never raises for the page's own failures.

    :raises UsageError: ``url`` is not an http(s) URL.
    """
    check_url(url)
    try:
        with requests.Session() as session:
            session.trust_env = False  # no proxy from the environment: the checks must see the real peer
            for scheme in ("http://", "https://"):
                session.mount(scheme, _GuardedAdapter(allow_private))
            response = _get(session, url, allow_private, timeout)
            with response:
                if response.status_code != 200:
                    return Fetched(problem=f"la page répond {response.status_code} / the page answers "
                                           f"{response.status_code}")
                kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if kind not in _HTML:
                    return Fetched(problem="ce n'est pas une page HTML / not an HTML page")
                body = _read(response)
                charset = response.encoding if "charset" in response.headers.get("Content-Type", "") else None
        title = _title(body.decode(charset or "utf-8", errors="replace"))
    except Refused as refused:
        return Fetched(problem=str(refused))
    except (requests.RequestException, LookupError, OSError):
        return Fetched(problem="la page n'a pas pu être lue (réseau, délai de 5 s dépassé) / the page "
                               "could not be read (network, 5 s timeout)")
    if not title:
        return Fetched(problem="la page n'a pas de titre / the page has no title")
    return Fetched(title=title)


def _get(session, url: str, allow_private: bool, timeout: float):
    """GET ``url``, following redirects by hand, each target and each peer checked."""
    for _ in range(MAX_REDIRECTS + 1):
        _check_host(url, allow_private)
        response = session.get(url, timeout=timeout, stream=True, allow_redirects=False,
                               headers={"User-Agent": "oscartes-kg (veille des appels à projets)",
                                        "Accept": "text/html,application/xhtml+xml"})
        if not response.is_redirect:
            return response
        target = urljoin(url, response.headers.get("Location", ""))
        response.close()
        try:
            url = check_url(target)
        except UsageError:
            raise Refused("redirection vers une adresse refusée / redirect to a refused address") from None
    raise Refused("trop de redirections / too many redirects")


def _check_host(url: str, allow_private: bool) -> None:
    """Every address the host resolves to must be public."""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise Refused("nom d'hôte inconnu / unknown host name") from None
    for info in infos:
        _check_address(info[4][0], allow_private)


def _guarded(base: type, allow_private) -> type:
    """A urllib3 connection class that checks the address it connected to (the DNS may answer
    differently from the check made before the request), before anything is sent."""
    class Guarded(base):
        def connect(self):
            super().connect()
            try:
                _check_address(self.sock.getpeername()[0], allow_private)
            except Refused:
                self.close()
                raise
    return Guarded


class _GuardedAdapter(HTTPAdapter):
    """requests' adapter whose connection pools use the guarded connections, no retries."""

    def __init__(self, allow_private):
        self.allow_private = allow_private
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        http = type("GuardedHTTPPool", (HTTPConnectionPool,),
                    {"ConnectionCls": _guarded(HTTPConnection, self.allow_private)})
        https = type("GuardedHTTPSPool", (HTTPSConnectionPool,),
                     {"ConnectionCls": _guarded(HTTPSConnection, self.allow_private)})
        self.poolmanager.pool_classes_by_scheme = {"http": http, "https": https}


def _check_address(address: str, allow_private: bool) -> None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if allow_private is True or (allow_private and str(ip) in allow_private):
        return
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        raise Refused("adresse privée ou locale refusée (protection SSRF) / private or local address "
                      "refused (SSRF protection)")


def _read(response) -> bytes:
    """At most ``MAX_BYTES`` of the body (the title is near the top)."""
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_BYTES:
            break
    return b"".join(chunks)[:MAX_BYTES]


class _TitleParser(HTMLParser):
    """Collect the text of the first ``<title>`` (entities decoded by the parser)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside, self.done, self.parts = False, False, []

    def handle_starttag(self, tag, attrs):
        if tag == "title" and not self.done:
            self.inside = True

    def handle_endtag(self, tag):
        if tag == "title" and self.inside:
            self.inside, self.done = False, True

    def handle_data(self, data):
        if self.inside:
            self.parts.append(data)


def _title(html: str) -> str:
    """The first title's text, whitespace collapsed, cut to ``MAX_TITLE`` characters.

    >>> _title("<html><head><title> Appel  &laquo; Jardins &raquo;\\n</title></head>")
    'Appel « Jardins »'
    """
    parser = _TitleParser()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())[:MAX_TITLE]
