"""History pages: an entity's changesets, the diff of two versions, one changeset, and its revert.

Who may see them (a choice, issue 5 section 4): **logged-in people only** — curators and admins
for every entity, a contributor for the entries they proposed (``osc:proposedBy`` their account:
"the contributor sees its history", section 7). Anonymous visitors get 401, other contributors
403. Not public, because a changeset holds what private graphs held (a proposal before
publication, a person's contact data) and names accounts, which are personal data; public pages
stay a view of the public graphs. Everyone who may see a history may see the authors' display
names (curators, the entry's owner, the author); an author without a name shows as
"un·e contributeur·rice". Quads are shown only from graphs the viewer may read: a contributor
sees the public graphs and the proposals graph, never contact data (curators only, section 5).
A changeset page (it may span many entities) and its revert are for curators and admins.
"""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, redirect, render_template, request

from oscartes_kg import graphs, history, roles
from oscartes_kg.describe import label_map, resource_iri
from oscartes_kg.errors import Forbidden, OscartesError, RejectedInput, Unauthorized
from oscartes_kg.history.revert import RevertConflict
from oscartes_kg.namespaces import OSC
from oscartes_kg.tokens import token_iri

from . import auth, kb, terms
from .i18n import tr

__all__ = ["bp", "current_author"]

bp = Blueprint("history", __name__)
PROPOSED_BY = ox.NamedNode(str(OSC.proposedBy))
CURATORS = ("curator", "admin")


def current_author() -> str | None:
    """The IRI recorded as the author of this request's writes: its token, else its user."""
    token = auth.current_token()
    if token is not None:
        return token_iri(token.id).value
    user = auth.current_user()
    return user.iri if user else None


def _viewer(store, entity: ox.NamedNode | None) -> str:
    """The role of a viewer allowed to see ``entity``'s history (None: curators only).

    :raises Unauthorized: nobody is logged in. :raises Forbidden: not a curator nor the owner.
    """
    role = auth.current_role()
    if role is None:
        raise Unauthorized("connectez-vous (/login) pour voir l'historique / log in (/login) to "
                           "see the history", rule="login")
    if role in CURATORS:
        return role
    author = current_author()
    if entity is not None and author and any(
            True for _ in store.quads(entity, PROPOSED_BY, ox.NamedNode(author), graphs.PRIVATE_PROPOSALS)):
        return role
    raise Forbidden("seules les personnes qui ont proposé cette fiche et les curateur·rices voient "
                    "son historique / only the entry's author and curators see its history",
                    rule="history")


def _visible_graphs(store, role: str) -> set[str]:
    if role in CURATORS:
        return {g.value for g in roles.readable_graphs(role, store.graphs())}
    return {g.value for g in graphs.public(store.graphs())} | {graphs.PRIVATE_PROPOSALS.value}


def _who(store, changesets) -> dict[str, str]:
    names = history.agent_names(store, [c.author for c in changesets if c.author])
    anonymous = tr("un·e contributeur·rice", "a contributor")
    return {c.id: names.get(c.author or "", anonymous) for c in changesets}


def _rows(store, quads, visible: set[str]) -> list[dict]:
    """Quads as rows with labels, only those in ``visible`` graphs."""
    shown = [q for q in quads if q.graph_name.value in visible]
    iris = {q.predicate.value for q in shown} | {t.value for q in shown for t in (q.subject, q.object)
                                                  if isinstance(t, ox.NamedNode)}
    labels = label_map(store, iris)
    base = kb.settings().iri_base

    def name(term) -> dict:
        if isinstance(term, ox.NamedNode):
            found = labels.get(term.value, {})
            text = found.get("fr") or found.get("") or next(iter(found.values()), None)
            return {"text": text or terms.readable(term.value), "href": terms.href(term.value, base),
                    "iri": term.value}
        if isinstance(term, ox.Literal):
            return {"text": term.value, "lang": term.language}
        return {"text": tr("(nœud anonyme)", "(blank node)")}

    return [{"subject": name(q.subject), "predicate": name(q.predicate), "object": name(q.object),
             "graph": q.graph_name.value} for q in shown]


@bp.get("/id/<kind>/<slug>/history")
def entity_history(kind: str, slug: str):
    """The entity's changesets, newest first, with a form to compare two versions."""
    store = kb.get_store()
    entity = resource_iri(kb.settings().iri_base, kind, slug)
    _viewer(store, entity)
    found = history.for_entity(store, entity)
    return render_template("history/list.html", entity=entity.value, kind=kind, slug=slug,
                           changesets=found, who=_who(store, found),
                           curator=auth.current_role() in CURATORS)


@bp.get("/id/<kind>/<slug>/history/diff")
def entity_diff(kind: str, slug: str):
    """What changed in the entity's triples between the versions ``from`` and ``to``."""
    store = kb.get_store()
    entity = resource_iri(kb.settings().iri_base, kind, slug)
    role = _viewer(store, entity)
    chosen = history.diff(store, entity, request.args.get("from") or None,
                          request.args.get("to") or None)
    visible = _visible_graphs(store, role)
    return render_template("history/diff.html", entity=entity.value, kind=kind, slug=slug,
                           added=_rows(store, chosen.added, visible),
                           removed=_rows(store, chosen.removed, visible),
                           changesets=chosen.changesets, who=_who(store, chosen.changesets),
                           start=request.args.get("from", ""), end=request.args.get("to", ""))


@bp.get("/changesets/<changeset_id>")
def show(changeset_id: str, refusal: OscartesError | None = None):
    """One changeset: who, when, why, and its delta (the first quads of a large one); with
    ``refusal``, why its revert was refused (the validation report, or the later changesets)."""
    store = kb.get_store()
    role = _viewer(store, None)
    changeset = history.get(store, changeset_id)
    removed, added = history.delta(store, changeset) if changeset.has_delta else ([], [])
    visible = _visible_graphs(store, role)
    limit = 500
    return render_template("history/changeset.html", changeset=changeset,
                           who=_who(store, [changeset])[changeset.id],
                           added=_rows(store, added[:limit], visible),
                           removed=_rows(store, removed[:limit], visible),
                           cut=len(added) > limit or len(removed) > limit,
                           reverted_by=history.reverted_by(store, changeset_id),
                           changed=[(terms.local_path(i, kb.settings().iri_base), i.rsplit("/", 1)[-1])
                                    for i in changeset.changed[:50]],
                           refusal=refusal, report=_report_lines(refusal)), refusal.status if refusal else 200


def _report_lines(refusal) -> list[str]:
    report = getattr(refusal, "report", None)
    return report.to_text("fr").splitlines() if report is not None else []


@bp.post("/changesets/<changeset_id>/revert")
def revert(changeset_id: str):
    """Revert the changeset (curators and admins; CSRF-checked like every form)."""
    role = auth.require(roles.can_update)
    store = kb.get_store()
    try:
        history.revert(store, changeset_id, role=role, author=current_author(),
                       message=request.form.get("message") or None)
    except (RejectedInput, RevertConflict) as refusal:  # shown on the page, with the report
        return show(changeset_id, refusal)
    newest = history.reverted_by(store, changeset_id)
    return redirect(f"/changesets/{newest[0].id}" if newest else f"/changesets/{changeset_id}",
                    code=303)
