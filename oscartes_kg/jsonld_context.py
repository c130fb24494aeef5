"""The write API's JSON-LD: our context (shipped here, never fetched), reading a body into a draft
for ``contributions``, and writing an entry back as compact JSON-LD.

JSON-LD lets a document name remote contexts (``@context`` URLs, ``@import``) that a processor
would download: the server never does (rdflib's security considerations; DEVELOPERS.md). A
body may name our context by its URL, give it inline, or give none and use full IRIs; any other
remote context is refused before parsing.
"""
from __future__ import annotations

import json
import re

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.shared.jsonld.context import Context

from .contributions import THIS
from .errors import ParseError
from .namespaces import OSCID

__all__ = ["CONTEXT", "CONTEXT_URLS", "document", "read_body", "cleared_predicates", "to_document"]

_IRI = {"@type": "@id"}
#: The context of the write API (``/api/context.jsonld``): prefixes and the common terms.
CONTEXT = {
    "@version": 1.1,
    "osc": "https://w3id.org/oscartes/ns#", "oscid": str(OSCID),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "schema": "http://schema.org/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#", "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/", "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "label": "rdfs:label", "altLabel": "skos:altLabel", "description": "dcterms:description",
    "url": {"@id": "schema:url", "@type": "xsd:anyURI"},
    "theme": {"@id": "osc:theme", **_IRI}, "competence": {"@id": "osc:competence", **_IRI},
    "commune": {"@id": "osc:commune", **_IRI},
    "lat": {"@id": "geo:lat", "@type": "xsd:decimal"}, "long": {"@id": "geo:long", "@type": "xsd:decimal"},
    "sameAs": {"@id": "owl:sameAs", **_IRI}, "source": {"@id": "dcterms:source", **_IRI},
    "legalStatus": {"@id": "osc:legalStatus", **_IRI}, "siren": "osc:siren", "rna": "osc:rna",
    "email": "schema:email", "telephone": "schema:telephone", "address": "schema:address",
    "partnerOf": {"@id": "osc:partnerOf", **_IRI}, "memberOf": {"@id": "org:memberOf", **_IRI},
    "consent": {"@id": "osc:consent"}, "consentScope": "osc:consentScope",
    "consentMethod": "osc:consentMethod", "date": {"@id": "dcterms:date", "@type": "xsd:date"},
    "consentWithdrawn": {"@id": "osc:consentWithdrawn", "@type": "xsd:date"},
    "carriedBy": {"@id": "osc:carriedBy", **_IRI}, "usesResource": {"@id": "osc:usesResource", **_IRI},
    "contributesTo": {"@id": "osc:contributesTo", **_IRI},
    "sharedResource": "osc:sharedResource", "governance": "osc:governance",
    "license": {"@id": "dcterms:license", **_IRI}, "steward": {"@id": "osc:steward", **_IRI},
    "creator": {"@id": "dcterms:creator", **_IRI},
    "needOfferKind": {"@id": "osc:needOfferKind", **_IRI}, "postedBy": {"@id": "osc:postedBy", **_IRI},
    "needOfferStatus": {"@id": "osc:needOfferStatus", **_IRI},
    "validFrom": {"@id": "schema:validFrom", "@type": "xsd:date"},
    "validThrough": {"@id": "schema:validThrough", "@type": "xsd:date"},
    "startDate": "schema:startDate", "endDate": "schema:endDate",
    "organizer": {"@id": "schema:organizer", **_IRI}, "funder": {"@id": "schema:funder", **_IRI},
    "deadline": "osc:deadline", "eligibleTheme": {"@id": "osc:eligibleTheme", **_IRI},
    "eligibleTerritory": {"@id": "osc:eligibleTerritory", **_IRI},
}
#: How a body may name this context instead of giving it inline (the path is resolved on any host).
CONTEXT_URLS = ("/api/context.jsonld", "https://w3id.org/oscartes/context.jsonld")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def document() -> dict:
    """The context document served at ``/api/context.jsonld``."""
    return {"@context": CONTEXT}


def _ours(value: str) -> bool:
    return any(value == url or value.endswith(url) and url.startswith("/") for url in CONTEXT_URLS)


def _local_context(value):
    """The ``@context`` value with our URL replaced by the shipped context; any other remote one refused."""
    if isinstance(value, list):
        return [_local_context(v) for v in value]
    if isinstance(value, str):
        if _ours(value):
            return CONTEXT
        raise ParseError(f"contexte JSON-LD distant refusé : « {value[:200]} » ; utilisez "
                         f"/api/context.jsonld ou donnez le contexte dans le document / remote "
                         f"JSON-LD context refused: the server never fetches one", rule="context")
    if isinstance(value, dict):
        if "@import" in value:
            raise ParseError("@import refusé : le serveur ne télécharge aucun contexte / @import "
                             "refused: the server never fetches a context", rule="context")
        # scoped contexts inside term definitions are contexts too
        return {k: ({**v, "@context": _local_context(v["@context"])} if isinstance(v, dict)
                    and "@context" in v else v) for k, v in value.items()}
    if value is None:
        return value
    raise ParseError("@context invalide / invalid @context", rule="context")


def _sanitised(node, context: dict, key: str = ""):
    """A copy of the body with every ``@context`` made local; IRIs checked (an invalid one is an
    error naming its key, never silently dropped)."""
    if isinstance(node, list):
        return [_sanitised(n, context, key) for n in node]
    if not isinstance(node, dict):
        return node
    copy = {}
    if "@context" in node:
        copy["@context"] = _local_context(node["@context"])
        local = copy["@context"]
        for part in local if isinstance(local, list) else [local]:
            if isinstance(part, dict):
                context = {**context, **part}
    for k, v in node.items():
        if k == "@context":
            continue
        if k == "@id" or (isinstance(context.get(k), dict) and context[k].get("@type") == "@id"):
            for value in v if isinstance(v, list) else [v]:
                if isinstance(value, str):
                    _check_iri(_expand(value, context), k if k != "@id" else key or "@id")
        copy[k] = _sanitised(v, context, k)
    return copy


