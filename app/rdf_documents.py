"""Linked Data documents: one table of RDF formats, Accept negotiation between a page and RDF,
and the response that carries a graph.

Entity IRIs and ``/ontology`` answer the browser with HTML and an RDF client with RDF at the
same URL (served directly, with ``Vary: Accept``), and every document also has its own URL
with an extension (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``) so the raw RDF is one click away.
"""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import Response, request

from oscartes_kg.namespaces import PREFIXES

__all__ = ["DOCUMENTS", "EXTENSIONS", "negotiate", "rdf_response", "HTML"]

HTML = "html"
#: extension -> (media type, pyoxigraph format, name shown in pages). Order: the default first.
DOCUMENTS: dict[str, tuple[str, ox.RdfFormat, str]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE, "Turtle"),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD, "JSON-LD"),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES, "N-Triples"),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML, "RDF/XML"),
}
#: Extensions a document URL may end with; ``.json`` is JSON-LD too (plain JSON clients).
EXTENSIONS = {**{ext: ext for ext in DOCUMENTS}, "json": "jsonld"}
_BY_MEDIA = {media: ext for ext, (media, _, _) in DOCUMENTS.items()}
_PAGE_TYPES = ("text/html", "application/xhtml+xml")
# Turtle's local names cannot hold "/", so oscid: would write escaped names: leave it out.
_PREFIXES = {name: iri for name, iri in PREFIXES.items() if name != "oscid"}


def negotiate() -> str:
    """``html`` or a document extension, from ``Accept``. A browser, ``*/*`` or nothing gets
    the page; RDF wins only when the client ranks it above HTML; ``application/json`` is
    JSON-LD."""
    accept = request.accept_mimetypes
    offered = [*_PAGE_TYPES, *_BY_MEDIA, "application/json"]
    best = accept.best_match(offered, default="text/html")
    if best in _PAGE_TYPES or accept.quality(best) <= accept.quality("text/html"):
        return HTML
    return "jsonld" if best == "application/json" else _BY_MEDIA[best]


def rdf_response(triples: Iterable[ox.Triple], extension: str, *, vary: bool) -> Response:
    """Serialize ``triples`` as the document ``extension`` asks for (``Vary: Accept`` when the
    format was negotiated at the resource's own URL)."""
    media, fmt, _ = DOCUMENTS[EXTENSIONS[extension]]
    body = ox.serialize(triples, format=fmt, prefixes=_PREFIXES)
    charset = "" if fmt == ox.RdfFormat.RDF_XML else "; charset=utf-8"
    response = Response(body, content_type=media + charset)
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data, read by other sites' apps
    if vary:
        response.vary.add("Accept")
    return response
