"""The formats a named query answers in: a table of results, or a graph for CONSTRUCT/DESCRIBE.

One table maps file extension, media type and pyoxigraph format, so that ``/queries/NAME.csv``
and ``Accept: text/csv`` pick the same serializer. The query's form (table or graph) is read
from its text before it runs, so a format that cannot fit is refused without running it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from oscartes_kg.errors import UsageError

__all__ = ["Format", "FORMATS", "HTML", "SPARQL_TEXT", "by_extension", "for_kind",
           "query_kind", "negotiate"]


@dataclass(frozen=True)
class Format:
    """One way to answer: ``kind`` is ``table`` (SELECT/ASK), ``graph`` (CONSTRUCT/DESCRIBE),
    ``page`` (HTML) or ``text`` (the query itself)."""

    extension: str
    media_type: str
    kind: str
    pyoxigraph: object = None

    @property
    def content_type(self) -> str:
        """The media type, with a charset for text (all our text is UTF-8)."""
        textual = self.media_type.startswith("text/") or self.media_type.endswith(
            ("json", "xml", "sparql-query", "n-triples"))
        return self.media_type + ("; charset=utf-8" if textual else "")


HTML = Format("html", "text/html", "page")
SPARQL_TEXT = Format("rq", "application/sparql-query", "text")
FORMATS: tuple[Format, ...] = (
    HTML,
    Format("json", "application/sparql-results+json", "table", ox.QueryResultsFormat.JSON),
    Format("csv", "text/csv", "table", ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", "table", ox.QueryResultsFormat.TSV),
    Format("srx", "application/sparql-results+xml", "table", ox.QueryResultsFormat.XML),
    Format("ttl", "text/turtle", "graph", ox.RdfFormat.TURTLE),
    Format("nt", "application/n-triples", "graph", ox.RdfFormat.N_TRIPLES),
    Format("jsonld", "application/ld+json", "graph", ox.RdfFormat.JSON_LD),
    Format("rdf", "application/rdf+xml", "graph", ox.RdfFormat.RDF_XML),
    SPARQL_TEXT,
)
_BY_EXTENSION = {f.extension: f for f in FORMATS}
# Plain JSON asked by media type gets the JSON form of the kind (SPARQL results or JSON-LD).
_JSON_ALIAS = {"table": "json", "graph": "jsonld"}

_PROLOGUE = re.compile(r"""\s+|\#[^\n]*|(?i:PREFIX)\s+[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>""")
_FORM = re.compile(r"(?i)(SELECT|ASK|CONSTRUCT|DESCRIBE)\b")


def query_kind(sparql: str) -> str:
    """``table`` for SELECT and ASK, ``graph`` for CONSTRUCT and DESCRIBE (read after the
    prologue: comments, PREFIX and BASE; SPARQL 1.1 Query §4.1, §16).

    >>> query_kind("# a <x#y>\\nPREFIX s: <http://schema.org/#>\\nCONSTRUCT { ?s ?p ?o } WHERE {}")
    'graph'
    >>> query_kind("PREFIX ex: <urn:construct#> select * {}")
    'table'
    """
    position = 0
    while match := _PROLOGUE.match(sparql, position):
        position = match.end()
    form = _FORM.match(sparql, position)
    return "graph" if form and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE") else "table"


def for_kind(kind: str) -> list[Format]:
    """The data formats of a kind of result, in the order the pages list them."""
    return [f for f in FORMATS if f.kind == kind]


def by_extension(extension: str) -> Format | None:
    """The format of a URL's extension (``json``, ``ttl``...), or None."""
    return _BY_EXTENSION.get(extension.lower())


def negotiate(name: str, kind: str, extension: str | None, accept) -> Format | None:
    """The format to answer in: the extension if there is one (it wins), else the Accept header
    (werkzeug ``MIMEAccept``; none or ``*/*`` gives the page). None when nothing fits (406).

    :raises UsageError: an extension of the other kind (a SELECT asked as ``.ttl``).
    """
    if extension is not None:
        chosen = by_extension(extension)
        if chosen.kind in ("page", "text", kind):
            return chosen
        if chosen.extension == "json":  # the JSON of a graph is JSON-LD
            return _BY_EXTENSION["jsonld"]
        raise UsageError(_wrong_kind(name, kind, chosen), rule="format")
    if not accept:
        return HTML
    offered = [HTML, *for_kind(kind), SPARQL_TEXT]
    types = [f.media_type for f in offered] + ["application/json"]
    best = accept.best_match(types)
    if best == "application/json":
        return _BY_EXTENSION[_JSON_ALIAS[kind]]
    return next((f for f in offered if f.media_type == best), None)


def _wrong_kind(name: str, kind: str, chosen: Format) -> str:
    fitting = " ".join("." + f.extension for f in for_kind(kind))
    if kind == "table":
        return (f"« {name} » donne un tableau de résultats (SELECT/ASK), pas un graphe : "
                f".{chosen.extension} ne convient pas, essayez {fitting} / '{name}' returns a "
                f"table of results, not a graph: use {fitting}")
    return (f"« {name} » donne un graphe (CONSTRUCT/DESCRIBE), pas un tableau : "
            f".{chosen.extension} ne convient pas, essayez {fitting} / '{name}' returns a "
            f"graph, not a table: use {fitting}")
