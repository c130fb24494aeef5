"""``/queries`` and ``/queries/NAME``: every named query at a stable URL, as Datasette serves its
canned queries: a page with a form, SPARQL results (JSON, CSV, TSV, XML) or RDF for a graph.

Parameters come from the URL and are bound as RDF terms by ``NamedQuery.run``, never pasted into
the query; public graphs only (``include_private=False``, always).
"""
from __future__ import annotations

from flask import (Blueprint, Response, current_app, g, jsonify, render_template, request,
                   url_for)
from werkzeug.exceptions import HTTPException, NotAcceptable

from oscartes_kg import queries
from oscartes_kg.errors import NotFound, OscartesError

from . import i18n, kb, query_params, result_formats, result_table
from .errors import error_body
from .result_formats import HTML, SPARQL_TEXT
from .sparql import truncation_headers

__all__ = ["bp", "catalogue", "find"]

bp = Blueprint("named_queries", __name__)

#: Results change when data is edited; a minute of caching spares repeated runs, not freshness.
CACHE_CONTROL = "public, max-age=60"

TEXT = {
    "fr": {"heading": "Requêtes nommées", "lang": "fr", "other": "en", "other_name": "English",
           "intro": "Des requêtes SPARQL prêtes à l'emploi sur les données publiques, chacune à une "
                    "adresse stable, en page, en JSON, en CSV (et en RDF pour un graphe).",
           "query": "Requête", "description": "Description", "params": "Paramètres",
           "none": "aucun", "required": "obligatoire", "optional": "facultatif",
           "run": "Exécuter", "sparql": "Texte de la requête SPARQL", "formats": "Autres formats",
           "results": "Résultats", "rows": "ligne(s)", "no_rows": "Aucun résultat.",
           "missing": "Ce paramètre est obligatoire.", "fill": "Remplissez les champs "
           "obligatoires pour voir les résultats.", "yes": "oui", "no": "non",
           "graph": ("sujet", "prédicat", "objet"), "all": "Toutes les requêtes nommées",
           "not_acceptable": "aucun des formats demandés (Accept) ne convient à « {name} » ; "
                             "formats possibles : {types}"},
    "en": {"heading": "Named queries", "lang": "en", "other": "fr", "other_name": "Français",
           "intro": "Ready-made SPARQL queries over the public data, each at a stable URL, as a "
                    "page, JSON, CSV (and RDF for a graph).",
           "query": "Query", "description": "Description", "params": "Parameters",
           "none": "none", "required": "required", "optional": "optional",
           "run": "Run", "sparql": "SPARQL query text", "formats": "Other formats",
           "results": "Results", "rows": "row(s)", "no_rows": "No results.",
           "missing": "This parameter is required.", "fill": "Fill in the required fields "
           "to see the results.", "yes": "yes", "no": "no",
           "graph": ("subject", "predicate", "object"), "all": "All named queries",
           "not_acceptable": "none of the formats asked for (Accept) fits '{name}'; "
                             "possible formats: {types}"},
}


def catalogue() -> list:
    """The queries served: ``queries/*.rq``, plus any named in the app's
    ``OSCARTES_EXTRA_QUERIES`` (a list of ``NamedQuery``, like Datasette's configured queries)."""
    extra = list(current_app.config.get("OSCARTES_EXTRA_QUERIES", ()))
    names = {q.name for q in extra}
    return [q for q in queries.all_queries() if q.name not in names] + extra


def find(name: str):
    """The query called ``name``.

    :raises NotFound: no such query.
    """
    for query in current_app.config.get("OSCARTES_EXTRA_QUERIES", ()):
        if query.name == name:
            return query
    return queries.get(name)


def _run(query, values: dict[str, str]):
    """The one place a named query runs for the web: public graphs only, under the same time
    limit and row cap as /sparql."""
    store, services = kb.get_store(), kb.settings().partner_endpoints
    federated = "SERVICE" in query.sparql.upper()  # the pool of queries that call partners
    outcome = kb.runner(federated=federated).run(
        lambda: query.run(store, values, include_private=False, services=services, lazy=True))
    return outcome


@bp.get("/queries", endpoint="index")
@bp.get("/queries.json", endpoint="index_json")
def index():
    """Every query: title, description, parameters, and the URL of each format."""
    entries = [_describe(q) for q in catalogue()]
    if request.endpoint.endswith("_json") or _prefers_json():
        return _cached(jsonify({"queries": entries}))
    text = TEXT[_language()]
    return _cached(Response(render_template(
        "queries/index.html", text=text, page_lang=text["lang"], entries=entries,
        other_url=url_for(".index", lang=text["other"]))))


