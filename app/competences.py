"""The competence directory: ``/competences`` (the thesaurus as a nested list with counts) and
``/competences/<slug>`` (the holders of a competence and of its narrower ones, paginated), each
also as ``.json``. Holders come from :mod:`oscartes_kg.competence_directory` (public graphs,
persons only with consent)."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, render_template, request

from oscartes_kg import competence_directory as directory
from oscartes_kg import matching_index as mi
from oscartes_kg.errors import UsageError

from . import kb, terms

__all__ = ["bp"]

bp = Blueprint("competences", __name__)


def _node_json(node: directory.Node) -> dict:
    return {"iri": node.iri, "slug": node.slug, "label": {"fr": node.fr, "en": node.en},
            "count": node.count, "narrower": [_node_json(c) for c in node.children]}


@bp.get("/competences")
@bp.get("/competences.json")
def index():
    """Every competence of the scheme, nested, with how many actors hold it."""
    nodes = directory.tree(mi.index(kb.get_store()))
    if request.path.endswith(".json"):
        return jsonify({"competences": [_node_json(n) for n in nodes]})
    return render_template("competences/index.html", nodes=nodes)


def _number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise UsageError(f"paramètre « page » : un entier à partir de 1, pas « {raw} » / 'page' "
                         "must be a positive integer", rule="param")
    return int(raw)


@bp.get("/competences/<slug>")
def show(slug: str):
    """The holders of one competence (and of its narrower ones), one page at a time."""
    as_json = slug.endswith(".json")
    found = directory.page(kb.get_store(), slug.removesuffix(".json"), _number())
    base = kb.settings().iri_base
    holders = [{"iri": h.iri, "label": h.label, "kind": "person" if h.person else "organisation",
                "href": terms.local_path(h.iri, base), "commune": h.place.commune_label,
                "competences": list(h.competences)} for h in found.holders]
    if as_json:
        data = asdict(found) | {"holders": holders}
        return jsonify(data)
    thesaurus = mi.index(kb.get_store()).thesaurus
    return render_template("competences/show.html", page_data=found, holders=holders,
                           label=thesaurus.label, slug_of=lambda iri: iri.rsplit("/", 1)[-1])
