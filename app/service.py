"""What the dataset is and where to get it: the SPARQL service description, ``/void`` and the
public dumps (``/dumps/public.nq.gz``, ``/dumps/public.ttl``).

Counts and dumps come from the dump cache (``oscartes_kg.dumps``): made once per change of the
data, over the public graphs only.
"""
from __future__ import annotations

import os

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, has_app_context, request, url_for
from werkzeug.wsgi import wrap_file

from oscartes_kg import dumps
from oscartes_kg.namespaces import PREFIXES

from . import kb
from .dataset_description import DATASET, SD, VOID, XSD, describe

__all__ = ["bp", "service_description", "public_url", "dump_cache", "RDF_TYPES"]

bp = Blueprint("service", __name__)

FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: Result formats of /sparql (SPARQL 1.1 Service Description, section 3.2.6: W3C format IRIs).
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
#: Media types /void answers in; Turtle first, the default.
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# oscid: is left out: its local names hold slashes, which Turtle escapes (oscid:dataset\/x).
TURTLE_PREFIXES = {name: iri for name, iri in PREFIXES.items() if name != "oscid"} | {"sd": SD}
DUMP_ROUTES = {"public.nq.gz": "service.dump_nq", "public.ttl": "service.dump_ttl"}
DOWNLOAD_NAMES = {"public.nq.gz": "oscartes-public.nq.gz", "public.ttl": "oscartes-public.ttl"}
CONTENT_TYPES = {"public.nq.gz": "application/gzip", "public.ttl": "text/turtle; charset=utf-8"}


def dump_cache(store) -> dumps.Cache:
    """The store's dump cache, placed and aged as the app's settings say."""
    settings = current_app.config["OSCARTES"] if has_app_context() else None
    return dumps.open_cache(store, cache_dir=getattr(settings, "dumps_cache", None) or None,
                            max_age=getattr(settings, "dumps_max_age", dumps.DEFAULT_MAX_AGE))


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of a route: under the ``public_url`` setting when set (behind a proxy),
    else under the address the request came to."""
    base = getattr(current_app.config["OSCARTES"], "public_url", "") or ""
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def service_description(store, endpoint_url: str, *, federation: bool | None = None) -> list[ox.Triple]:
    """SPARQL 1.1 Service Description of ``/sparql`` (https://www.w3.org/TR/sparql11-service-description/).

    The default dataset is the union of the public graphs (hence ``sd:UnionDefaultGraph``), with
    VoID counts; each public graph is an ``sd:namedGraph``. Private graphs are never named.
    ``federation``: ``SERVICE`` to partner endpoints is allowed (``sd:BasicFederatedQuery``);
    by default, when the app's ``federation_allowlist`` setting names any.
    """
    if federation is None:
        settings = current_app.config["OSCARTES"] if has_app_context() else None
        federation = bool(getattr(settings, "federation_allowlist", ""))
    stats = dump_cache(store).statistics()
    service, endpoint = ox.BlankNode(), ox.NamedNode(endpoint_url)
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
    void = lambda name: ox.NamedNode(VOID + name)  # noqa: E731
    triples = [ox.Triple(service, RDF_TYPE, sd("Service")), ox.Triple(service, sd("endpoint"), endpoint)]
    add = lambda s, p, o: triples.append(ox.Triple(s, p, o))  # noqa: E731
    for language in ("SPARQL11Query", "SPARQL11Update"):
        add(service, sd("supportedLanguage"), sd(language))
    for name in RESULT_FORMATS:
        add(service, sd("resultFormat"), ox.NamedNode(FORMATS + name))
    for feature in ("UnionDefaultGraph", "BasicFederatedQuery") if federation else ("UnionDefaultGraph",):
        add(service, sd("feature"), sd(feature))
    add(service, sd("defaultEntailmentRegime"),
        ox.NamedNode("http://www.w3.org/ns/entailment/Simple"))
    dataset, default_graph = ox.BlankNode(), ox.BlankNode()
    add(service, sd("defaultDataset"), dataset)
    add(dataset, RDF_TYPE, sd("Dataset"))
    add(dataset, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), DATASET)
    add(dataset, sd("defaultGraph"), default_graph)
    add(default_graph, RDF_TYPE, sd("Graph"))
    for name, value in (("triples", stats.triples), ("entities", stats.entities),
                        ("distinctSubjects", stats.distinct_subjects),
                        ("classes", len(stats.classes)), ("properties", len(stats.properties))):
        add(default_graph, void(name), _integer(value))
    for graph in stats.graphs:
        named, content = ox.BlankNode(), ox.BlankNode()
        add(dataset, sd("namedGraph"), named)
        add(named, RDF_TYPE, sd("NamedGraph"))
        add(named, sd("name"), ox.NamedNode(graph.graph))
        add(named, sd("graph"), content)
        add(content, RDF_TYPE, sd("Graph"))
        add(content, void("triples"), _integer(graph.triples))
        add(content, void("entities"), _integer(graph.entities))
    return triples


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


@bp.get("/void")
def void():
    """VoID + DCAT description of the public dataset, Turtle unless Accept asks for another RDF."""
    store = kb.get_store()
    triples = describe(
        store, dump_cache(store).statistics(), endpoint=public_url("sparql.endpoint"),
        dumps={name: public_url(route) for name, route in DUMP_ROUTES.items()},
        document=public_url("service.void"))
    mime = request.accept_mimetypes.best_match(list(RDF_TYPES), default="text/turtle")
    body = ox.serialize(triples, format=RDF_TYPES[mime], prefixes=TURTLE_PREFIXES)
    charset = "" if mime == "application/rdf+xml" else "; charset=utf-8"
    response = Response(body, content_type=mime + charset)
    response.vary.add("Accept")
    return response


@bp.get("/dumps/public.nq.gz")
def dump_nq():
    """Every public graph as gzip-compressed N-Quads."""
    return _send_dump("public.nq.gz")


@bp.get("/dumps/public.ttl")
def dump_ttl():
    """The union of the public graphs as Turtle."""
    return _send_dump("public.ttl")


def _send_dump(name: str) -> Response:
    """Send an up-to-date dump file with ETag and Last-Modified, answering 304 when unchanged.

    The file is opened once and its ETag taken from that open file, so a regeneration that
    renames a new file in meanwhile cannot mismatch headers and body.
    """
    path = dump_cache(kb.get_store()).dump(name)
    handle = open(path, "rb")
    info = os.fstat(handle.fileno())
    response = Response(wrap_file(request.environ, handle), content_type=CONTENT_TYPES[name],
                        direct_passthrough=True)
    response.content_length = info.st_size
    response.last_modified = info.st_mtime
    response.set_etag(f"{info.st_mtime_ns:x}-{info.st_size:x}")
    response.cache_control.no_cache = True  # revalidate: the data may have changed
    response.headers.set("Content-Disposition", "attachment", filename=DOWNLOAD_NAMES[name])
    return response.make_conditional(request.environ, accept_ranges=True,
                                     complete_length=info.st_size)
