"""Curation pages: ``/curation`` (pending proposals and the store's SHACL warnings) and
``/curation/<kind>/<slug>`` (see an entry, review it against the charter, withdraw it).

Curators and admins act; the proposer of an entry may read its page (status, reviews, the
reason of a refusal) but not act; anyone else gets 401 or 403. The logic lives in
``oscartes_kg.review``; forms carry the CSRF token (``app.sessions``).
"""
from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, redirect, render_template, request

from oscartes_kg import graphs, review
from oscartes_kg.errors import Forbidden, NotFound, RejectedInput, UsageError
from oscartes_kg.namespaces import OSCID

from . import auth, kb, terms
from .i18n import current, tr

__all__ = ["bp"]

bp = Blueprint("curation", __name__)

PAGE_SIZE = 50
#: How long the curation page waits for a running full validation before showing the last one.
WARNINGS_WAIT = 2.0
KIND_NAMES = {
    "organisation": ("Organisation", "Organisation"), "initiative": ("Initiative", "Initiative"),
    "person": ("Personne", "Person"), "commons": ("Commun", "Commons"),
    "resource": ("Ressource", "Resource"), "event": ("Événement", "Event"),
    "call": ("Appel à projets", "Call for projects"), "need": ("Besoin", "Need"),
    "offer": ("Offre", "Offer"),
}
STATUS_NAMES = {
    "pending": ("en attente de relecture", "awaiting review"), "declined": ("refusée", "declined"),
    "withdrawn": ("retirée de la publication", "withdrawn"), "published": ("publiée", "published"),
}
#: What the entry's table leaves out: shown in their own sections.
HIDDEN = {review.PROPOSED_BY, review.STATUS, review.WITHDRAWAL_REASON, review.HAS_REVIEW}


def _page_number(name: str) -> int:
    try:
        return max(1, int(request.args.get(name, "1")))
    except ValueError:
        return 1


