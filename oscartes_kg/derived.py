"""Derived index triples that make the dated listings fast, kept in step with every write.

Oxigraph cannot read a range of dates in order, and at 100,000 organisations each value a
query visits costs about 10 µs (bench/RESULTS.md): "the next events" read every event. So each
event and call for projects gets, in the public graph ``graphs.DERIVED``, one key per month it
counts for, alone and combined with each of its themes and places::

    <event> osc:agendaKey "24323" , "24323 https://w3id.org/oscartes/id/theme/amap" ,
                          "24323 https://w3id.org/oscartes/id/theme/alimentation" ,
                          "24323 https://w3id.org/oscartes/id/territory/commune-91477" .
    <call>  osc:deadlineKey "24336" , "24336 <eligible theme>" , "24336 <eligible territory>" .

Themes are closed over the hierarchy, so that one key answers "this theme or a narrower one":
an event's keys name its themes and every broader theme; a call's keys name its eligible
themes, every broader and every narrower one (a call matches a broader or narrower theme).

A month is ``year * 12 + month - 1`` (24323 is December 2026). An event counts for every month
from its start to its end (a "2027"^^xsd:gYear event for the twelve months of 2027), at most
``MAX_MONTHS``; a call for the month of its deadline. ``queries/events_upcoming.rq`` and
``queries/calls_open.rq`` read the keys of the next months in order and stop once a page is
full. Keys are computed from the public graphs only: a private entity gets none.

Keys are computed inside the store by SPARQL Update (no term travels through Python: decoding
hundreds of thousands of terms costs seconds at 100,000 organisations), so the same text works
on the embedded and the remote store. Write paths call :func:`refresh` with the entities they
wrote (``ingest.load`` does); :func:`rebuild` recomputes the whole graph.
"""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from . import graphs
from .store import sparql_term

__all__ = ["refresh", "rebuild", "update_text", "month_index", "add_to_first_load", "MAX_MONTHS",
           "REBUILD_FROM"]

#: An event lasting longer is listed during its first MAX_MONTHS months only.
MAX_MONTHS = 36
#: From this many written entities on, :func:`refresh` rebuilds the whole graph: one pass over
#: the events and calls costs less than looking each entity up (a bulk load at 100k).
REBUILD_FROM = 20_000
_BATCH = 1000

# A month index from a date of any precision: "2027" counts from January (first) or up to
# December (last); the month of "2026-05", "2026-05-03" or "2026-05-03T10:00:00+01:00".
_MONTH = ("(xsd:integer(SUBSTR({v}, 1, 4)) * 12 + "
          "IF(STRLEN({v}) >= 7, xsd:integer(SUBSTR({v}, 6, 2)) - 1, {default}))")

