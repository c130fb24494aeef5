"""The watch (veille): follow a search as an Atom feed, save it, get it by e-mail, unsubscribe.

``/watch/feed.atom?q=&kind=&theme=&commune=`` takes the parameters of ``/search`` and lists the
entities newly matching them, the most recently written first (``oscartes_kg.watch``); anyone
may subscribe. ``/watch`` shows a logged-in user's saved searches (the private watch graph,
never on a public route) and saves new ones; ``/watch/unsubscribe/<token>`` stops a digest from
the link of the e-mail, with no login (one-click, RFC 8058).
"""
from __future__ import annotations

from urllib.parse import quote, urljoin

from flask import Blueprint, Response, redirect, render_template, request

from oscartes_kg import feeds, watch
from oscartes_kg.catalogue import KIND_LABELS
from oscartes_kg.errors import UsageError

from . import catalogue, kb
from .agenda import local_path
from .auth import current_user
from .i18n import current, tr

__all__ = ["bp", "FEED_SIZE"]

bp = Blueprint("watch", __name__)

#: Entries of a watch feed.
FEED_SIZE = 50


def _connection():
    return watch.catalogue_connection(catalogue.get())


@bp.get("/watch/feed.atom")
def feed():
    """The Atom feed of one search: entities newly matching it, the latest first."""
    query = watch.parse_query(request.args)
    store, lang = kb.get_store(), current()
    changed = feeds.data_changed_at(store)
    entries = [feeds.Entry(
        id=match.iri, title=_label(match.label, match.label_en), updated=feeds.moment(match.time, changed),
        link=_absolute(local_path(match.iri)), categories=(_label(*KIND_LABELS.get(match.kind, (match.kind,) * 2)),))
        for match in watch.recent_matches(store, _connection(), query, limit=FEED_SIZE)]
    url = _absolute(request.full_path.rstrip("?"))
    search = "/search" + (f"?{query.query_string()}" if not query.empty else "")
    atom = feeds.atom(feeds.Feed(
        id=url, self_url=url, site_url=_absolute(search), lang=lang,
        title=tr("OSCARTES — veille : ", "OSCARTES — watch: ") + _describe(query)), entries,
        fallback=changed)
    return Response(atom, mimetype="application/atom+xml")


@bp.get("/watch")
def index():
    """The search to follow (from the query string), its feed, and the user's saved searches."""
    query = watch.parse_query(request.args)
    user = current_user()
    saved = watch.saved_by(kb.get_store(), user.iri) if user else []
    return render_template("watch/index.html", query=query, description=_describe(query),
                           feed_url=_feed_url(query), user=user, saved=[_row(s) for s in saved],
                           options=_options(), kind_labels=_kind_options(),
                           saved_flag=request.args.get("saved") == "1")


@bp.post("/watch")
def save():
    """Save the posted search for the logged-in user (with an e-mail digest if asked)."""
    user = current_user()
    if user is None:
        return redirect(f"/login?next={quote('/watch')}", 303)
    query = watch.parse_query(request.form)
    email = request.form.get("email", "") if request.form.get("digest") else ""
    try:
        watch.save(kb.get_store(), user.iri, request.form.get("name", ""), query, email=email)
    except UsageError as error:
        saved = watch.saved_by(kb.get_store(), user.iri)
        body = render_template("watch/index.html", query=query, description=_describe(query),
                               feed_url=_feed_url(query), user=user, saved=[_row(s) for s in saved],
                               options=_options(), kind_labels=_kind_options(), error=error.message,
                               form=request.form, saved_flag=False)
        return body, 422
    return redirect("/watch?saved=1", 303)


@bp.post("/watch/<watch_id>/delete")
def delete(watch_id: str):
    """Delete one of the user's saved searches (another's is not found)."""
    user = current_user()
    if user is None:
        return redirect(f"/login?next={quote('/watch')}", 303)
    watch.delete(kb.get_store(), watch_id, user.iri)
    return redirect("/watch", 303)


@bp.route("/watch/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET asks to confirm (link scanners must not unsubscribe); POST stops the digest."""
    store = kb.get_store()
    saved = watch.by_token(store, token)
    if request.method == "POST":
        watch.stop_digest(store, saved)
    return render_template("watch/unsubscribe.html", name=saved.name, done=request.method == "POST",
                           token=token)


def _label(label: str, label_en: str) -> str:
    return label_en if current() == "en" and label_en else label


def _kind_options() -> list[tuple[str, str]]:
    return [(kind, _label(*names)) for kind, names in KIND_LABELS.items()]


def _options() -> dict:
    """Themes and communes known to the catalogue, for the form's lists."""
    found = catalogue.get()
    return {name: [(v.value, _label(v.label, v.label_en)) for v in found.terms(name)]
            for name in ("theme", "commune")}


def _describe(query: watch.Query) -> str:
    """The search in words (kinds, themes and communes by their labels, the text quoted)."""
    if query.empty:
        return tr("toutes les nouveautés", "everything new")
    labels = {iri: label for name in ("theme", "commune") for iri, label in _options()[name]}
    kinds = dict(_kind_options())
    parts = [kinds.get(k, k) for k in query.kinds] + [labels.get(t, t) for t in query.themes] + \
        [labels.get(c, c) for c in query.communes] + ([f"« {query.q} »"] if query.q else [])
    return ", ".join(parts)


def _feed_url(query: watch.Query) -> str:
    return "/watch/feed.atom" + (f"?{query.query_string()}" if not query.empty else "")


def _row(saved: watch.SavedSearch) -> dict:
    return {"id": saved.id, "name": saved.name, "email": saved.email,
            "description": _describe(saved.query), "feed_url": _feed_url(saved.query),
            "search_url": "/search" + (f"?{saved.query.query_string()}" if not saved.query.empty else "")}


def _absolute(path: str) -> str:
    """An absolute URL on this site (Atom ids and links must be absolute, RFC 4287 §4.2.6)."""
    return urljoin(request.host_url, path)
