"""Read an import source: a local file, or an http(s) URL fetched with a timeout and a size cap."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pyoxigraph as ox
import requests

from ..errors import NotFound, ParseError, StoreError

__all__ = ["Source", "read_source", "MAX_BYTES", "TIMEOUT"]

#: Largest source accepted (a GoGoCarto export of 100,000 elements is about 100 MB).
MAX_BYTES = 200 * 1024 * 1024
#: Seconds to wait for a remote source to connect and to send each chunk.
TIMEOUT = 30


@dataclass(frozen=True)
class Source:
    """The bytes of a source and where they came from (an IRI, for the provenance)."""

    location: str       # as the user gave it
    iri: ox.NamedNode   # the URL, or urn:sha256:<digest> for a local file (never a server path)
    data: bytes
    name: str           # file name or last path segment, for messages and default source names


def read_source(location: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT) -> Source:
    """The bytes at ``location`` (file path or http(s) URL), never more than ``max_bytes``.

    :raises NotFound: no such file, or the server answers 404.
    :raises ParseError: the source is larger than ``max_bytes``.
    :raises StoreError: the server cannot be reached or answers an error (exit code 3).
    """
    scheme = urlparse(location).scheme.lower()
    if scheme in ("http", "https"):
        return _fetch(location, max_bytes, timeout)
    path = Path(location)
    if not path.is_file():
        raise NotFound("fichier introuvable / file not found", file=location)
    if path.stat().st_size > max_bytes:
        raise _too_large(location, max_bytes)
    data = path.read_bytes()
    # The provenance is public: name a file by its content, not by where it sits on this server.
    return Source(location, ox.NamedNode("urn:sha256:" + hashlib.sha256(data).hexdigest()), data,
                  path.name)


def _fetch(url: str, max_bytes: int, timeout: float) -> Source:
    try:
        with requests.get(url, stream=True, timeout=timeout,
                          headers={"Accept": "application/json, application/ld+json, text/csv, */*"}) as answer:
            if answer.status_code == 404:
                raise NotFound(f"adresse introuvable (404) / URL not found: {url}", file=url)
            if not answer.ok:
                raise StoreError(f"la source répond {answer.status_code} / the source answers "
                                 f"{answer.status_code}: {url}", file=url, rule="fetch")
            chunks, size = [], 0
            for chunk in answer.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(url, max_bytes)
                chunks.append(chunk)
    except requests.RequestException as error:
        raise StoreError(f"source injoignable ({error.__class__.__name__}) / source unreachable: "
                         f"{url}", file=url, rule="fetch") from None
    name = urlparse(url).path.rstrip("/").rsplit("/", 1)[-1] or urlparse(url).hostname or "source"
    return Source(url, ox.NamedNode(url), b"".join(chunks), name)


def _too_large(location: str, max_bytes: int) -> ParseError:
    return ParseError(f"source trop grande (plus de {max_bytes // (1024 * 1024)} Mo) / source "
                      f"too large (over {max_bytes // (1024 * 1024)} MB)", file=location,
                      rule="size")
