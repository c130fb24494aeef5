"""``/ontology``: the vocabulary as browsable HTML (one anchor per term, so ``/ontology#Event``
works) and as RDF by content negotiation; ``/ontology/thesauri``: the SKOS concept schemes as
nested lists, and their RDF. Both read one public graph each (ontology, thesauri).
"""
from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template

from oscartes_kg import graphs

from . import kb
from .i18n import current
from .rdf_documents import DOCUMENTS, EXTENSIONS, HTML, negotiate, rdf_response
from .vocabulary_model import schemes, vocabulary

__all__ = ["bp"]

bp = Blueprint("ontology_docs", __name__)


def _triples(graph) -> list:
    """The triples of one public graph (the ontology or the thesauri)."""
    return [q.triple for q in kb.get_store().quads(graph=graph)]


def _answer(graph, extension: str | None, render):
    """The document asked by extension, else by Accept (``Vary: Accept``), else the page."""
    if extension is not None:
        if extension not in EXTENSIONS:
            abort(404)
        return rdf_response(_triples(graph), extension, vary=False)
    chosen = negotiate()
    if chosen != HTML:
        return rdf_response(_triples(graph), chosen, vary=True)
    response = make_response(render(_triples(graph)))
    response.vary.add("Accept")
    return response


def _documents(path: str) -> list[tuple[str, str, str]]:
    return [(f"{path}.{ext}", name, media) for ext, (media, _, name) in DOCUMENTS.items()]


@bp.get("/ontology")
@bp.get("/ontology.<extension>")
def vocabulary_page(extension: str | None = None):
    """Classes, properties, individuals and external terms of the vocabulary."""
    return _answer(graphs.ONTOLOGY, extension, lambda triples: render_template(
        "ontology/vocabulary.html", vocabulary=vocabulary(triples, current()),
        documents=_documents("/ontology")))


@bp.get("/ontology/thesauri")
@bp.get("/ontology/thesauri.<extension>")
def thesauri_page(extension: str | None = None):
    """The concept schemes (themes, competences, criteria, statuses, kinds) as trees."""
    return _answer(graphs.THESAURI, extension, lambda triples: render_template(
        "ontology/thesauri.html", schemes=schemes(triples, current(), kb.settings().iri_base),
        documents=_documents("/ontology/thesauri")))
