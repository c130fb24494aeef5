"""Entity pages at ``/id/<kind>/<slug>``: HTML for a browser, RDF for an RDF client (Accept,
served directly with ``Vary: Accept``), and the documents ``.ttl``, ``.jsonld``, ``.nt``,
``.rdf`` (and ``.json``) at their own URLs.

The resource is ``{iri_base}{kind}/{slug}``: IRIs come from the URL, never from labels, so a
page stays where it is when its label changes. Only public graphs are read
(``oscartes_kg.describe``): a resource that exists only in a private graph is a 404.
"""
from __future__ import annotations

from flask import Blueprint, make_response, render_template, request

from oscartes_kg.describe import describe, resource_iri

from . import kb, terms
from .contacts import contacts_for, mark_private
from .entity_view import build
from .i18n import current
from .rdf_documents import DOCUMENTS, EXTENSIONS, HTML, negotiate, rdf_response
from .schema_org import json_ld

__all__ = ["bp"]

bp = Blueprint("entities", __name__)

@bp.get("/id/<kind>/<slug>")
def show(kind: str, slug: str):
    """The resource's page, or its RDF (by extension, else by Accept)."""
    stem, dot, extension = slug.rpartition(".")
    explicit = bool(dot) and extension in EXTENSIONS
    if explicit:
        slug = stem
    settings = kb.settings()
    description = describe(kb.get_store(), resource_iri(settings.iri_base, kind, slug))
    if explicit:
        return rdf_response(description.triples(), extension, vary=False)
    chosen = negotiate()
    if chosen != HTML:
        return rdf_response(description.triples(), chosen, vary=True)
    return _page(description, kind, slug, settings)


def _page(description, kind: str, slug: str, settings):
    """Render the HTML page (``entity/show-<kind>.html`` when a kind has its own, else
    ``entity/show.html``)."""
    lang = current()
    page = build(description, lang=lang, base=settings.iri_base, kind=kind)
    here = f"/id/{kind}/{slug}"
    documents = [(f"{here}.{ext}", name, media) for ext, (media, _, name) in DOCUMENTS.items()]
    name_of = lambda iri: description.label(iri, lang) or terms.readable(iri)  # noqa: E731
    contacts = contacts_for(description.subject.value)  # None unless curator or admin
    body = render_template(
        [f"entity/show-{kind}.html", "entity/show.html"], page=page, documents=documents,
        calendar=f"{here}.ics" if kind == "event" else None,
        schema_org=json_ld(description, title=page["title"], url=request.base_url, lang=lang,
                           name_of=name_of),
        tiles=settings.map_tile_url, attribution=settings.map_attribution,
        contacts=contacts)
    response = make_response(body)
    if contacts is not None:  # a curator's page: private contact data (GDPR), never cached
        mark_private(response)
    response.vary.add("Accept")
    response.headers["Link"] = ", ".join(
        f'<{url}>; rel="alternate"; type="{media}"' for url, _, media in documents)
    return response
