"""Curation of probable duplicates: ``/curation/duplicates`` (the list, highest score first),
``/curation/duplicates/pair?a=IRI&b=IRI`` (both entities side by side, with their sources and
the reasons) and the decision form. Curators and admins only; forms carry the CSRF token.
The logic lives in ``oscartes_kg.duplicates``.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request

from oscartes_kg import duplicates
from oscartes_kg.duplicates import sides
from oscartes_kg.errors import NotFound, RejectedInput, UsageError
from oscartes_kg.namespaces import OSCID

from . import auth, kb, terms
from .curation import _author, _report
from .entity_view import graph_name
from .i18n import current

__all__ = ["bp"]

bp = Blueprint("duplicates", __name__)

PAGE_SIZE = 50
DONE = {"link", "merge", "distinct"}


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.get("/curation/duplicates")
def index():
    """Probable duplicates, highest score first, one page at a time."""
    auth.require(duplicates.may_decide)
    store = kb.get_store()
    page = _page_number()
    found, total = duplicates.waiting(store, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    last = max(1, -(-total // PAGE_SIZE))
    lang = current()
    rows = [{"a": sides.label(store, p.a), "b": sides.label(store, p.b), "score": p.score,
             "reasons": [r.text(lang) for r in p.reasons], "link": _pair_url(p.a, p.b)}
            for p in found]
    done = request.args.get("done")
    return render_template("duplicates/index.html", rows=rows, done=done if done in DONE else None,
                           pages={"page": min(page, last), "last": last, "total": total},
                           page_url=lambda _name, number: "/curation/duplicates?page=" + str(number))


def _pair_url(a: str, b: str) -> str:
    return "/curation/duplicates/pair?" + urlencode({"a": a, "b": b})


def _our_iri(value: str | None) -> str:
    """An entity IRI of ours, as given in the query or the form (else 404)."""
    if not value or not value.startswith(str(OSCID)):
        raise NotFound("entrée introuvable / no such entry", entity=value or "", rule="dedup")
    return value


@bp.get("/curation/duplicates/pair")
def pair():
    """Both entities side by side, the reasons, and the decision forms."""
    auth.require(duplicates.may_decide)
    a, b = _our_iri(request.args.get("a")), _our_iri(request.args.get("b"))
    return _render(a, b)


@bp.post("/curation/duplicates/decide")
def decide():
    """Record the curator's decision (link, merge, distinct), then back to the list."""
    role = auth.require(duplicates.may_decide)
    a, b = _our_iri(request.form.get("a")), _our_iri(request.form.get("b"))
    action = request.form.get("action", "")
    try:
        duplicates.decide(kb.get_store(), action, a, b, role=role, author=_author())
    except (UsageError, RejectedInput) as error:
        return _render(a, b, status=error.status, error=error.message, report=_report(error))
    return redirect(f"/curation/duplicates?done={action}", 303)


def _render(a: str, b: str, *, status: int = 200, error: str | None = None, report=None):
    store = kb.get_store()
    left, right = sides.side(store, a), sides.side(store, b)
    if not left.statements or not right.statements:
        raise NotFound("entrée introuvable / no such entry", entity=a if not left.statements else b)
    proposal = duplicates.proposals.get(store, a, b)
    base = str(OSCID)
    view = [{"side": s, "href": terms.href(s.iri, base),
             "sources": [(g, graph_name(g)) for g in s.sources],
             "rows": [{"subject": "" if r.subject == s.iri else "#" + r.subject.split("#", 1)[1],
                       "property": terms.curie(r.predicate), "value": r.value,
                       "link": terms.href(r.value, base) if r.is_iri else None,
                       "graph": graph_name(r.graph)} for r in s.statements]}
            for s in (left, right)]
    lang = current()
    body = render_template("duplicates/pair.html", sides=view, a=a, b=b, error=error,
                           report=report or [], score=proposal.score if proposal else None,
                           reasons=[r.text(lang) for r in proposal.reasons] if proposal else [])
    return body, status
