"""The shared agenda: upcoming and past events, read month by month through the agenda keys.

Reading every event and sorting them costs about a second at 100,000 organisations, so a
listing reads the keys ``osc:agendaKey`` that :mod:`oscartes_kg.derived` keeps for every month
an event takes place (alone, or with a theme or commune), from this month onwards (upcoming) or
backwards (past), in order, and stops once a page is complete:

* upcoming events are sorted by start: every event that starts in or before the last month read
  has a key in the months read, so the events gathered are the first ones of the whole agenda;
* past events are sorted by their last day, most recent first, for the same reason.

Dates keep the precision of the data (``xsd:date``, ``xsd:dateTime``, ``xsd:gYearMonth``,
``xsd:gYear``) and compare as text on that precision, as ``queries/events_upcoming.rq`` does.
Everything is read on the public graphs (:func:`oscartes_kg.queries.run_text`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pyoxigraph as ox

from . import details, graphs, labels
from .errors import NotFound

__all__ = ["Event", "Page", "upcoming", "past", "events", "event", "month_index", "MONTHS_AHEAD"]

#: How many months a listing reads at most, forwards or backwards (ten years).
MONTHS_AHEAD = 120

SCHEMA = "http://schema.org/"
OSC = "https://w3id.org/oscartes/ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DESCRIPTION = "http://purl.org/dc/terms/description"
PROPS = [RDFS_LABEL, DESCRIPTION] + [SCHEMA + p for p in ("startDate", "endDate", "url", "organizer")] \
    + [OSC + "commune", OSC + "theme"]

AGENDA_KEY = ox.NamedNode(OSC + "agendaKey")
START, END = ox.NamedNode(SCHEMA + "startDate"), ox.NamedNode(SCHEMA + "endDate")


@dataclass(frozen=True)
class Event:
    """What the agenda shows of an event; ``start``/``end`` are the literals of the data."""

    iri: str
    label: str
    start: ox.Literal
    end: ox.Literal | None = None
    description: str = ""
    url: str | None = None
    commune: tuple[str, str] | None = None      # (IRI, label)
    organizer: tuple[str, str] | None = None    # (IRI, label)
    themes: tuple[tuple[str, str], ...] = ()    # (IRI, label) pairs, by label

    @property
    def last_day(self) -> str:
        """The last known day, month or year of the event, as text of that precision."""
        return (self.end or self.start).value[:10]


@dataclass(frozen=True)
class Page:
    """One page of a listing, and where the next page starts if any (``YYYY-MM`` or
    ``YYYY-MM-DD``): ``since`` of the next upcoming page, ``before`` of the next past page."""

    events: list[Event] = field(default_factory=list)
    next_page: str | None = None


def month_index(text: str, *, last: bool = False) -> int:
    """``year * 12 + month - 1`` of a date of any precision (the key of oscartes_kg.derived);
    a bare year counts from January, or up to December with ``last``.

    >>> month_index("2026-12-24"), month_index("2027"), month_index("2027", last=True)
    (24323, 24324, 24335)
    """
    month = int(text[5:7]) if len(text) >= 7 else (12 if last else 1)
    return int(text[:4]) * 12 + month - 1


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def upcoming(store, *, since: date, theme: ox.NamedNode | None = None,
             commune: ox.NamedNode | None = None, limit: int = 100, lang: str = "fr") -> Page:
    """Events that end on or after ``since`` (or are still going on), soonest first.

    >>> from oscartes_kg.store import open_store
    >>> upcoming(open_store(), since=date(2026, 1, 1)).events
    []
    """
    day = since.isoformat()
    months = range(month_index(day), month_index(day) + MONTHS_AHEAD)
    return _page(store, months, lambda last: last >= day[:len(last)], theme, commune, limit, lang,
                 past=False)


def past(store, *, before: date, theme: ox.NamedNode | None = None,
         commune: ox.NamedNode | None = None, limit: int = 100, lang: str = "fr") -> Page:
    """Events whose last day is before ``before``, the most recently ended first."""
    day = before.isoformat()
    months = range(month_index(day), month_index(day) - MONTHS_AHEAD, -1)
    return _page(store, months, lambda last: last < day[:len(last)], theme, commune, limit, lang,
                 past=True)


def _page(store, months, keeps, theme, commune, limit, lang, *, past: bool) -> Page:
    """Read keys month by month until more than ``limit`` events and their whole month are in
    hand; ``keeps(last_day)`` says whether an event belongs to the listing."""
    facet = commune or theme
    found: dict[str, tuple[ox.Literal, ox.Literal | None]] = {}
    for month in months:
        key = ox.Literal(f"{month} {facet.value}" if facet else str(month))
        # The derived graph is public and computed from public graphs only (derived.py).
        new = {q.subject for q in store.quads(None, AGENDA_KEY, key, graphs.DERIVED)
               if q.subject.value not in found}
        if theme and commune:  # both given: the theme's key of the same month too
            both = ox.Literal(f"{month} {theme.value}")
            new = {e for e in new if any(store.quads(e, AGENDA_KEY, both, graphs.DERIVED))}
        for event, (start, end) in _dates(store, new).items():
            if keeps((end or start).value[:10]):
                found[event.value] = (start, end)
        if len(found) > limit:
            break
    # Sorted by the month the keys were read in, then as text ("2027" is all 2027, from January
    # for upcoming events and up to December for past ones).
    sort_key = (lambda item: (_month_of(item, past), (item[1][1] or item[1][0]).value[:10])) if past \
        else (lambda item: (_month_of(item, past), item[1][0].value))
    ordered = sorted(sorted(found.items()), key=sort_key, reverse=past)  # ties: by IRI
    next_page = None
    if len(ordered) > limit:
        ordered, next_page = (_cut_past if past else _cut_upcoming)(ordered, limit)
    return Page(events(store, [ox.NamedNode(iri) for iri, _ in ordered], lang), next_page)


def _dates(store, events: set) -> dict:
    """``{event: (start, end or None)}`` from the public graphs: two index lookups per event on
    the embedded store, batched reads of the events' quads on a remote one."""
    if store.backend == "embedded":
        quads = (q for event in events for prop in (START, END) for q in store.quads(event, prop))
    else:
        quads = (q for q in store.outgoing(events) if q.predicate in (START, END))
    found: dict = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode) and graphs.is_public(quad.graph_name):
            start, end = found.get(quad.subject, (None, None))
            found[quad.subject] = (quad.object, end) if quad.predicate == START else (start, quad.object)
    return {event: pair for event, pair in found.items() if pair[0] is not None}