def _pages(total: int, page: int) -> dict:
    last = max(1, -(-total // PAGE_SIZE))
    return {"page": min(page, last), "last": last, "total": total}


@bp.get("/curation")
def index():
    """Pending proposals (oldest first) and every SHACL warning of the last full validation."""
    auth.require(review.may_review)
    store = kb.get_store()
    page, wpage = _page_number("page"), _page_number("wpage")
    proposals, total = review.pending(store, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    found = review.store_warnings(store, wait=WARNINGS_WAIT)
    wpages = _pages(len(found.warnings), wpage)
    start = (wpages["page"] - 1) * PAGE_SIZE
    return render_template(
        "curation/index.html", proposals=proposals, pages=_pages(total, page),
        warnings=[_warning(v) for v in found.warnings[start:start + PAGE_SIZE]],
        state=found, wpages=wpages, kind_name=_kind_name, page_url=_page_url)


def _page_url(name: str, number: int) -> str:
    """This page with one page parameter changed, the others kept."""
    args = request.args.to_dict()
    args[name] = str(number)
    return "/curation?" + urlencode(args)


def _warning(violation) -> dict:
    """A warning as a row: who (with a link), which property, the message."""
    base = str(OSCID)
    link = None
    if violation.focus.startswith(base):
        kind, _, slug = violation.focus[len(base):].partition("/")
        link = f"/curation/{kind}/{slug}" if kind in KIND_NAMES and slug else terms.href(violation.focus, base)
    return {"focus": violation.focus, "label": violation.label, "link": link,
            "property": violation.path_label or (terms.curie(violation.path.strip("<>"))
                                                 if violation.path else ""),
            "message": violation.message(current())}


def _kind_name(kind: str) -> str:
    names = KIND_NAMES.get(kind)
    return tr(*names) if names else kind


@bp.get("/curation/<kind>/<slug>")
def show(kind: str, slug: str):
    """The entry, its status and reviews; the review and withdrawal forms for curators."""
    role = auth.require(lambda role: role is not None)
    found = _visible_entry(kind, slug, role)
    return _render(found, role)


@bp.post("/curation/<kind>/<slug>")
def post_review(kind: str, slug: str):
    """Record a review: all five criteria affirmed publishes, anything else declines."""
    role = auth.require(review.may_review)
    found = _visible_entry(kind, slug, role)
    verdicts, missing = _posted_verdicts()
    if missing:
        return _render(found, role, status=422, error=tr(
            "Donnez un verdict (affirmé ou non) sur chacun des cinq critères : rien n'a été "
            "enregistré.", "Give a verdict (affirmed or not) on each of the five criteria: "
            "nothing was written."))
    user = auth.current_user()
    try:
        outcome, _ = review.record(
            kb.get_store(), review.entity_iri(kind, slug), verdicts, request.form.get("comment", ""),
            role=role, author=_author(), acts_for=user.acts_for if user else None)
    except (UsageError, RejectedInput, Forbidden) as error:
        return _render(found, role, status=error.status, error=error.message, report=_report(error))
    return redirect(f"/curation/{kind}/{slug}?done={outcome}", 303)


@bp.post("/curation/<kind>/<slug>/publish")
def post_publish(kind: str, slug: str):
    """Publish an entry of a kind without charter review (a proposed person, a withdrawn event)."""
    role = auth.require(review.may_review)
    found = _visible_entry(kind, slug, role)
    try:
        review.publish(kb.get_store(), review.entity_iri(kind, slug), role=role, author=_author())
    except (UsageError, RejectedInput) as error:
        return _render(found, role, status=error.status, error=error.message, report=_report(error))
    return redirect(f"/curation/{kind}/{slug}?done=published", 303)


@bp.post("/curation/<kind>/<slug>/withdraw")
def post_withdraw(kind: str, slug: str):
    """Withdraw a published entry, with a reason."""
    role = auth.require(review.may_review)
    found = _visible_entry(kind, slug, role)
    try:
        review.withdraw(kb.get_store(), review.entity_iri(kind, slug), request.form.get("reason", ""),
                        role=role, author=_author())
    except (UsageError, RejectedInput) as error:
        return _render(found, role, status=error.status, error=error.message, report=_report(error))
    return redirect(f"/curation/{kind}/{slug}?done=withdrawn", 303)


def _visible_entry(kind: str, slug: str, role: str) -> review.Entry:
    """The entry, if this caller may see it: curators and admins, or its proposer."""
    found = review.entry(kb.get_store(), review.entity_iri(kind, slug))
    if found is None:
        raise NotFound(f"entrée introuvable / no such entry: {kind}/{slug}", entity=f"{kind}/{slug}")
    user = auth.current_user()
    if not review.may_review(role) and not (user and found.proposed_by == user.iri):
        raise Forbidden("seuls les curateurs, les administrateurs et l'auteur de la proposition "
                        "voient cette page / only curators, admins and the proposer may see this "
                        "page", entity=found.iri, rule="role")
    return found


def _author() -> str | None:
    """The account (or API token) IRI that the history records as the author."""
    token = auth.current_token()
    if token is not None:
        return f"{OSCID}token/{token.id}"
    user = auth.current_user()
    return user.iri if user else None


def _posted_verdicts() -> tuple[list, list]:
    verdicts, missing = [], []
    for slug in review.CRITERIA:
        value = request.form.get(f"verdict-{slug}")
        if value not in ("affirmed", "not-affirmed"):
            missing.append(slug)
            continue
        verdicts.append(review.Verdict(slug, value == "affirmed",
                                       request.form.get(f"comment-{slug}", "")))
    return verdicts, missing


def _report(error) -> list:
    report = getattr(error, "report", None)
    return [v.to_text(current()) for v in report.errors] if report else []


def _render(found: review.Entry, role: str, *, status: int = 200, error: str | None = None,
            report: list | None = None):
    store = kb.get_store()
    may_act = review.may_review(role)
    reviewer_problem = None
    if may_act and found.kind in review.REVIEWED_KINDS:
        user = auth.current_user()
        try:
            review.reviewer_for(store, user.acts_for if user else None)
        except Forbidden as problem:
            reviewer_problem = problem.message
    lang = current()
    body = render_template(
        "curation/entry.html", entry=found, may_act=may_act, error=error, report=report or [],
        reviewer_problem=reviewer_problem, criteria=review.criteria(store), lang=lang,
        reviewed=found.kind in review.REVIEWED_KINDS, rows=_rows(found),
        status_name=tr(*STATUS_NAMES[found.status]), kind_name=_kind_name(found.kind),
        form=request.form if request.method == "POST" else {}, done=request.args.get("done"),
        public_path=f"/id/{found.kind}/{found.slug}")
    return body, status


def _rows(found: review.Entry) -> list[dict]:
    """The entity's own statements for the table: property, value, link, public or not."""
    base = str(OSCID)
    rows = []
    for quad in sorted(found.quads, key=lambda q: (q.predicate.value, q.object.value)):
        if quad.predicate in HIDDEN:
            continue
        value = quad.object.value
        link = terms.href(value, base) if isinstance(quad.object, ox.NamedNode) else None
        rows.append({"property": terms.curie(quad.predicate.value), "value": value, "link": link,
                     "language": getattr(quad.object, "language", None),
                     "public": graphs.is_public(quad.graph_name)})
    return rows