@bp.get("/queries/<name>")
def show(name: str):
    """One query, run with the URL's parameters, in the format of the extension or Accept."""
    query, extension = _split(name)
    kind = result_formats.query_kind(query.sparql)
    fmt = result_formats.negotiate(query.name, kind, extension, _accept())
    if fmt is None:
        types = ", ".join(f.media_type for f in (HTML, *result_formats.for_kind(kind)))
        raise NotAcceptable(TEXT["fr"]["not_acceptable"].format(name=query.name, types=types)
                            + " / " + TEXT["en"]["not_acceptable"].format(name=query.name,
                                                                          types=types))
    g.named_query_data = fmt is not HTML
    if fmt is SPARQL_TEXT:
        return _cached(Response(query.sparql, content_type=fmt.content_type))
    reading = query_params.read(query, request.args)
    if fmt is HTML:
        return _page(query, kind, reading)
    if (error := reading.error()) is not None:
        raise error
    outcome = _run(query, reading.values)
    response = Response(outcome.serialize(fmt.pyoxigraph), content_type=fmt.content_type)
    return _cached(truncation_headers(response, outcome, kb.settings().query_max_rows))


def _page(query, kind: str, reading):
    """The page: the form (pre-filled, problems marked), the query text, then the results."""
    text = TEXT[_language(query)]
    table = None
    if not reading.problems and not reading.missing:
        table = result_table.table(_run(query, reading.values), text["graph"])
    links = [(f.extension, url_for(".show", name=f"{query.name}.{f.extension}", **reading.values))
             for f in result_formats.for_kind(kind)]
    links.append((SPARQL_TEXT.extension, url_for(".show", name=f"{query.name}.rq")))
    page = render_template(
        "queries/show.html", text=text, page_lang=text["lang"], query=query,
        title=_title(query, text["lang"]), description=_description(query, text["lang"]),
        reading=reading, table=table, links=links,
        other_url=url_for(".show", name=query.name, lang=text["other"], **reading.values))
    return _cached(Response(page), status=400 if reading.problems else 200)


def _split(name: str):
    """The query and the extension asked for in ``NAME.ext`` (None without extension)."""
    stem, dot, extension = name.rpartition(".")
    g.named_query_data = bool(dot) and extension.lower() != "html"
    if dot and result_formats.by_extension(extension):
        return find(stem), extension.lower()
    if dot:
        find(stem)  # a known query with an unknown extension: say which formats exist
        known = " ".join("." + f.extension for f in result_formats.FORMATS)
        raise NotFound(f"format inconnu « .{extension} » (formats : {known}) / unknown format "
                       f"'.{extension}'", rule="format")
    g.named_query_data = not _prefers_html()
    return find(name), None


def _describe(query) -> dict:
    """A query for the JSON list and the page list."""
    kind = result_formats.query_kind(query.sparql)
    return {
        "name": query.name,
        "title": {"fr": query.title, "en": query.title_en or query.title},
        "description": {"fr": query.description, "en": query.description_en or query.description},
        "kind": kind,
        "params": [{"name": p.name, "type": p.type, "required": p.required, "help": p.help}
                   for p in query.params],
        "urls": {f.extension: url_for(".show", name=_with_extension(query.name, f), _external=True)
                 for f in (HTML, *result_formats.for_kind(kind), SPARQL_TEXT)},
    }


def _with_extension(name: str, fmt) -> str:
    return name if fmt is HTML else f"{name}.{fmt.extension}"


def _title(query, lang: str) -> str:
    return (query.title_en if lang == "en" else "") or query.title or query.name


def _description(query, lang: str) -> str:
    return (query.description_en if lang == "en" else "") or query.description


def _language(query=None) -> str:
    """The site's language (``app.i18n``), except that a query with its own ``lang``
    parameter keeps ``?lang=`` for itself: then the page follows Accept-Language alone."""
    if query and any(p.name == "lang" for p in query.params):
        return request.accept_languages.best_match(list(TEXT), default="fr")
    return i18n.current()


def _accept():
    """The Accept header, or None when the client sent none (a page, then)."""
    return request.accept_mimetypes if request.headers.get("Accept") else None


def _prefers_json() -> bool:
    accept = _accept()
    return bool(accept) and accept.best_match(["text/html", "application/json"]) == "application/json"


def _prefers_html() -> bool:
    accept = _accept()
    return not accept or accept.best_match(["text/html", "application/json"]) == "text/html"


def _cached(response: Response, status: int = 200) -> Response:
    response.status_code = status
    response.headers["Vary"] = "Accept, Accept-Language"
    if status == 200:
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.errorhandler(OscartesError)
@bp.errorhandler(HTTPException)
def _error(error):
    """A JSON error when data was asked for (by extension or Accept), else the error page."""
    status = getattr(error, "status", None) or getattr(error, "code", None) or 500
    message = error.message if isinstance(error, OscartesError) else error.description
    if g.get("named_query_data", not _prefers_html()):
        response = jsonify(error_body(status, message))
    else:
        response = Response(render_template("error.html", status=status, message=message))
    response.status_code = status
    response.headers["Vary"] = "Accept, Accept-Language"
    return response
