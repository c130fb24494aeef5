"""``/sparql``: the SPARQL 1.1 Protocol (query and update), the service description and the
query page, at one URL.

- Query by GET, by POST form and by POST ``application/sparql-query``, with
  ``default-graph-uri``/``named-graph-uri``; results by content negotiation.
- Update by POST form (``update=``) and POST ``application/sparql-update``, only with a bearer
  token whose role may write; every update is validated like any other write.
- GET without parameters: the query page for a browser, the service description for an RDF
  client.

Which graphs a request reads is decided by ``oscartes_kg.query_scope`` from the caller's role;
how long it may run and how many rows it returns, by ``oscartes_kg.limits``.
"""
from __future__ import annotations

import functools

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from oscartes_kg import query_scope, roles
from oscartes_kg.errors import MethodNotAllowed, NotAcceptable, QueryError, UnknownFormat

from . import auth, kb
from .result_formats import FORMATS, query_kind

bp = Blueprint("sparql", __name__)

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"
ALLOWED_METHODS = "GET, POST"

#: Offered formats per kind of result, first = default (JSON for tables, Turtle for graphs).
OFFERED = {kind: [f for f in FORMATS if f.kind == kind] for kind in ("table", "graph")}
#: ``?format=`` shortcuts (YASGUI and curl users), beside content negotiation.
SHORT_NAMES = {"json": "json", "xml": "srx", "csv": "csv", "tsv": "tsv", "turtle": "ttl",
               "ttl": "ttl", "nt": "nt", "ntriples": "nt", "jsonld": "jsonld", "json-ld": "jsonld",
               "rdfxml": "rdf", "rdf": "rdf"}


