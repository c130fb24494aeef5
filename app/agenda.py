"""The agenda: upcoming and past events by month, filters, and iCalendar files and feeds."""
from __future__ import annotations

import re
from datetime import date, datetime
from itertools import groupby

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for

from oscartes_kg import agenda, choices, ical
from oscartes_kg.errors import UsageError

from . import dates, kb, terms
from .i18n import current, tr

bp = Blueprint("agenda", __name__)

#: Events in /agenda.ics: the upcoming ones, and the most recent past ones for context.
FEED_UPCOMING, FEED_PAST = 500, 100
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$")


@bp.get("/agenda")
def upcoming():
    """Upcoming events (and those going on), soonest first, grouped by month."""
    since = _day(request.args.get("since"), "since") or today()
    theme, commune, options = _filters()
    page = agenda.upcoming(kb.get_store(), since=since, theme=theme, commune=commune,
                           lang=current())
    groups = _groups(page.events, lambda e: "" if e.start.value[:10] < since.isoformat()[:len(e.start.value[:10])]
                     else e.start.value[:7])
    return render_template("agenda/index.html", past=False, groups=groups, options=options,
                           theme=theme, commune=commune, next_page=page.next_page,
                           since=since)


@bp.get("/agenda/past")
def past():
    """Past events, the most recently ended first, grouped by month."""
    before = _day(request.args.get("before"), "before") or today()
    theme, commune, options = _filters()
    page = agenda.past(kb.get_store(), before=before, theme=theme, commune=commune, lang=current())
    groups = _groups(page.events, lambda e: e.last_day[:7])
    return render_template("agenda/index.html", past=True, groups=groups, options=options,
                           theme=theme, commune=commune, next_page=page.next_page,
                           since=before)


@bp.get("/agenda.ics")
def feed():
    """The agenda as an iCalendar feed (RFC 5545); ``?theme=&commune=`` filter it."""
    theme, commune, _ = _filters()
    store, lang = kb.get_store(), current()
    now = today()
    events = agenda.past(store, before=now, theme=theme, commune=commune, limit=FEED_PAST,
                         lang=lang).events[::-1]
    events += agenda.upcoming(store, since=now, theme=theme, commune=commune, limit=FEED_UPCOMING,
                              lang=lang).events
    name = tr("Agenda OSCARTES", "OSCARTES agenda")
    return _ics(ical.calendar(events, name=name, lang=lang), "agenda.ics", attachment=False)


@bp.get("/id/event/<slug>.ics")
def event_ics(slug: str):
    """One event as an .ics file to add to one's calendar (404 for an unknown or private one)."""
    iri = ox.NamedNode(kb.settings().iri_base + "event/" + _slug(slug))
    event = agenda.event(kb.get_store(), iri, current())
    return _ics(ical.calendar([event], name=event.label, lang=current()), f"{slug}.ics",
                attachment=True)


def today() -> date:
    """Today in Paris, where the events happen."""
    return datetime.now(ical.TIMEZONE).date()


def _slug(slug: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise UsageError(f"identifiant d'événement invalide : « {slug} » / invalid event slug",
                         entity=slug, rule="slug")
    return slug


def _day(value: str | None, name: str) -> date | None:
    """A ``YYYY-MM`` or ``YYYY-MM-DD`` parameter as a day (the first of the month)."""
    if not value:
        return None
    if not _MONTH.match(value):
        raise UsageError(f"paramètre « {name} » : une date AAAA-MM ou AAAA-MM-JJ est attendue "
                         f"/ parameter {name!r}: a YYYY-MM or YYYY-MM-DD date is expected",
                         prop=name, rule="date")
    try:
        return date.fromisoformat(value if len(value) == 10 else value + "-01")
    except ValueError:
        raise UsageError(f"paramètre « {name} » : date inexistante « {value} » / parameter "
                         f"{name!r}: no such date", prop=name, rule="date") from None


def _filters():
    """The theme and commune asked, checked against the known ones, and every option."""
    store, lang = kb.get_store(), current()
    options = {"themes": choices.themes(store, lang), "communes": choices.communes(store, lang)}
    theme = choices.check(request.args.get("theme"), options["themes"], "theme")
    commune = choices.check(request.args.get("commune"), options["communes"], "commune")
    return theme, commune, options


def _groups(events, month_of):
    """``[(heading, events)]`` in the listing's order; "" is the month of ongoing events."""
    grouped = []
    for month, members in groupby(events, key=month_of):
        heading = dates.period(month) if month else tr("En cours", "Ongoing")
        grouped.append((heading, list(members)))
    return grouped


def _ics(body: bytes, filename: str, *, attachment: bool) -> Response:
    disposition = "attachment" if attachment else "inline"
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"'})


@bp.app_template_filter("local_path")
def local_path(iri: str) -> str:
    """The local page of a resource IRI under ``iri_base`` (``/id/{kind}/{slug}``); other IRIs
    as they are."""
    return terms.local_path(iri, kb.settings().iri_base) or iri


@bp.app_template_global("agenda_url")
def agenda_url(endpoint: str, **params) -> str:
    """A URL of the agenda keeping the current filters (empty values dropped)."""
    kept = {key: request.args.get(key) for key in ("theme", "commune", "lang")}
    kept.update(params)
    return url_for(endpoint, **{key: value for key, value in kept.items() if value})


@bp.app_template_global("event_when")
def event_when(event) -> str:
    """The dates of an event, e.g. "3 mai 2026, 10:00 – 12:00" or "mai 2021"."""
    start = dates.when(event.start.value)
    if event.end is None or event.end.value == event.start.value:
        return start
    end = event.end.value
    if end[:10] == event.start.value[:10] and len(end) > 10:
        return f"{start} – {end[11:16]}"
    return f"{start} – {dates.when(end)}"


@bp.app_template_global("date_text")
def date_text(value: str) -> str:
    """A date of any precision as people read it (see :func:`app.dates.when`)."""
    return dates.when(value)
