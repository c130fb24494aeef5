"""Public exports for other maps (``/export/<format>``) and the CSV import templates
(``/import/templates/<kind>.csv`` and the matching mapping file ``<kind>.yaml``).

Both read the public graphs only (``exporters.public_actors``, ``table.rows``): a private
graph is never reachable from here. Exports are computed once per data version.
"""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template

from oscartes_kg import exporters, graphs, versioned
from oscartes_kg.exporters import table
from oscartes_kg.importers.mapping import expand, shipped, shipped_path

from . import kb

__all__ = ["bp", "TEMPLATE_KINDS"]

bp = Blueprint("exports", __name__)

#: Kinds of entry with a CSV template (a shipped mapping ``csv-<kind>.yaml``).
TEMPLATE_KINDS = ("organisation", "event")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@bp.get("/export/<format_name>")
def export(format_name: str):
    """Every public actor in one of ``exporters.FORMATS``, as a download."""
    if format_name not in exporters.FORMATS:
        abort(404)
    store = kb.get_store()
    body = versioned.cached(store, ("export", format_name),
                            lambda: exporters.export(store, format_name))
    media_type, extension = exporters.FORMATS[format_name]
    return Response(body, content_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="oscartes-acteurs.{extension}"',
        "Access-Control-Allow-Origin": "*"})


@bp.get("/import/templates")
def templates():
    """The list of CSV templates, with how to use them (French page)."""
    return render_template("exports/templates.html", kinds=TEMPLATE_KINDS,
                           formats=sorted(exporters.FORMATS))


@bp.get("/import/templates/<kind>.csv")
def template_csv(kind: str):
    """French headers and one example row taken from the demo data."""
    rules = _rules(kind)
    store = kb.get_store()
    klass = expand(rules.get("class", "osc:Organisation"), rules)
    examples = sorted(q.subject.value for q in store.quads(
        None, ox.NamedNode(RDF_TYPE), ox.NamedNode(klass), graphs.DEMO))
    body = table.serialize(store, examples[:1], rules)
    return Response(body, content_type=table.MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="modele-{kind}.csv"'})


@bp.get("/import/templates/<kind>.yaml")
def template_mapping(kind: str):
    """The mapping file that reads the template's columns."""
    _rules(kind)
    return Response(shipped_path(f"csv-{kind}.yaml").read_bytes(),
                    content_type="application/yaml; charset=utf-8", headers={
                        "Content-Disposition": f'attachment; filename="correspondance-{kind}.yaml"'})


def _rules(kind: str) -> dict:
    if kind not in TEMPLATE_KINDS:
        abort(404)
    return shipped(f"csv-{kind}.yaml")
