"""The shared watch: calls for projects, open ones by deadline and closed ones archived.

Calls are few (2,000 at 100,000 organisations, bench/generate.py), so one query reads every
call's deadline and keeps a page; the details of that page are read after
(:mod:`oscartes_kg.details`). A call is open while its deadline is today or later. A theme
finds the calls naming it, a broader or a narrower theme, like ``queries/calls_open.rq``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from . import details, labels
from .queries import run_text
from .store import sparql_term

__all__ = ["Call", "open_calls", "closed_calls", "PROPS"]

SCHEMA = "http://schema.org/"
OSC = "https://w3id.org/oscartes/ns#"
DCTERMS = "http://purl.org/dc/terms/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROPS = [RDFS_LABEL, DCTERMS + "description", DCTERMS + "modified", DCTERMS + "created",
         SCHEMA + "url", SCHEMA + "funder", OSC + "deadline", OSC + "eligibleTheme",
         OSC + "eligibleTerritory"]

_DEADLINES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX osc: <https://w3id.org/oscartes/ns#>
SELECT ?call ?deadline WHERE {
  ?call a osc:CallForProjects ; osc:deadline ?deadline .
  FILTER(SUBSTR(STR(?deadline), 1, 10) %(compare)s %(today)s)
  %(theme)s
}
ORDER BY %(order)s LIMIT %(limit)d"""

_THEME = """FILTER EXISTS {
    { ?call osc:eligibleTheme %(t)s }
    UNION { ?call osc:eligibleTheme ?eligible . ?eligible skos:broaderTransitive %(t)s }
    UNION { %(t)s skos:broaderTransitive ?eligible . ?call osc:eligibleTheme ?eligible }
  }"""


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
    return _calls(store, ">=", "STR(?deadline) ?call", today, theme, limit, lang)


def closed_calls(store, *, today: date, theme: ox.NamedNode | None = None, limit: int = 100,
                 lang: str = "fr") -> list[Call]:
    """Calls whose deadline has passed, the most recent deadline first."""
    return _calls(store, "<", "DESC(STR(?deadline)) ?call", today, theme, limit, lang)


def _calls(store, compare, order, today, theme, limit, lang) -> list[Call]:
    text = _DEADLINES % {"compare": compare, "order": order, "limit": limit,
                         "today": sparql_term(ox.Literal(today.isoformat())),
                         "theme": _THEME % {"t": sparql_term(theme)} if theme else ""}
    iris = [row["call"] for row in run_text(store, text)]
    found = details.fetch(store, iris, OSC + "CallForProjects", PROPS)
    return [_call(iri.value, found, lang) for iri in iris if found.of(iri.value).get(OSC + "deadline")]


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
