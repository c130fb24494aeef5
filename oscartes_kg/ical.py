"""iCalendar (RFC 5545) files of agenda events, built with the ``icalendar`` package.

A date known to the day, month or year gives an all-day event over that day, month or year
(``DTSTART;VALUE=DATE`` and an exclusive ``DTEND``, RFC 5545 §3.6.1); a date-time gives a timed
event in Europe/Paris, with its VTIMEZONE (a TZID without one is invalid, §3.2.19). The UID is
the event's IRI: stable, and the same in every feed, so calendars update instead of duplicating.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar

from .agenda import Event

__all__ = ["calendar", "PRODID", "TIMEZONE"]

PRODID = "-//OSCARTES//oscartes-kg agenda//FR"
TIMEZONE = ZoneInfo("Europe/Paris")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def calendar(events: list[Event], *, name: str, lang: str = "fr",
             now: datetime | None = None) -> bytes:
    """The text of a VCALENDAR holding ``events`` (one VEVENT each).

    >>> import pyoxigraph as ox
    >>> ev = Event("https://w3id.org/oscartes/id/event/e", "Fête", ox.Literal("2021-05",
    ...     datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")))
    >>> text = calendar([ev], name="Agenda").decode()
    >>> "DTSTART;VALUE=DATE:20210501" in text and "DTEND;VALUE=DATE:20210601" in text
    True
    """
    stamp = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    for event in events:
        cal.add_component(_vevent(event, stamp, lang))
    cal.add_missing_timezones()
    return cal.to_ical()


def _vevent(event: Event, stamp: datetime, lang: str) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.iri)
    vevent.add("dtstamp", stamp)
    start, end = _span(event)
    vevent.add("dtstart", start)
    if end is not None:
        vevent.add("dtend", end)
    vevent.add("summary", event.label)
    lines = [event.description] if event.description else []
    if event.organizer:
        lines.append(("Organisé par " if lang == "fr" else "Organised by ") + event.organizer[1])
    if lines:
        vevent.add("description", "\n".join(lines))
    if event.commune:
        vevent.add("location", event.commune[1])
    vevent.add("url", event.url or event.iri)
    if event.themes:
        vevent.add("categories", [label for _, label in event.themes])
    return vevent


def _span(event: Event) -> tuple[date | datetime, date | datetime | None]:
    """DTSTART and DTEND: timed when both ends are date-times, else whole days."""
    start, end = event.start, event.end
    if _is_datetime(start) and (end is None or _is_datetime(end)):
        return _moment(start.value), _moment(end.value) if end is not None else None
    first, _ = _days(start.value)
    _, after = _days((end or start).value)
    return first, max(after, first + timedelta(days=1))


def _is_datetime(literal) -> bool:
    return literal.datatype.value.endswith("#dateTime") or "T" in literal.value


def _moment(text: str) -> datetime:
    """A date-time in Europe/Paris (a time without offset is taken as Paris time)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TIMEZONE)
    return moment.astimezone(TIMEZONE)


def _days(text: str) -> tuple[date, date]:
    """The first day and the day after the last of a date, month or year ("2021" is all 2021)."""
    year, month, day = _DATE.match(text).groups()
    if day:
        first = date(int(year), int(month), int(day))
        return first, first + timedelta(days=1)
    if month:
        first = date(int(year), int(month), 1)
        return first, date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date(int(year), 1, 1), date(int(year) + 1, 1, 1)
