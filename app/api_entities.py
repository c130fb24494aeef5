"""The JSON-LD write API: ``POST /api/entities``, ``GET|PUT|PATCH /api/entities/<kind>/<slug>``
(and ``PUT|PATCH /id/<kind>/<slug>``), and our context at ``/api/context.jsonld``.

Same rules as the forms (``oscartes_kg.contributions``): a bearer token or a logged-in session
(with ``X-CSRFToken``) of role contributor, curator or admin; contributors edit only their own
entries. Statuses: 201 + Location on creation, 400 malformed JSON-LD, 401/403 credentials,
404 unknown entry, 415 wrong content type, 422 with the report on a shape violation.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from oscartes_kg import contributions, entry_classes, jsonld_context, tokens
from oscartes_kg.errors import ParseError, UnknownFormat
from rdflib import BNode, URIRef

from . import auth, kb

__all__ = ["bp"]

bp = Blueprint("api_entities", __name__)

JSON_LD = "application/ld+json"
WRITE_TYPES = (JSON_LD, "application/json")
PATCH_TYPES = WRITE_TYPES + ("application/merge-patch+json",)


def _classes(store) -> dict:
    """Class IRI -> kind: each kind's class and its sub-classes in the ontology (an ``@type`` of
    ``osc:Guide`` makes a knowledge resource)."""
    return entry_classes.kinds_by_class(store, contributions.KIND_CLASSES)


def _contributor(role) -> bool:
    return role in ("contributor", "curator", "admin")


def _author() -> contributions.Author:
    """The caller as an author (401/403 first): the token's IRI, else the account's."""
    role = auth.require(_contributor)
    token = auth.current_token()
    if token is not None:
        return contributions.Author(tokens.token_iri(token.id).value, role)
    return contributions.Author(auth.current_user().iri, role)


def _body(accepted: tuple):
    """The request's JSON-LD (415 for another media type)."""
    media = (request.mimetype or "").lower()
    if media not in accepted:
        raise UnknownFormat(f"type de contenu « {media or 'absent'} » refusé : envoyez "
                            f"{' ou '.join(accepted)} / content type refused: send {', '.join(accepted)}",
                            rule="content-type")
    return jsonld_context.read_body(request.get_data())


def _written(written, status: int):
    body = {"ok": True, "iri": written.iri, "url": written.path, "status": written.status,
            "warnings": [v.to_json() for v in written.result.warnings]}
    response = jsonify(body)
    response.status_code = status
    response.headers["Location"] = written.path
    return response


@bp.get("/api/context.jsonld")
def context():
    """Our JSON-LD context (bodies may name it instead of giving it inline)."""
    response = jsonify(jsonld_context.document())
    response.mimetype = JSON_LD
    return response


@bp.post("/api/entities")
def create():
    """Create an entry from a JSON-LD node with its ``@type``: 201 and its Location."""
    author = _author()
    _, graph = _body(WRITE_TYPES)
    store = kb.get_store()
    node, kind = jsonld_context.entity_node(graph, _classes(store))
    if not isinstance(node, BNode):
        raise ParseError("l'adresse (@id) d'une nouvelle fiche est attribuée par le serveur : "
                         "omettez @id / a new entry's @id is given by the server: leave it out",
                         prop="@id", rule="id")
    written = contributions.create(store, kind, jsonld_context.to_draft(graph, node),
                                   author=author, message=request.headers.get("X-Message"), channel="api")
    return _written(written, 201)


@bp.get("/api/entities/<kind>/<slug>")
def read(kind: str, slug: str):
    """The entry as compact JSON-LD: public data, plus its private part for its owner and curators."""
    store = kb.get_store()
    iri = contributions.entity_iri(kind, slug)
    role = auth.current_role()
    owner = False
    if role is not None:
        token = auth.current_token()
        who = tokens.token_iri(token.id).value if token else getattr(auth.current_user(), "iri", "")
        owner = contributions.can_edit(store, iri, contributions.Author(who, role))
    triples = contributions.own_triples(store, iri, private=owner)
    response = jsonify(jsonld_context.to_document(triples, iri.value, request.url_root))
    response.mimetype = JSON_LD
    return response


@bp.put("/api/entities/<kind>/<slug>")
@bp.put("/id/<kind>/<slug>")
def replace(kind: str, slug: str):
    """Replace the entry's own triples with the document's."""
    author = _author()
    store = kb.get_store()
    iri = contributions.entity_iri(kind, slug)
    contributions.check_can_edit(store, iri, author)
    _, graph = _body(WRITE_TYPES)
    node, _ = jsonld_context.entity_node(graph, _classes(store), iri.value)
    written = contributions.replace(store, iri, jsonld_context.to_draft(graph, node), author=author,
                                    message=request.headers.get("X-Message"), channel="api")
    return _written(written, 200)


@bp.patch("/api/entities/<kind>/<slug>")
@bp.patch("/id/<kind>/<slug>")
def patch(kind: str, slug: str):
    """JSON Merge Patch on the entry: given properties replace their values, ``null`` removes."""
    author = _author()
    store = kb.get_store()
    iri = contributions.entity_iri(kind, slug)
    contributions.check_can_edit(store, iri, author)
    body, graph = _body(PATCH_TYPES)
    cleared = jsonld_context.cleared_predicates(body)
    draft = []
    if len(graph):
        node = _patch_node(graph, iri.value)
        draft = jsonld_context.to_draft(graph, node)
    written = contributions.patch(store, iri, draft, cleared, author=author,
                                  message=request.headers.get("X-Message"), channel="api")
    return _written(written, 200)


def _patch_node(graph, iri: str):
    """The patched node: ``@id`` of the entry, or the document's one subject without ``@id``."""
    if (URIRef(iri), None, None) in graph:
        return URIRef(iri)
    objects = set(graph.objects())
    subjects = {s for s in graph.subjects() if s not in objects}
    if len(subjects) != 1:
        raise ParseError("le correctif doit porter sur la fiche de cette adresse (un seul nœud, "
                         "sans @id ou avec le sien) / the patch must be about the entry at this "
                         "address", rule="id")
    return next(iter(subjects))
