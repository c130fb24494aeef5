"""Contribution forms: a new entry (``/contribute/<kind>``), an edit (``/id/<kind>/<slug>/edit``)
and « Mes contributions » (``/my-contributions``), for logged-in users.

One generic template draws every form from the form model (``oscartes_kg.forms``), so a new
property shape appears without a template change. Writes go through
``oscartes_kg.contributions``; on an error nothing is stored and the form comes back with what
the user typed and each message next to its field.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, redirect, render_template, request
from pyoxigraph import Triple

from oscartes_kg import contributions, forms
from oscartes_kg.errors import RejectedInput, UsageError
from oscartes_kg.forms.feedback import Feedback, place_report
from oscartes_kg.forms.values import default_values, form_values, keep_classes, parse_form

from . import kb
from .auth import current_user
from .i18n import current, tr

__all__ = ["bp", "KIND_NAMES"]

bp = Blueprint("contribute", __name__)

#: (French, English) name of each kind on the « Contribuer » page and in titles.
KIND_NAMES = {
    "organisation": ("Organisation", "Organisation"), "initiative": ("Initiative", "Initiative"),
    "commons": ("Commun", "Commons"), "resource": ("Ressource de savoir", "Knowledge resource"),
    "event": ("Événement", "Event"), "call": ("Appel à projets", "Call for projects"),
    "need": ("Besoin", "Need"), "offer": ("Offre", "Offer"),
    "person": ("Personne (avec son consentement)", "Person (with their consent)"),
}
STATUS_NAMES = {"published": ("publiée", "published"), "pending": ("en attente de relecture", "awaiting review"),
                "declined": ("refusée", "declined"), "withdrawn": ("retirée", "withdrawn")}


def _author():
    """The logged-in user as an author, or None (the view then sends them to /login)."""
    user = current_user()
    return contributions.Author(user.iri, user.role) if user else None


def _to_login():
    target = request.full_path if request.query_string else request.path
    return redirect(f"/login?next={quote(target)}", 303)


@bp.get("/contribute")
def index():
    """Which kind of entry to add."""
    if _author() is None:
        return _to_login()
    kinds = [(kind, tr(*KIND_NAMES[kind])) for kind in KIND_NAMES]
    return render_template("contribute/index.html", kinds=kinds)


@bp.route("/contribute/<kind>", methods=["GET", "POST"])
def new(kind: str):
    """The form of a new entry of ``kind``; a valid post creates it and shows its page."""
    author = _author()
    if author is None:
        return _to_login()
    store = kb.get_store()
    model = forms.model_for(store, kind)
    if request.method == "GET":
        return _render(kind, model, default_values(model), Feedback(), action=f"/contribute/{kind}")
    parsed, feedback = _parsed(model, store)
    if not parsed.errors:
        try:
            written = contributions.create(store, kind, parsed.draft, author=author,
                                           message=request.form.get("message") or None, channel="form")
            return redirect(f"{_after_write(written)}", 303)
        except RejectedInput as error:
            feedback = place_report(model, error.report, kind=kind, lang=current())
        except UsageError as error:
            feedback.add(None, error.message)
    return _render(kind, model, parsed.typed, feedback, action=f"/contribute/{kind}", status=422)


@bp.route("/id/<kind>/<slug>/edit", methods=["GET", "POST"])
def edit(kind: str, slug: str):
    """The form of an existing entry, filled from the stored triples (owners and curators)."""
    author = _author()
    if author is None:
        return _to_login()
    store = kb.get_store()
    iri = contributions.entity_iri(kind, slug)
    contributions.check_can_edit(store, iri, author)
    model = forms.model_for(store, kind)
    action = f"/id/{kind}/{slug}/edit"
    if request.method == "GET":
        stored = contributions.own_triples(store, iri)
        return _render(kind, model, form_values(model, stored, iri, store), Feedback(), action=action,
                       editing=f"/id/{kind}/{slug}")
    parsed, feedback = _parsed(model, store)
    if not parsed.errors:
        stored = contributions.own_triples(store, iri)
        draft = keep_classes(model, parsed.draft, stored, iri) + _other_languages(model, stored, iri)
        try:
            written = contributions.replace(store, iri, draft, author=author,
                                            message=request.form.get("message") or None, channel="form")
            return redirect(_after_write(written), 303)
        except RejectedInput as error:
            feedback = place_report(model, error.report, kind=kind, lang=current())
        except UsageError as error:
            feedback.add(None, error.message)
    return _render(kind, model, parsed.typed, feedback, action=action, status=422,
                   editing=f"/id/{kind}/{slug}")


def _other_languages(model, stored, iri) -> list:
    """Stored texts in another language than the page's: the form does not show them, so an
    edit keeps them."""
    paths = {f.path for f in model.fields}
    lang = current()
    return [Triple(contributions.THIS, t.predicate, t.object) for t in stored
            if t.subject == iri and t.predicate.value in paths
            and getattr(t.object, "language", None) and t.object.language != lang]


def _parsed(model, store):
    """The posted form parsed against ``model``, and its field errors as feedback."""
    parsed = parse_form(model, request.form, store, lang=current())
    feedback = Feedback()
    for name, messages in parsed.errors.items():
        for message in messages:
            feedback.add(name, message)
    return parsed, feedback


def _after_write(written) -> str:
    """Where to go after a write: the public page, or « Mes contributions » for a proposal."""
    if written.status == "published":
        return written.path
    return f"/my-contributions?written={quote(written.path)}"


@bp.get("/my-contributions")
def mine():
    """The user's entries with their status, and the reason when a curator declined one."""
    author = _author()
    if author is None:
        return _to_login()
    entries = contributions.entries_of(kb.get_store(), author.iri)
    return render_template("contribute/mine.html", entries=entries, statuses=STATUS_NAMES,
                           kinds=KIND_NAMES, written=request.args.get("written", ""))


def _render(kind: str, model, values: dict, feedback: Feedback, *, action: str, status: int = 200,
            editing: str | None = None):
    settings = kb.settings()
    body = render_template(
        "contribute/form.html", kind=kind, kind_name=tr(*KIND_NAMES[kind]), model=model,
        values=values, feedback=feedback, action=action, editing=editing, lang=current(),
        class_field=forms.CLASS_FIELD,
        communes=forms.communes(kb.get_store()),
        map_tiles={"url": settings.map_tile_url, "attribution": settings.map_attribution})
    return body, status