@bp.route("/sparql", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def endpoint():
    """Dispatch on the SPARQL 1.1 Protocol operation the request carries."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": ALLOWED_METHODS})
    if request.method not in ("GET", "POST"):
        raise MethodNotAllowed(f"méthode {request.method} non permise ici (GET ou POST) / method "
                               f"{request.method} not allowed (use GET or POST)", rule="method")
    operation, text, dataset = _operation()
    if operation is None:
        return _description_or_page()
    if operation == "update":
        return _update(text, dataset)
    return _query(text, dataset)


@bp.after_request
def _protocol_headers(response: Response) -> Response:
    """``Allow`` on a 405; CORS on every answer, errors included, so that a query editor on
    another site (YASGUI, a notebook) reads results and messages alike. Public data only: a
    browser never sends its cookies along with ``*``, so no session crosses sites."""
    if response.status_code == 405:
        response.headers["Allow"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":  # a CORS preflight (a POST of application/sparql-query...)
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = "Accept, Authorization, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _operation() -> tuple[str | None, str | None, dict]:
    """(``query``|``update``|None, its text, the protocol's graph parameters)."""
    args = request.args
    if request.method == "GET":
        if "update" in args:
            raise MethodNotAllowed("une mise à jour s'envoie en POST / an update must be sent "
                                   "with POST", rule="method")
        if "query" not in args and not {"default-graph-uri", "named-graph-uri"} & set(args):
            return None, None, {}  # the page or the description (``?lang=en`` is the page's)
        return "query", _single(args, "query"), _graphs(args, "default-graph-uri", "named-graph-uri")
    mimetype = request.mimetype
    if mimetype == QUERY_TYPE:
        return "query", request.get_data(as_text=True), _graphs(args, "default-graph-uri",
                                                                   "named-graph-uri")
    if mimetype == UPDATE_TYPE:
        return "update", request.get_data(as_text=True), _graphs(args, "using-graph-uri",
                                                                    "using-named-graph-uri")
    if mimetype in (FORM_TYPE, "multipart/form-data"):
        form = request.form
        if "query" in form and "update" in form:
            raise QueryError("« query » et « update » ne vont pas ensemble / a request carries "
                             "either a query or an update, not both", rule="protocol")
        if "update" in form:
            return "update", _single(form, "update"), _graphs(form, "using-graph-uri",
                                                              "using-named-graph-uri")
        return "query", _single(form, "query"), _graphs(form, "default-graph-uri",
                                                        "named-graph-uri")
    raise UnknownFormat(
        f"type de contenu « {mimetype or 'absent'} » non pris en charge : envoyez un formulaire, "
        f"{QUERY_TYPE} ou {UPDATE_TYPE} / unsupported content type", rule="protocol")


def _single(values, name: str) -> str:
    found = values.getlist(name)
    if not found or not found[0].strip():
        raise QueryError(f"paramètre « {name} » manquant : aucune requête à exécuter / missing "
                         f"'{name}' parameter", rule="protocol")
    if len(found) > 1:
        raise QueryError(f"un seul paramètre « {name} » est permis / only one '{name}' "
                         "parameter is allowed", rule="protocol")
    return found[0]


def _graphs(values, default_name: str, named_name: str) -> dict:
    return {"default": values.getlist(default_name), "named": values.getlist(named_name)}


# --- queries ---------------------------------------------------------------------------------

def _query(text: str, dataset: dict) -> Response:
    chosen = _negotiate(query_kind(text))
    body, headers = answer_query(text, dataset, auth.current_role(), chosen, store=kb.get_store(),
                                 settings=kb.settings(), runner=kb.runner)
    return Response(body, headers=headers)


def answer_query(text: str, dataset: dict, role: str | None, chosen, *, store, settings,
                 runner, inspection=None) -> tuple[bytes, list[tuple[str, str]]]:
    """The body and headers answering a query, for a caller with ``role``: the one code path of
    both the route and its Flask-free twin (``app.fast_queries``), so that they cannot differ.

    ``runner(federated=...)`` gives the pool to run in (``kb.runner``); ``inspection`` is
    ``query_scope.inspect(text)`` when the caller already has it.
    """
    if inspection is None:
        inspection = query_scope.inspect(text)
    query_scope.check_services(inspection, settings.partner_endpoints)
    every = tuple(store.graphs())
    if dataset["default"] or dataset["named"] or inspection.from_graphs or inspection.from_named:
        options = query_scope.scope(roles.readable_graphs(role, every), every,
                                    inspection=inspection, default_graph_uris=dataset["default"],
                                    named_graph_uris=dataset["named"]).query_options()
    else:
        options = _plain_options(role, every)
    outcome = runner(federated=bool(inspection.services)).run(
        lambda: store.query(text, lazy=True, **options))
    body = outcome.serialize(chosen.pyoxigraph)
    headers = [("Content-Type", chosen.content_type), ("Vary", "Accept"),
               ("Access-Control-Allow-Origin", "*")]  # public data, read by other sites' tools
    return body, headers + truncation_header_items(outcome, settings.query_max_rows)


@functools.lru_cache(maxsize=64)
def _plain_options(role: str | None, every: tuple) -> dict:
    """The dataset of a query naming none, per role and list of graphs (the list changes
    seldom, and working it out anew is a tenth of a simple query's time)."""
    return query_scope.scope(roles.readable_graphs(role, every), every).query_options()


def truncation_headers(response: Response, outcome, cap: int) -> Response:
    """Say that the row cap cut the results (Virtuoso's header, and an RFC 7234 warning)."""
    for name, value in truncation_header_items(outcome, cap):
        response.headers[name] = value
    return response


def truncation_header_items(outcome, cap: int) -> list[tuple[str, str]]:
    """The headers of ``truncation_headers``, none when every row was sent."""
    if not outcome.truncated:
        return []
    return [("X-SPARQL-MaxRows", str(cap)),
            ("Warning", f'199 oscartes-kg "résultat tronqué à {cap} lignes / results '
                        f'truncated at {cap} rows"')]


def _negotiate(kind: str):
    """The format to answer in: ``?format=`` if given, else the best of ``Accept``."""
    asked = request.args.get("format")
    if asked is None and request.method == "POST" and request.mimetype == FORM_TYPE:
        asked = request.form.get("format")
    return choose_format(kind, asked or "", request.headers.get("Accept", ""))


@functools.lru_cache(maxsize=512)
def choose_format(kind: str, asked: str, accept_header: str):
    """Cached per (kind, format, Accept): clients send the same few headers again and again,
    and parsing one costs more than the simple query it asks for."""
    offered = OFFERED[kind]
    if asked:
        chosen = next((f for f in offered if f.extension == SHORT_NAMES.get(asked.lower())), None)
        if chosen is None:
            raise NotAcceptable(_not_acceptable(kind, f"format={asked}"), rule="format")
        return chosen
    accept = parse_accept_header(accept_header, MIMEAccept)
    if not accept:
        return offered[0]
    types = [f.media_type for f in offered] + ["application/json"]
    best = accept.best_match(types)
    if best is None:
        raise NotAcceptable(_not_acceptable(kind, accept_header), rule="format")
    if best == "application/json":
        return next(f for f in offered if f.extension in ("json", "jsonld"))
    return next(f for f in offered if f.media_type == best)


def _not_acceptable(kind: str, asked: str) -> str:
    formats = ", ".join(f.media_type for f in OFFERED[kind])
    what = "ce résultat (tableau)" if kind == "table" else "ce résultat (graphe)"
    return (f"aucun format demandé ({asked}) ne convient pour {what} ; formats possibles : "
            f"{formats} / none of the requested formats fits this result; offered: {formats}")


# --- updates ---------------------------------------------------------------------------------

def _update(text: str, dataset: dict) -> Response:
    """Validate then apply an update, all or nothing; 204 when done."""
    from oscartes_kg import changes

    from .history import current_author

    role = auth.require(roles.can_update)
    store = kb.get_store()
    query_scope.check_services(query_scope.inspect(text), kb.settings().partner_endpoints)
    if dataset["default"] or dataset["named"]:
        raise QueryError("using-graph-uri / using-named-graph-uri ne sont pas pris en charge : "
                         "écrivez USING dans la mise à jour / not supported: write USING in the "
                         "update itself", rule="protocol")
    readable = roles.readable_graphs(role, store.graphs())
    change = changes.from_update(store, text, readable=readable)
    changes.apply(store, change, role=role, author=current_author(), channel="update")
    return Response(status=204)


# --- no operation: the page or the service description ---------------------------------------

def _description_or_page() -> Response | str:
    rdf_formats = OFFERED["graph"]
    # RDF first: a bare "*/*" (curl, SPARQL clients) gets the description, a browser the page.
    best = request.accept_mimetypes.best_match([f.media_type for f in rdf_formats] + ["text/html"])
    if best == "text/html":
        from .query_page import query_page_context

        return render_template("sparql/form.html", **query_page_context())
    chosen = next((f for f in rdf_formats if f.media_type == best), rdf_formats[0])
    from .service import service_description

    triples = service_description(kb.get_store(), request.base_url)
    response = Response(ox.serialize(triples, format=chosen.pyoxigraph),
                        content_type=chosen.content_type)
    response.headers["Vary"] = "Accept"
    return response