def _expand(value: str, context: dict) -> str:
    prefix, colon, rest = value.partition(":")
    if colon and isinstance(context.get(prefix), str) and not rest.startswith("//"):
        return context[prefix] + rest
    return value


def _check_iri(value: str, key: str) -> None:
    if value.startswith("_:"):
        return
    bad = not _SCHEME.match(value) or re.search(r"[\s<>\"{}|\\^`]", value)
    if not bad:
        try:
            ox.NamedNode(value)
        except ValueError:
            bad = True
    if bad:
        raise ParseError(f"IRI invalide pour « {key} » : « {value[:200]} » (une adresse absolue "
                         f"comme https://…) / invalid IRI for {key!r}", prop=key, rule="iri")


def read_body(raw: bytes) -> tuple[dict, Graph]:
    """Parse a JSON-LD body (remote contexts refused) into (the JSON, its RDF graph).

    :raises ParseError: not JSON, not a JSON object, a remote context, an invalid IRI, or
        JSON-LD that does not parse.
    """
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"JSON illisible : {error} / unreadable JSON", rule="json") from None
    if not isinstance(body, dict):
        raise ParseError("le document doit être un objet JSON-LD / the body must be a JSON-LD object",
                         rule="json")
    body = _sanitised(body, {})
    graph = Graph()
    try:
        graph.parse(data=json.dumps(body), format="json-ld", base=None)
    except Exception as error:  # rdflib raises many kinds: translate at the boundary
        raise ParseError(f"JSON-LD illisible ({error.__class__.__name__}) / unreadable JSON-LD",
                         rule="json-ld") from None
    return body, graph


def entity_node(graph: Graph, classes: dict, iri: str | None = None):
    """(node, kind) of the document's entry: ``iri`` when given, else the one node typed with
    an entry class (``classes``: class IRI -> kind).

    :raises ParseError: no such node, or several.
    """
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    if iri is not None and (URIRef(iri), None, None) in graph:
        kinds = [classes[str(t)] for t in graph.objects(URIRef(iri), rdf_type) if str(t) in classes]
        return URIRef(iri), (kinds[0] if kinds else None)
    typed = list(dict.fromkeys((s, classes[str(t)]) for s, t in graph.subject_objects(rdf_type)
                               if str(t) in classes))  # typed Organisation and Association: one entry
    if iri is None and len(typed) == 1:
        return typed[0]
    if iri is not None and len(typed) == 1 and isinstance(typed[0][0], BNode):
        return typed[0]
    raise ParseError("le document doit décrire une seule fiche avec son @type (par exemple "
                     "osc:Initiative) / the document must describe exactly one entry with its @type",
                     rule="type")


def to_draft(graph: Graph, node) -> list[ox.Triple]:
    """The graph as a draft about ``THIS``: the entry and the blank nodes it owns; statements
    about other resources are refused (an entry's write never changes another entry)."""
    blanks: dict = {}

    def term(t):
        if t == node:
            return THIS
        if isinstance(t, BNode):
            return blanks.setdefault(t, ox.BlankNode())
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)) if t.datatype else None)
        raise ParseError("terme inattendu / unexpected term")
    owned = {node} | {o for o in graph.objects(node, None) if isinstance(o, BNode)}
    draft = []
    for s, p, o in graph:
        if s not in owned:
            raise ParseError(f"le document parle d'une autre ressource ({s}) : une écriture ne "
                             f"décrit qu'une fiche et les enregistrements qu'elle possède / the "
                             f"document describes another resource", entity=str(s), rule="scope")
        draft.append(ox.Triple(term(s), ox.NamedNode(str(p)), term(o)))
    return draft


def cleared_predicates(body: dict) -> list[ox.NamedNode]:
    """The predicates a JSON Merge Patch sets to ``null`` (RFC 7396: null removes)."""
    context = {}
    local = _local_context(body.get("@context")) if "@context" in body else None
    for part in local if isinstance(local, list) else [local]:
        if isinstance(part, dict):
            context.update(part)
    expand = Context(context) if context else None
    found = []
    for key, value in body.items():
        if value is not None or key.startswith("@"):
            continue
        iri = (expand.expand(key) if expand else None) or key
        _check_iri(iri, key)
        found.append(ox.NamedNode(iri))
    return found


def to_document(triples, iri: str, base_url: str) -> dict:
    """Compact JSON-LD of an entry's triples, naming our context by its URL."""
    graph = Graph()
    for t in triples:
        graph.add(tuple(_rdflib(x) for x in (t.subject, t.predicate, t.object)))
    compact = json.loads(graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True))
    compact["@context"] = base_url.rstrip("/") + CONTEXT_URLS[0]
    if "@graph" not in compact:
        return compact
    nodes = compact.pop("@graph")
    main = next((n for n in nodes if n.get("@id") == iri or n.get("@id") == _curie(iri)), {"@id": iri})
    others = [n for n in nodes if n is not main]
    return {**compact, **main, **({"@included": others} if others else {})}


def _curie(iri: str) -> str:
    return "oscid:" + iri[len(str(OSCID)):] if iri.startswith(str(OSCID)) else iri


def _rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value) if term.datatype else None)
