"""Knowledge resources (issue 7 section 5): ``/resources``, the guides, trainings and method
sheets by theme, a page at a time, as HTML or JSON (``/resources.json``).

Read from the catalogue (public graphs only, facets closed over the theme hierarchy), never by
scanning the store: one bitset filter per page, and the theme counts come with it.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request

from oscartes_kg import choices
from oscartes_kg.catalogue import Filters
from oscartes_kg.errors import UsageError

from . import catalogue, kb, terms
from .i18n import current, tr

__all__ = ["bp", "PAGE_SIZE", "KIND"]

bp = Blueprint("resources", __name__)

PAGE_SIZE = 20
#: The catalogue kind of knowledge resources (``/id/resource/<slug>``).
KIND = "resource"


@bp.get("/resources")
def index():
    """Resources (of one theme and its narrower ones when ``?theme=`` is given), by name."""
    listing = _listing()
    return render_template("resources/index.html", **listing)


@bp.get("/resources.json")
def data():
    """The same page as JSON."""
    listing = _listing()
    results = listing["results"]
    return jsonify({
        "theme": listing["theme"], "page": results.page, "pages": results.pages,
        "total": results.total, "size": results.size,
        "resources": listing["resources"],
        "themes": [{k: t[k] for k in ("iri", "label", "count", "depth")} for t in listing["themes"]],
        "next": listing["next"], "prev": listing["prev"]})


def _listing() -> dict:
    """Check the parameters, read one page and the theme counts from the catalogue."""
    lang = current()
    theme = choices.check(request.args.get("theme") or None, choices.themes(kb.get_store(), lang),
                          "thème")
    page = _page_number()
    found = catalogue.get()
    every = found.search("", Filters(kinds=(KIND,)), page=1, size=1)  # theme counts of all resources
    results = found.search("", Filters(kinds=(KIND,), themes=(theme.value,) if theme else ()),
                           page=page, size=PAGE_SIZE)
    counts = {v.value: v.count for v in every.facets.get("theme", [])}
    themes = [{"iri": c.iri, "label": c.label, "depth": c.depth, "count": counts[c.iri],
               "url": _url(theme=c.iri), "selected": theme is not None and theme.value == c.iri}
              for c in choices.themes(kb.get_store(), lang) if counts.get(c.iri)]
    base = kb.settings().iri_base
    resources = [{"iri": h.iri, "url": terms.local_path(h.iri, base) or h.iri,
                  "label": h.label_en if lang == "en" and h.label_en else h.label,
                  "summary": "".join(text for text, _ in h.snippet)} for h in results.hits]
    here = results.page
    return {"results": results, "resources": resources, "themes": themes,
            "theme": theme.value if theme else None, "all_url": _url(theme=None),
            "prev": _url(theme=request.args.get("theme"), page=here - 1) if here > 1 else None,
            "next": _url(theme=request.args.get("theme"), page=here + 1) if here < results.pages else None,
            "search_url": "/search?" + urlencode([("kind", KIND)] + ([("theme", theme.value)] if theme else []))}


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise UsageError(f"numéro de page invalide : « {raw[:20]} » (un entier à partir de 1) "
                         f"/ invalid page number (an integer from 1)", prop="page", rule="page")
    return int(raw)


def _url(theme: str | None = None, page: int = 1) -> str:
    """This listing with a theme and a page (the language is kept by its cookie)."""
    pairs = ([("theme", theme)] if theme else []) + ([("page", str(page))] if page > 1 else [])
    return "/resources" + ("?" + urlencode(pairs) if pairs else "")
