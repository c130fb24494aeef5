"""The shared watch: calls for projects, open ones by deadline and closed ones archived.

A listing reads the deadline keys that :mod:`oscartes_kg.derived` keeps for the month of each
call's deadline, from this month onwards (open calls) or backwards (closed), and stops once a
page is complete; the details of that page are read after (:mod:`oscartes_kg.details`). A call is open while its deadline is today or later. A theme
finds the calls naming it, a broader or a narrower theme (the keys say so), like
``queries/calls_open.rq``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from . import details, graphs, labels
from .agenda import month_index

__all__ = ["Call", "open_calls", "closed_calls", "PROPS"]

SCHEMA = "http://schema.org/"
OSC = "https://w3id.org/oscartes/ns#"
DCTERMS = "http://purl.org/dc/terms/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROPS = [RDFS_LABEL, DCTERMS + "description", DCTERMS + "modified", DCTERMS + "created",
         SCHEMA + "url", SCHEMA + "funder", OSC + "deadline", OSC + "eligibleTheme",
         OSC + "eligibleTerritory"]

DEADLINE_KEY = ox.NamedNode(OSC + "deadlineKey")
DEADLINE = ox.NamedNode(OSC + "deadline")
#: How many months of deadlines a listing reads at most, forwards or backwards (ten years).
MONTHS = 120


@dataclass(frozen=True)
class Call:
    """What the watch shows of a call for projects."""

    iri: str
    label: str
    deadline: ox.Literal
    description: str = ""
    url: str | None = None
    funder: tuple[str, str] | None = None              # (IRI, label)
    themes: tuple[tuple[str, str], ...] = ()           # eligible themes
    territories: tuple[tuple[str, str], ...] = ()      # eligible territories
    changed: str | None = None                         # dcterms:modified, else created

    def is_open(self, today: date) -> bool:
        """Open while the deadline is today or later."""
        return self.deadline.value[:10] >= today.isoformat()


def open_calls(store, *, today: date, theme: ox.NamedNode | None = None, limit: int = 200,
               lang: str = "fr") -> list[Call]:
    """Calls whose deadline is ``today`` or later, the nearest deadline first.

    >>> from oscartes_kg.store import open_store
    >>> open_calls(open_store(), today=date(2026, 1, 1))
    []
    """
    day = today.isoformat()
    first = month_index(day)
    return _calls(store, range(first, first + MONTHS), lambda deadline: deadline >= day,
                  theme, limit, lang, latest_first=False)


def closed_calls(store, *, today: date, theme: ox.NamedNode | None = None, limit: int = 100,
                 lang: str = "fr") -> list[Call]:
    """Calls whose deadline has passed, the most recent deadline first."""
    day = today.isoformat()
    first = month_index(day)
    return _calls(store, range(first, first - MONTHS, -1), lambda deadline: deadline < day,
                  theme, limit, lang, latest_first=True)


def _calls(store, months, keeps, theme, limit, lang, *, latest_first: bool) -> list[Call]:
    """Read the deadline keys of :mod:`oscartes_kg.derived` month by month (a theme's key
    covers its broader and narrower themes) until ``limit`` calls and their month are in hand."""
    found: dict[ox.NamedNode, str] = {}
    for month in months:
        key = ox.Literal(f"{month} {theme.value}" if theme else str(month))
        new = {q.subject for q in store.quads(None, DEADLINE_KEY, key, graphs.DERIVED)} - set(found)
        for call, deadline in _deadlines(store, new).items():
            if keeps(deadline):
                found[call] = deadline
        if len(found) >= limit:
            break
    ordered = sorted(sorted(found, key=lambda c: c.value), key=found.__getitem__,
                     reverse=latest_first)[:limit]
    details_ = details.fetch(store, ordered, OSC + "CallForProjects", PROPS)
    return [_call(c.value, details_, lang) for c in ordered if details_.of(c.value).get(OSC + "deadline")]


def _deadlines(store, calls: set) -> dict:
    """``{call: deadline day}`` read from the public graphs."""
    quads = (q for call in calls for q in store.quads(call, DEADLINE)) if store.backend == "embedded" \
        else (q for q in store.outgoing(calls) if q.predicate == DEADLINE)
    return {q.subject: q.object.value[:10] for q in quads
            if isinstance(q.graph_name, ox.NamedNode) and graphs.is_public(q.graph_name)}


def _call(iri: str, found: details.Details, lang: str) -> Call:
    props = found.of(iri)

    def linked(terms) -> tuple[tuple[str, str], ...]:
        pairs = ((t.value, labels.pick(found.names.get(t.value, []), lang) or t.value)
                 for t in terms if isinstance(t, ox.NamedNode))
        return tuple(sorted(pairs, key=lambda pair: pair[1]))

    def first(prop: str):
        values = sorted(props.get(prop, []), key=lambda term: term.value)
        return values[0] if values else None

    url, changed = first(SCHEMA + "url"), first(DCTERMS + "modified") or first(DCTERMS + "created")
    funders = linked(props.get(SCHEMA + "funder", []))
    return Call(iri=iri, label=labels.pick(props.get(RDFS_LABEL, []), lang) or iri.rsplit("/", 1)[-1],
                deadline=first(OSC + "deadline"),
                description=labels.pick(props.get(DCTERMS + "description", []), lang) or "",
                url=url.value if url is not None else None,
                funder=funders[0] if funders else None,
                themes=linked(props.get(OSC + "eligibleTheme", [])),
                territories=linked(props.get(OSC + "eligibleTerritory", [])),
                changed=changed.value if changed is not None else None)