def _cut_upcoming(ordered: list, limit: int) -> tuple[list, str]:
    """Keep whole days: the day of the first event left out starts the next page (events going
    on that day are shown there again, as ongoing)."""
    cut = ordered[limit][1][0].value[:10]
    kept = [item for item in ordered[:limit] if item[1][0].value[:10] != cut]
    if kept:
        return kept, _first_day(cut)
    return ordered[:limit], _day_after(cut)  # more than a page in one day: skip to the next


def _cut_past(ordered: list, limit: int) -> tuple[list, str]:
    """Keep whole months, else whole days; the next page lists what ended before the period
    after the cut (a "2021" event ends in December 2021, so it needs the whole month)."""
    cut = _month_of(ordered[limit], True)
    kept = [item for item in ordered[:limit] if _month_of(item, True) != cut]
    if kept:
        return kept, _month_text(cut + 1)
    day = _last(ordered[limit])
    kept = [item for item in ordered[:limit] if _last(item) != day]
    return (kept, _day_after(day)) if kept else (ordered[:limit], _first_day(day))


def _last(item) -> str:
    start, end = item[1]
    return (end or start).value[:10]


def _first_day(text: str) -> str:
    """``YYYY-MM-DD`` or ``YYYY-MM`` of a date of any precision (a year starts in January)."""
    return text if len(text) >= 7 else text[:4] + "-01"


def _day_after(text: str) -> str:
    """The first day after a day, month or year."""
    if len(text) >= 10:
        return (date.fromisoformat(text[:10]) + timedelta(days=1)).isoformat()
    return _month_text(month_index(text, last=True) + 1)


def _month_of(item, past: bool) -> int:
    start, end = item[1]
    return month_index((end or start).value, last=True) if past else month_index(start.value)


def events(store, iris: list[ox.NamedNode], lang: str = "fr") -> list[Event]:
    """The details of the public events ``iris``, in the order given (others are left out)."""
    found = details.fetch(store, iris, OSC + "Event", PROPS)
    return [_event(iri.value, found.of(iri.value), found.names, lang) for iri in iris
            if found.of(iri.value).get(SCHEMA + "startDate")]


def event(store, iri: ox.NamedNode, lang: str = "fr") -> Event:
    """One public event.

    :raises NotFound: no public event has this IRI.
    """
    found = events(store, [iri], lang)
    if not found:
        raise NotFound(f"aucun événement public « {iri.value} » / no public event {iri.value}",
                       entity=iri.value, rule="public-event")
    return found[0]


def _event(iri: str, props: dict[str, list], names: dict[str, list], lang: str) -> Event:
    def linked(term) -> tuple[str, str]:
        return term.value, labels.pick(names.get(term.value, []), lang) or term.value

    def first(prop: str):
        found = sorted(props.get(prop, []), key=lambda term: term.value)
        return found[0] if found else None

    commune, organizer, url = first(OSC + "commune"), first(SCHEMA + "organizer"), first(SCHEMA + "url")
    return Event(
        iri=iri,
        label=labels.pick(props.get(RDFS_LABEL, []), lang) or iri.rsplit("/", 1)[-1],
        start=first(SCHEMA + "startDate"),
        end=first(SCHEMA + "endDate"),
        description=labels.pick(props.get(DESCRIPTION, []), lang) or "",
        url=url.value if url is not None else None,
        commune=linked(commune) if isinstance(commune, ox.NamedNode) else None,
        organizer=linked(organizer) if isinstance(organizer, ox.NamedNode) else None,
        themes=tuple(sorted((linked(t) for t in props.get(OSC + "theme", []) if isinstance(t, ox.NamedNode)),
                            key=lambda pair: pair[1])))
