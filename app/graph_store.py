"""``/graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol, indirect graph identification.

``?graph=IRI`` names a graph, ``?default`` the default graph, which here is the union of the
graphs the caller may read: it can be read (GET, HEAD) and added to (POST puts the triples in
the contributions graph, like an update without GRAPH), not replaced or deleted as a whole.
GET and HEAD are open to all for public graphs; PUT, POST and DELETE need a token, and are
validated like ``oscartes-kg load``: 422 with the SHACL report, nothing written.
A graph the caller may not read answers 404, exactly as a graph that does not exist.
"""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, request

from oscartes_kg import changes, graphs, roles
from oscartes_kg.errors import (
    MethodNotAllowed, NotAcceptable, NotFound, OscartesError, ParseError, QueryError, UnknownFormat,
)
from oscartes_kg.ingest import REMOTE_CONTEXT_MESSAGE

from . import auth, kb
from .history import current_author
from .result_formats import FORMATS

bp = Blueprint("graph_store", __name__)

RDF_FORMATS = [f for f in FORMATS if f.kind == "graph"]
BODY_FORMATS = {f.media_type: f.pyoxigraph for f in RDF_FORMATS}
BODY_FORMATS["application/json"] = ox.RdfFormat.JSON_LD


@bp.route("/graph-store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store():
    """One operation on the graph the query string names."""
    graph = _target()
    if request.method in ("GET", "HEAD"):  # Flask leaves the body out of HEAD
        return _get(graph)
    role = auth.require(roles.can_update)
    if graph is None:
        if request.method != "POST":
            raise MethodNotAllowed(
                "le graphe par défaut est la réunion des graphes lisibles : il se lit (GET) et "
                "s'enrichit (POST), il ne se remplace ni ne se supprime / the default graph is the "
                "union of the readable graphs: it cannot be replaced or deleted", rule="method")
        graph = graphs.CONTRIBUTIONS
    store = kb.get_store()
    existed = graph in store.graphs()
    if request.method == "DELETE":
        if not existed or graph not in roles.readable_graphs(role, [graph]):
            raise _not_found(graph)
        change = changes.drop_graph(store, graph)
    elif request.method == "PUT":
        change = changes.replace_graph(store, graph, _body())
    else:
        change = changes.add_to_graph(graph, _body())
    changes.apply(store, change, role=role, author=current_author(), channel="graph-store")
    return Response(status=201 if request.method != "DELETE" and not existed else 204)


@bp.after_request
def _allow_header(response: Response) -> Response:
    if response.status_code == 405:
        default = request.args.get("graph") is None and "default" in request.args
        response.headers["Allow"] = "GET, HEAD, POST" if default else "GET, HEAD, PUT, POST, DELETE"
    return response


def _target() -> ox.NamedNode | None:
    """The named graph of ``?graph=``, or None for ``?default``."""
    named, default = request.args.getlist("graph"), "default" in request.args
    if named and default or len(named) > 1:
        raise QueryError("donnez soit « graph=IRI », soit « default » / give either graph=IRI or "
                         "default, once", rule="protocol")
    if not named and not default:
        raise QueryError("quel graphe ? ajoutez « ?graph=IRI » ou « ?default » / which graph? add "
                         "?graph=IRI or ?default", rule="protocol")
    if default:
        return None
    try:
        return ox.NamedNode(named[0])
    except ValueError:
        raise QueryError(f"IRI de graphe invalide « {named[0]} » / invalid graph IRI",
                         rule="iri") from None


def _get(graph: ox.NamedNode | None) -> Response:
    chosen = _negotiate()
    store = kb.get_store()
    every = store.graphs()
    readable = roles.readable_graphs(auth.current_role(), every)
    if graph is None:
        triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", lazy=True,
                              **_dataset(readable, every))
    else:
        if graph not in readable:
            raise _not_found(graph)
        triples = (ox.Triple(q.subject, q.predicate, q.object)
                   for q in store.quads(None, None, None, graph, lazy=True))
    try:  # streamed: a whole graph at 100k would not fit a list comfortably
        body = ox.serialize(triples, format=chosen.pyoxigraph)
    finally:
        del triples  # lazy pyoxigraph results are freed on the thread that made them
    response = Response(body, content_type=chosen.content_type)
    response.headers["Vary"] = "Accept"
    return response


def _dataset(readable: list, every: list) -> dict:
    if len(readable) == len(every):
        return {"union_default_graph": True}
    return {"default_graph": readable or [ox.NamedNode(graphs.BASE + "empty")]}


def _negotiate():
    accept = request.accept_mimetypes
    if not accept:
        return RDF_FORMATS[0]
    best = accept.best_match([f.media_type for f in RDF_FORMATS] + ["application/json"])
    if best is None:
        offered = ", ".join(f.media_type for f in RDF_FORMATS)
        raise NotAcceptable(f"formats possibles / offered formats: {offered}", rule="format")
    if best == "application/json":
        return next(f for f in RDF_FORMATS if f.extension == "jsonld")
    return next(f for f in RDF_FORMATS if f.media_type == best)


def _body() -> list:
    """The request's triples; relative IRIs and remote JSON-LD contexts are refused."""
    rdf_format = BODY_FORMATS.get(request.mimetype)
    if rdf_format is None:
        accepted = ", ".join(sorted(BODY_FORMATS))
        raise UnknownFormat(f"type de contenu « {request.mimetype or 'absent'} » non pris en "
                                   f"charge ; acceptés : {accepted} / unsupported content type",
                                   rule="format")
    try:
        return list(ox.parse(request.get_data(), format=rdf_format))
    except SyntaxError as error:
        if "LoadDocumentCallback" in str(error):
            raise ParseError(REMOTE_CONTEXT_MESSAGE, rule="context") from None
        where = f" (ligne {error.lineno})" if getattr(error, "lineno", None) else ""
        raise ParseError(f"corps de la requête mal formé{where} : {error.msg or error} / "
                         "malformed request body", rule="syntax") from None
    except (OSError, ValueError) as error:
        raise ParseError(f"corps de la requête illisible : {error} / unreadable request body",
                         rule="read") from None


def _not_found(graph: ox.NamedNode) -> OscartesError:
    return NotFound(f"graphe introuvable / graph not found: {graph.value}", entity=graph.value)
