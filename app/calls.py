"""The shared watch: open calls for projects by deadline, the archive, the Atom feeds, a call
from its URL for curators (``/calls/new?url=``), and the actors a call's page suggests."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlencode, urljoin

from flask import Blueprint, Response, redirect, render_template, request, url_for
from pyoxigraph import NamedNode

from oscartes_kg import call_suggestions, calls, choices, feeds, forms, page_title, review
from oscartes_kg.forms.feedback import Feedback
from oscartes_kg.forms.values import default_values

from . import auth, catalogue, kb, terms
from .agenda import agenda_url, local_path, today
from .contribute import KIND_NAMES
from .dates import when
from .i18n import current, tr

bp = Blueprint("calls", __name__)

#: Entries of /calls.atom and /initiatives.atom.
FEED_SIZE = 50


@bp.get("/calls")
def index():
    """Open calls, the nearest deadline first."""
    theme, options = _theme()
    found = calls.open_calls(kb.get_store(), today=today(), theme=theme, lang=current())
    # Deadlines within ``deadline_days`` are highlighted (issue 7 section 4).
    soon = (today() + timedelta(days=kb.settings().deadline_days)).isoformat()
    return render_template("calls/index.html", archive=False, calls=found, options=options,
                           theme=theme, soon=soon)


@bp.get("/calls/archive")
def archive():
    """Closed calls, the most recent deadline first."""
    theme, options = _theme()
    found = calls.closed_calls(kb.get_store(), today=today(), theme=theme, lang=current())
    return render_template("calls/index.html", archive=True, calls=found, options=options,
                           theme=theme)


@bp.get("/calls/new")
def new():
    """A curator adds a call from its URL: the generic call form (``/contribute/call``, where
    the shapes check what is typed) pre-filled with the URL and, when the page can be read
    safely (``oscartes_kg.page_title``), its title as the name."""
    if auth.current_role() is None:
        return redirect(f"/login?next={quote(request.full_path.rstrip('?'))}", 303)
    auth.require(review.may_review)
    store, settings = kb.get_store(), kb.settings()
    model = forms.model_for(store, "call")
    values, notice = default_values(model), None
    url = request.args.get("url", "").strip()
    if url:
        page_title.check_url(url)
        values["url"] = [url]
        fetched = page_title.fetch_title(url, allow_private=settings.fetch_private_addresses)
        if fetched.title:
            values["label"] = [fetched.title]
        notice = fetched.problem
    return render_template(
        "calls/new.html", kind="call", kind_name=tr(*KIND_NAMES["call"]), model=model,
        values=values, feedback=Feedback(), action="/contribute/call", editing=None,
        lang=current(), communes=forms.communes(store), notice=notice, fetched_from=url,
        map_tiles={"url": settings.map_tile_url, "attribution": settings.map_attribution})


@bp.get("/calls.atom")
def calls_feed():
    """Atom feed of the open calls (``?theme=`` filters it), the nearest deadline first."""
    theme, _ = _theme()
    store, lang = kb.get_store(), current()
    changed = feeds.data_changed_at(store)
    entries = [feeds.Entry(
        id=call.iri, title=call.label, updated=feeds.moment(call.changed, changed),
        link=_absolute(local_path(call.iri)),
        summary=_call_summary(call), categories=tuple(label for _, label in call.themes))
        for call in calls.open_calls(store, today=today(), theme=theme, limit=FEED_SIZE, lang=lang)]
    url = _absolute(request.full_path.rstrip("?"))
    feed = feeds.Feed(id=url, self_url=url,
                      site_url=_absolute(agenda_url("calls.index")), lang=lang,
                      title=tr("OSCARTES — appels à projets ouverts", "OSCARTES — open calls for projects"))
    return _atom(feeds.atom(feed, entries, fallback=changed))


@bp.get("/initiatives.atom")
def initiatives_feed():
    """Atom feed of new and updated initiatives, the latest first."""
    store, lang = kb.get_store(), current()
    changed = feeds.data_changed_at(store)
    entries = [feeds.Entry(id=iri, title=label, updated=feeds.moment(date, changed),
                           link=_absolute(local_path(iri)), summary=description)
               for iri, date, label, description in feeds.recent_initiatives(store, limit=FEED_SIZE,
                                                                             lang=lang)]
    url = _absolute(url_for("calls.initiatives_feed"))
    feed = feeds.Feed(id=url, self_url=url, site_url=_absolute(url_for("home.index")), lang=lang,
                      title=tr("OSCARTES — initiatives nouvelles et mises à jour",
                               "OSCARTES — new and updated initiatives"))
    return _atom(feeds.atom(feed, entries, fallback=changed))


@bp.app_template_global()
def suggestions_for(iri: str) -> dict:
    """Actors whose themes and territory fit the call's eligibility, for its page: at most
    ``call_suggestions.LIMIT``, and searches that list them all."""
    themes, territories, funders = call_suggestions.eligibility(kb.get_store(), NamedNode(iri))
    found = call_suggestions.suggest(catalogue.get(), themes, territories, exclude=funders)
    name = lambda item: item[2] if current() == "en" else item[1]  # noqa: E731
    base = kb.settings().iri_base
    searches = []
    for theme in found.themes or [None]:
        for territory in found.territories or [None]:
            params = [("kind", k) for k in call_suggestions.ACTOR_KINDS]
            params += [("theme", theme[0])] if theme else []
            params += [("commune", territory[0])] if territory else []
            searches.append({"url": "/search?" + urlencode(params),
                             "label": " · ".join(name(t) for t in (theme, territory) if t)})
    labels = {t[0]: name(t) for t in found.themes}
    return {"total": found.total, "searches": searches[:6], "eligible": bool(themes or territories),
            "actors": [{"url": terms.local_path(a.iri, base) or a.iri,
                        "label": a.label_en if current() == "en" and a.label_en else a.label,
                        "themes": [labels[t] for t in a.themes]} for a in found.actors]}


def _theme():
    store, lang = kb.get_store(), current()
    options = {"themes": choices.themes(store, lang)}
    return choices.check(request.args.get("theme"), options["themes"], "theme"), options


def _call_summary(call) -> str:
    parts = [tr("Date limite : ", "Deadline: ") + when(call.deadline.value)]
    if call.funder:
        parts.append(tr("Financeur : ", "Funder: ") + call.funder[1])
    if call.territories:
        parts.append(tr("Territoires : ", "Territories: ") + ", ".join(l for _, l in call.territories))
    if call.description:
        parts.append(call.description)
    return "\n".join(parts)


def _absolute(path: str) -> str:
    """An absolute URL on this site (Atom ids and links must be absolute, RFC 4287 §4.2.6)."""
    return urljoin(request.host_url, path)


def _atom(body: bytes) -> Response:
    return Response(body, mimetype="application/atom+xml")
