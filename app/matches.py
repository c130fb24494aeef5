"""Matches of a need or an offer: the « Correspondances » block of their pages, the JSON API
``/api/matches/<kind>/<slug>``, and « marquer comme pourvu » for the poster.

Ranking and explanations come from :mod:`oscartes_kg.matching`; this module only shapes them
for a page or a JSON reply and adds the links to entity pages.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, jsonify, redirect, request
from pyoxigraph import NamedNode, Triple

from oscartes_kg import contributions, matching
from oscartes_kg.describe import resource_iri
from oscartes_kg.errors import NotFound, UsageError

from . import kb, terms
from .auth import current_user

__all__ = ["bp", "KINDS", "MAX_LIMIT"]

bp = Blueprint("matches", __name__)

KINDS = ("need", "offer")
MAX_LIMIT = 100
STATUS = NamedNode(matching.mi.OSC + "needOfferStatus")
FULFILLED = NamedNode(matching.mi.OSC + "fulfilled")


def _author() -> contributions.Author | None:
    user = current_user()
    return contributions.Author(user.iri, user.role) if user else None


def _iri(kind: str, slug: str) -> str:
    if kind not in KINDS:
        raise NotFound(f"pas de correspondances pour le type « {kind} » (besoin ou offre seulement)"
                       f" / matches exist for needs and offers only", rule="kind")
    return resource_iri(kb.settings().iri_base, kind, slug).value


def _limit() -> int:
    raw = request.args.get("limit", str(matching.LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise UsageError(f"paramètre « limit » : un entier de 1 à {MAX_LIMIT}, pas « {raw} » "
                         f"/ 'limit' must be an integer from 1 to {MAX_LIMIT}", rule="param")
    return int(raw)


def _with_links(data: dict) -> dict:
    base = kb.settings().iri_base
    for name in ("offers", "needs", "actors"):
        for item in data.get(name, []):
            item["href"] = terms.local_path(item["iri"], base)
    return data


@bp.get("/api/matches/<kind>/<slug>")
def api(kind: str, slug: str):
    """The ranked matches with their score parts and explanations, as JSON."""
    found = matching.match(kb.get_store(), _iri(kind, slug), limit=_limit())
    return jsonify(_with_links(found.to_json()))


@bp.app_template_global()
def matches_for(iri: str) -> dict | None:
    """The matches of the page's need or offer, for the « Correspondances » block."""
    try:
        data = matching.match(kb.get_store(), iri).to_json()
    except NotFound:  # a page without a status (not a posting matching can read)
        return None
    return _with_links(data)


@bp.app_template_global()
def may_mark_fulfilled(iri: str) -> bool:
    """Whether the logged-in user may edit this posting (its poster, a curator or an admin)."""
    author = _author()
    return author is not None and contributions.can_edit(kb.get_store(), NamedNode(iri), author)


@bp.post("/id/<kind>/<slug>/fulfilled")
def fulfilled(kind: str, slug: str):
    """The poster marks the need or offer fulfilled (an edit through the contribution layer)."""
    iri = _iri(kind, slug)
    author = _author()
    if author is None:
        return redirect(f"/login?next={quote(f'/id/{kind}/{slug}')}", 303)
    contributions.patch(kb.get_store(), NamedNode(iri),
                        [Triple(contributions.THIS, STATUS, FULFILLED)], author=author,
                        message="pourvu / fulfilled", channel="form")
    return redirect(f"/id/{kind}/{slug}", 303)
