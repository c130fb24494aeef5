"""``/sparql``: read-only SPARQL 1.1 Protocol queries over the public graphs."""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from oscartes_kg.errors import QueryError

from . import kb

bp = Blueprint("sparql", __name__)

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    """Answer a query (GET ``query=``, POST form or ``application/sparql-query``); else a form."""
    query = _query_text()
    if query is None:
        return render_template("sparql/form.html")
    result = kb.run_public_query(query)
    return _serialize(result)


def _query_text() -> str | None:
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        return request.get_data(as_text=True)
    if request.method == "POST" and "update" in request.form:
        raise QueryError("les mises à jour ne sont pas ouvertes ici / updates are not accepted here")
    return request.values.get("query")


def _serialize(result) -> Response:
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        mime = request.accept_mimetypes.best_match(list(RESULT_TYPES)) or "application/sparql-results+json"
        body = result.serialize(format=RESULT_TYPES[mime])
    else:
        mime = request.accept_mimetypes.best_match(list(GRAPH_TYPES)) or "text/turtle"
        body = ox.serialize(list(result), format=GRAPH_TYPES[mime])
    charset = "; charset=utf-8" if mime.startswith("text/") or "json" in mime else ""
    return Response(body, content_type=mime + charset)
