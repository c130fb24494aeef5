"""Search: ranked full-text results with facets and pages, as HTML (no JavaScript needed) or JSON.

``/search?q=&kind=&theme=&commune=&status=&competence=&page=`` reads the catalogue
(``oscartes_kg.catalogue``), which holds public data only. A facet parameter may be repeated:
each value narrows the results (kinds: any of them).
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request

from oscartes_kg.catalogue import FACET_FIELDS, KIND_LABELS, Filters, SearchResults
from oscartes_kg.errors import UsageError

from . import catalogue, kb, terms
from .i18n import current, tr

__all__ = ["bp", "PAGE_SIZE"]

bp = Blueprint("search", __name__)


@bp.record_once
def _open_catalogue(state) -> None:
    """Open the catalogue with the app, so that a write arriving before any search refreshes
    the file in the configured folder (``catalogue_cache``), not the default one."""
    with state.app.app_context():
        catalogue.get()

PAGE_SIZE = 20
#: Facet values shown per level of a facet's tree (the JSON has them all).
SHOWN_PER_LEVEL = 12
_PARAMS = {"kind": "kinds", "theme": "themes", "commune": "communes", "status": "statuses",
           "competence": "competences"}


@bp.get("/search")
def page():
    """The search page, or the same data as JSON when the client prefers it."""
    if _prefers_json():
        return data()
    results = _run()
    return render_template("search/index.html", results=results, facets=_facet_trees(results),
                           hits=[_hit(h) for h in results.hits], pager=_pager(results),
                           headings=_HEADINGS, chosen=_chosen(results))


@bp.get("/search.json")
def data():
    """Results, facets and page links as JSON."""
    results = _run()
    pager = _pager(results)
    return jsonify({
        "query": results.text, "page": results.page, "size": results.size,
        "total": results.total, "pages": results.pages,
        "filters": {name: list(results.filters.chosen(name)) for name in FACET_FIELDS},
        "results": [_hit(h) for h in results.hits],
        "facets": {name: [_value_json(name, v, results) for v in values]
                   for name, values in results.facets.items()},
        "next": pager["next"], "prev": pager["prev"],
    })


def _prefers_json() -> bool:
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", "application/json"]) == "application/json" \
        and accept["application/json"] > accept["text/html"]


def _run() -> SearchResults:
    """Read and check the query string, then search."""
    text = request.args.get("q", "").strip()[:200]
    raw_page = request.args.get("page", "1")
    if not raw_page.isdigit() or int(raw_page) < 1:
        raise UsageError(f"numéro de page invalide : « {raw_page[:20]} » (un entier à partir de 1) "
                         f"/ invalid page number (an integer from 1)", prop="page", rule="page")
    kinds = tuple(dict.fromkeys(k for k in request.args.getlist("kind") if k))
    for kind in kinds:
        if kind not in KIND_LABELS:
            raise UsageError(f"type inconnu : « {kind[:40]} » (attendu : {', '.join(KIND_LABELS)}) "
                             f"/ unknown kind", prop="kind", rule="kind")
    chosen = {field: tuple(dict.fromkeys(v for v in request.args.getlist(param) if v))
              for param, field in _PARAMS.items() if param != "kind"}
    return catalogue.get().search(text, Filters(kinds=kinds, **chosen), page=int(raw_page),
                                  size=PAGE_SIZE)


def _url(**changes) -> str:
    """This search's URL with some parameters changed (a list value replaces them all)."""
    args = {k: request.args.getlist(k) for k in request.args if k != "page"}
    for key, value in changes.items():
        args[key] = value if isinstance(value, list) else [value]
    pairs = [(k, v) for k, values in args.items() for v in values if v not in (None, "")]
    return f"/search?{urlencode(pairs)}" if pairs else "/search"


def _toggle(param: str, value: str) -> str:
    """The URL that adds ``value`` to the facet ``param``, or removes it when chosen."""
    values = request.args.getlist(param)
    return _url(**{param: [v for v in values if v != value] if value in values else values + [value]})


def _label(label: str, label_en: str) -> str:
    return label_en if current() == "en" and label_en else label


def _hit(hit) -> dict:
    """One result for templates and JSON."""
    kind = KIND_LABELS.get(hit.kind, (hit.kind, hit.kind))
    return {
        "iri": hit.iri, "url": terms.local_path(hit.iri, kb.settings().iri_base) or hit.iri,
        "label": _label(hit.label, hit.label_en), "kind": hit.kind,
        "kind_label": _label(*kind),
        "commune": ({"iri": hit.commune,
                     "label": _label(hit.commune_label or "", hit.commune_label_en or "")}
                    if hit.commune and hit.commune_label else None),
        "start": hit.start,
        "snippet": "".join(text for text, _ in hit.snippet),
        "snippet_parts": [{"text": text, "match": match} for text, match in hit.snippet],
    }


def _value_json(name: str, value, results) -> dict:
    return {"value": value.value, "label": _label(value.label, value.label_en),
            "count": value.count, "parent": value.parent, "selected": value.selected,
            "url": _toggle(name, value.value)}


def _facet_trees(results: SearchResults) -> dict:
    """Each facet as a tree (parents before their children), capped per level."""
    trees = {}
    for name, values in results.facets.items():
        present = {v.value for v in values}
        children: dict = {}
        for value in values:
            parent = value.parent if value.parent in present else None
            children.setdefault(parent, []).append(value)

        def nodes(parent, depth=0):
            shown = children.get(parent, [])
            keep = shown[:SHOWN_PER_LEVEL] + [v for v in shown[SHOWN_PER_LEVEL:] if v.selected]
            return [{"label": _label(v.label, v.label_en), "count": v.count,
                     "selected": v.selected, "url": _toggle(name, v.value),
                     "children": nodes(v.value, depth + 1), "more": 0} for v in keep] + \
                ([{"more": len(shown) - len(keep)}] if len(shown) > len(keep) else [])
        trees[name] = nodes(None)
    return trees


def _chosen(results: SearchResults) -> list[dict]:
    """The chosen filters, each with a link that removes it."""
    labels = {(name, v.value): _label(v.label, v.label_en)
              for name, values in results.facets.items() for v in values}
    chosen = []
    for name in FACET_FIELDS:
        for value in results.filters.chosen(name):
            label = labels.get((name, value)) or (_label(*KIND_LABELS[value]) if name == "kind"
                                                  else terms.readable(value))
            chosen.append({"heading": _HEADINGS[name](), "label": label,
                           "url": _toggle(name, value)})
    return chosen


def _pager(results: SearchResults) -> dict:
    """Links to the previous, next and nearby pages."""
    here = results.page
    window = range(max(1, here - 3), min(results.pages, here + 3) + 1)
    return {"prev": _url(page=str(here - 1)) if here > 1 else None,
            "next": _url(page=str(here + 1)) if here < results.pages else None,
            "pages": [{"number": n, "url": _url(page=str(n)), "current": n == here} for n in window],
            "first": _url(page="1") if window.start > 1 else None,
            "last": _url(page=str(results.pages)) if window.stop <= results.pages else None}


_HEADINGS = {
    "kind": lambda: tr("Type", "Kind"), "theme": lambda: tr("Thème", "Theme"),
    "commune": lambda: tr("Territoire", "Territory"), "status": lambda: tr("Statut", "Status"),
    "competence": lambda: tr("Compétence", "Competence"),
}