_PROLOGUE = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX osc: <https://w3id.org/oscartes/ns#>
"""
_KEYS = """INSERT {{ GRAPH {graph} {{ ?event osc:agendaKey ?key }} }}
{using}
WHERE {{
  {values}
  ?event a osc:Event ; schema:startDate ?start .
  # LATERAL (Oxigraph, SPARQL-dev SEP-0006): one lookup per event; as joins, Oxigraph reads
  # every end date, theme and commune of the store.
  LATERAL {{ OPTIONAL {{ ?event schema:endDate ?end }} }}
  BIND({first} AS ?first)
  BIND({last} AS ?last)
  LATERAL {{ VALUES ?offset {{ {offsets} }} FILTER(?offset = 0 || ?first + ?offset <= ?last) }}
  BIND(STR(?first + ?offset) AS ?month)
  LATERAL {{
    {{ BIND(?month AS ?key) }}
    UNION {{ ?event osc:theme ?facet FILTER(isIRI(?facet)) BIND(CONCAT(?month, " ", STR(?facet)) AS ?key) }}
    UNION {{ ?event osc:theme ?tag . ?tag skos:broaderTransitive ?facet
             BIND(CONCAT(?month, " ", STR(?facet)) AS ?key) }}
    UNION {{ ?event osc:commune ?facet FILTER(isIRI(?facet)) BIND(CONCAT(?month, " ", STR(?facet)) AS ?key) }}
  }}
}};
INSERT {{ GRAPH {graph} {{ ?event osc:deadlineKey ?key }} }}
{using}
WHERE {{
  {values}
  ?event a osc:CallForProjects ; osc:deadline ?deadline .
  BIND(STR({deadline}) AS ?month)
  LATERAL {{
    {{ BIND(?month AS ?key) }}
    UNION {{ ?event osc:eligibleTheme ?facet FILTER(isIRI(?facet)) BIND(CONCAT(?month, " ", STR(?facet)) AS ?key) }}
    UNION {{ ?event osc:eligibleTheme ?tag . ?tag skos:broaderTransitive ?facet
             BIND(CONCAT(?month, " ", STR(?facet)) AS ?key) }}
    UNION {{ ?event osc:eligibleTheme ?tag . ?facet skos:broaderTransitive ?tag
             BIND(CONCAT(?month, " ", STR(?facet)) AS ?key) }}
    UNION {{ ?event osc:eligibleTerritory ?facet FILTER(isIRI(?facet)) BIND(CONCAT(?month, " ", STR(?facet)) AS ?key) }}
  }}
}}"""


def month_index(lexical: str, *, last: bool = False) -> int:
    """The month the keys use for a date of any precision, as the update computes it (a year
    alone counts from January, or up to December with ``last``).

    >>> month_index("2026-12-05T10:00:00+01:00"), month_index("2027"), month_index("2027", last=True)
    (24323, 24324, 24335)
    """
    month = int(lexical[5:7]) - 1 if len(lexical) >= 7 else (11 if last else 0)
    return int(lexical[:4]) * 12 + month


def _fill(sources: list[ox.NamedNode]) -> dict:
    """The placeholders of ``_KEYS`` for keys read from the graphs ``sources``."""
    using = "\n".join(f"USING {sparql_term(g)}" for g in sources) or \
        f"USING {sparql_term(ox.NamedNode(graphs.BASE + 'empty'))}"
    return dict(graph=sparql_term(graphs.DERIVED), using=using,
                offsets=" ".join(map(str, range(MAX_MONTHS))),
                first=_MONTH.format(v="STR(?start)", default=0),
                last=_MONTH.format(v="STR(COALESCE(?end, ?start))", default=11),
                deadline=_MONTH.format(v="STR(?deadline)", default=0))


def update_text(store, entities: list[ox.NamedNode] | None, *,
                sources: list[ox.NamedNode] | None = None) -> str:
    """The SPARQL Update that replaces the keys of ``entities`` (every key when None), read
    from the public graphs of ``store`` (or from ``sources``)."""
    if sources is None:
        # The ontology, shapes and metadata graphs describe classes, not events or calls: leaving
        # them out of the dataset list makes each lookup cheaper (a list costs per graph listed).
        skipped = {graphs.DERIVED, graphs.ONTOLOGY, graphs.SHAPES, graphs.META}
        sources = [g for g in graphs.public(store.graphs()) if g not in skipped]
    fill = _fill(sources)
    graph = fill["graph"]
    if entities is None:
        return f"{_PROLOGUE}DROP SILENT GRAPH {graph} ;\n" + _KEYS.format(values="", **fill)
    parts = []
    for start in range(0, len(entities), _BATCH):
        values = "VALUES ?event { %s }" % " ".join(map(sparql_term, entities[start:start + _BATCH]))
        parts.append(f"DELETE {{ GRAPH {graph} {{ ?event ?p ?o }} }} WHERE {{ {values} "
                     f"GRAPH {graph} {{ ?event ?p ?o }} }} ;\n" + _KEYS.format(values=values, **fill))
    return _PROLOGUE + " ;\n".join(parts)


def add_to_first_load(store, staging: ox.Store) -> bool:
    """Compute the keys of a load into a store that holds only the schema graphs (a first load,
    a restore), inside ``staging`` before it is written: then they go in with the same bulk
    write. Return False (nothing done) when the store already holds data: keys then depend on
    stored triples too, and :func:`refresh` computes them after the write.

    In memory this takes ~3 s for the 100,000-organisation bench, against 18-20 s for
    :func:`rebuild` on the store on disk (bench/RESULTS.md). The thesauri (the theme hierarchy)
    are copied into ``staging`` for the update and removed after it.
    """
    if any(g not in graphs.SCHEMA_GRAPHS for g in store.graphs()):
        return False
    if staging.contains_named_graph(graphs.DERIVED):  # keys are computed, never taken as given
        staging.remove_graph(graphs.DERIVED)
    sources = [g for g in graphs.public(staging.named_graphs())
               if g not in (graphs.DERIVED, *graphs.SCHEMA_GRAPHS)]
    if not sources:
        return True
    had_thesauri = staging.contains_named_graph(graphs.THESAURI)
    thesauri = [q for q in store.quads(None, None, None, graphs.THESAURI) if q not in staging]
    staging.extend(thesauri)
    try:
        staging.update(_PROLOGUE + _KEYS.format(values="", **_fill([*sources, graphs.THESAURI])))
    finally:
        for quad in thesauri:
            staging.remove(quad)
        if not had_thesauri:  # pyoxigraph keeps an emptied graph's name: the load must not name it
            staging.remove_graph(graphs.THESAURI)
    return True


def rebuild(store) -> None:
    """Recompute the whole derived graph from the public graphs, in one update (all or nothing)."""
    store.update(update_text(store, None))


def refresh(store, entities: Iterable[ox.NamedNode]) -> None:
    """Bring the keys of ``entities`` in step with the store after a write (added, changed or
    deleted entities alike), in one update (all or nothing).

    >>> from oscartes_kg.store import open_store
    >>> store = open_store()
    >>> event = ox.NamedNode("https://w3id.org/oscartes/id/event/e")
    >>> store.update('PREFIX s: <http://schema.org/> INSERT DATA { GRAPH <https://w3id.org/oscartes/graph/demo> {'
    ...     '<https://w3id.org/oscartes/id/event/e> a <https://w3id.org/oscartes/ns#Event> ;'
    ...     ' s:startDate "2026-12-24"^^<http://www.w3.org/2001/XMLSchema#date> } }')
    >>> refresh(store, [event])
    >>> [q.object.value for q in store.quads(event, ox.NamedNode("https://w3id.org/oscartes/ns#agendaKey"))]
    ['24323']
    """
    subjects = sorted({e for e in entities if isinstance(e, ox.NamedNode)}, key=lambda n: n.value)
    if len(subjects) >= REBUILD_FROM:
        rebuild(store)
    elif subjects:
        store.update(update_text(store, subjects))
