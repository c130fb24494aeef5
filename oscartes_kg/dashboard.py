"""The territory and theme dashboard: what the network counts in a commune, an EPCI or a theme
now, and how that grew month by month.

Counts come from the search catalogue's facets (``oscartes_kg.catalogue``: one bitset AND and
popcount per value, whatever the size of the store); a territory counts what is in it or in a
commune part of it (``osc:partOf``), a theme what carries it or a narrower theme (the facets
are closed over both hierarchies). The evolution reads the write history
(``oscartes_kg.history``): an entity arrives with the first changeset that wrote it
(``osc:changed``), and leaves with a changeset whose delta removed its ``rdf:type``. The
month each entity first appears in the history is read for every entity at once, in one pass
over the history's ``osc:changed`` and ``prov:endedAtTime`` quads, and kept for the data version
as one bitset of catalogue entities per month; the arrivals in a territory or theme are then
popcounts of its facet bitset AND each month's (a département holds most of the store: reading
its 200,000 entities' first changesets in batches took 11 s per page at 100k, bench/RESULTS.md);
departures are read from the latest
``DEPARTURE_CHANGESETS`` changesets that removed quads, whose inline deltas say what left.
"""
from __future__ import annotations

import sys
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from . import graphs, versioned
from .catalogue import Filters, bits, index
from .store import sparql_term

__all__ = ["GROUPS", "Counts", "Evolution", "counts", "evolution", "months_between"]

OSC = "https://w3id.org/oscartes/ns#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: The dashboard's rows: name -> (French, English, kinds counted).
GROUPS = {
    "actors": ("Acteurs", "Actors", ("organisation", "person")),
    "initiatives": ("Initiatives", "Initiatives", ("initiative",)),
    "events": ("Événements", "Events", ("event",)),
    "needs": ("Besoins ouverts", "Open needs", ("need",)),
    "offers": ("Offres ouvertes", "Open offers", ("offer",)),
    "calls": ("Appels à projets", "Calls for projects", ("call",)),
}
OPEN = OSC + "open"
DEPARTURE_CHANGESETS = 2000
_GROUP_OF = {kind: name for name, (_, _, kinds) in GROUPS.items() for kind in kinds}


@dataclass(frozen=True)
class Counts:
    """How many of each group the territory or theme holds now."""

    term: str
    values: dict  # group name -> count


@dataclass(frozen=True)
class Evolution:
    """Per month (``YYYY-MM``): how many of each group were present at the end of the month."""

    months: tuple[str, ...]
    series: dict  # group name -> tuple of counts, one per month


def _filters(field: str, term: str, **more) -> Filters:
    return Filters(**{"communes" if field == "commune" else "themes": (term,)}, **more)


def counts(catalogue, field: str, term: str) -> Counts:
    """Counts of ``term`` (a territory when ``field`` is "commune", else a theme); needs and
    offers count the open ones only. Two catalogue searches, whatever the store's size."""
    every = catalogue.search("", _filters(field, term), size=1)
    by_kind = {v.value: v.count for v in every.facets.get("kind", [])}
    wanted = catalogue.search("", _filters(field, term, statuses=(OPEN,)), size=1)
    open_kinds = {v.value: v.count for v in wanted.facets.get("kind", [])}
    values = {name: sum((open_kinds if name in ("needs", "offers") else by_kind).get(k, 0)
                        for k in kinds) for name, (_, _, kinds) in GROUPS.items()}
    return Counts(term, values)


def members(connection, term: str) -> dict[str, str]:
    """IRI -> group of the entities tagged with ``term`` in the catalogue (facet rows, closed
    over the hierarchy), for the groups of the dashboard."""
    kinds = list(_GROUP_OF)
    rows = connection.execute(
        f"SELECT e.iri, e.kind FROM term t JOIN facet f ON f.term = t.id JOIN entity e ON e.id = f.entity "
        f"WHERE t.iri = ? AND e.kind IN ({', '.join('?' * len(kinds))})", [term, *kinds])
    return {iri: _GROUP_OF[kind] for iri, kind in rows}


def _descendants(connection, term: str) -> set[str]:
    """``term`` and every term below it in the catalogue (its ``parent`` links)."""
    children: dict = {}
    for iri, parent in connection.execute("SELECT iri, parent FROM term WHERE parent IS NOT NULL"):
        children.setdefault(parent, []).append(iri)
    found, todo = {term}, [term]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


_first_months: dict = {}   # store key -> (data version, {IRI: "YYYY-MM"})
_first_lock = threading.Lock()


def first_months(store) -> dict[str, str]:
    """Every entity of the history -> the month of its first changeset, read once per data
    version of ``store`` (one writer at a time computes it; readers of the same version wait
    for it rather than read the history again)."""
    key = _store_key(store)
    version = versioned._version(store)
    found = _first_months.get(key)
    if found is not None and found[0] == version:
        return found[1]
    with _first_lock:
        found = _first_months.get(key)
        if found is None or found[0] != version:
            found = (version, _read_first_months(store))
            _first_months[key] = found
        return found[1]


def _store_key(store):
    return getattr(store, "path", None) or getattr(store, "query_url", None) or id(store)


def _read_first_months(store) -> dict[str, str]:
    """One pass over the history graph: changeset -> time, then entity -> earliest month."""
    ended = {q.subject: q.object.value[:7] for q in store.quads(
        None, ox.NamedNode("http://www.w3.org/ns/prov#endedAtTime"), None, graphs.PRIVATE_HISTORY)}
    first: dict[str, str] = {}
    for quad in store.quads(None, ox.NamedNode(OSC + "changed"), None, graphs.PRIVATE_HISTORY):
        month = ended.get(quad.subject)
        if month is None:
            continue
        iri = quad.object.value
        known = first.get(iri)
        if known is None or month < known:
            first[iri] = sys.intern(month)
    return first


def _departures(store, connection, field: str, term: str) -> list[tuple[str, str, str]]:
    """(IRI, group, time) of entities of ``term`` whose type a changeset removed."""
    from .history.model import REMOVED_COUNT, REMOVED_QUADS

    ended = sparql_term(ox.NamedNode("http://www.w3.org/ns/prov#endedAtTime"))
    text = (f"SELECT ?t ?removed WHERE {{ GRAPH {sparql_term(graphs.PRIVATE_HISTORY)} {{ "
            f"?cs {sparql_term(REMOVED_COUNT)} ?n FILTER(?n > 0) ?cs {ended} ?t ; "
            f"{sparql_term(REMOVED_QUADS)} ?removed }} }} ORDER BY DESC(?t) LIMIT {DEPARTURE_CHANGESETS}")
    rows = list(store.query(text))
    if not rows:
        return []
    inside = _descendants(connection, term)
    links = {OSC + "commune", OSC + "eligibleTerritory"} if field == "commune" else \
        {OSC + "theme", OSC + "eligibleTheme"}
    classes = _kind_classes()
    left = []
    for row in rows:
        quads = list(ox.parse(row["removed"].value, ox.RdfFormat.N_QUADS))
        typed = {q.subject.value: classes[q.object.value] for q in quads
                 if q.predicate.value == RDF_TYPE and q.object.value in classes}
        placed = {q.subject.value for q in quads if q.predicate.value in links
                  and q.object.value in inside}
        left += [(iri, typed[iri], row["t"].value) for iri in typed if iri in placed]
    return left


def _kind_classes() -> dict[str, str]:
    """Class IRI -> dashboard group (a person and every organisation class are actors)."""
    from .contributions import KIND_CLASSES

    return {cls.value: _GROUP_OF[kind] for kind, cls in KIND_CLASSES.items() if kind in _GROUP_OF}


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), both included.

    >>> months_between("2025-11", "2026-02")
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def evolution(store, connection, field: str, term: str, *, today: date | None = None,
              catalogue=None) -> Evolution:
    """Month by month, how many of each group the territory or theme held (arrivals minus
    departures, from the history). Needs and offers count every one, open or fulfilled.

    Arrivals of the entities here now are counted with bitsets: the catalogue's facet set of
    ``term`` (``catalogue``'s, else the file's) AND each group's kinds AND each month's
    first-appearance set, one popcount each, whatever the size of the territory.
    """
    sets = _facet_sets(connection, catalogue)
    here = sets.tagged(term)
    groups = {name: bits.union(sets.kind_bits.get(k, 0) for k in kinds) & here
              for name, (_, _, kinds) in GROUPS.items()}
    change = Counter()
    for month, arrived in _month_masks(store, connection, sets.generation).items():
        for name, mask in groups.items():
            count = (arrived & mask).bit_count()
            if count:
                change[(month, name)] += count
    # Entities gone (not here now) count from their arrival until their departure.
    latest = {d[0]: d for d in reversed(_departures(store, connection, field, term))}  # newest wins
    first = first_months(store)
    for iri, group, when in latest.values():
        if iri in first and not _is_here(connection, here, iri):
            change[(first[iri], group)] += 1
            change[(when[:7], group)] -= 1
    this_month = (today or date.today()).isoformat()[:7]
    if not change:
        return Evolution((this_month,), {name: (0,) for name in GROUPS})
    months = months_between(min(m for m, _ in change), this_month)
    series = {}
    for name in GROUPS:
        total, values = 0, []
        for month in months:
            total += change[(month, name)]
            values.append(max(total, 0))
        series[name] = tuple(values)
    return Evolution(tuple(months), series)


def _facet_sets(connection, catalogue):
    """The catalogue's in-memory facet sets (shared with search) for this file's generation."""
    generation = index.meta(connection, "generation") or ""
    if catalogue is not None:
        path = str(catalogue.path)
    else:
        path = next(row[2] for row in connection.execute("PRAGMA database_list") if row[1] == "main")
    return bits.load(connection, path, generation)




def _is_here(connection, here: int, iri: str) -> bool:
    row = connection.execute("SELECT id FROM entity WHERE iri = ?", (iri,)).fetchone()
    return row is not None and bool(here >> row[0] & 1)


_month_sets: dict = {}   # (store key, data version, catalogue generation) -> {month: bitset}


def _month_masks(store, connection, generation: str) -> dict[str, int]:
    """Month -> bitset of the catalogue's entities whose first changeset is in that month,
    made once per data version and catalogue generation."""
    key = (_store_key(store), versioned._version(store), generation)
    found = _month_sets.get(key)
    if found is None:
        first = first_months(store)
        with _first_lock:
            found = _month_sets.get(key)
            if found is None:
                by_month: dict[str, list[int]] = {}
                for entity, iri in connection.execute("SELECT id, iri FROM entity"):
                    month = first.get(iri)
                    if month is not None:
                        by_month.setdefault(month, []).append(entity)
                found = {month: bits.mask_of(ids) for month, ids in by_month.items()}
                for old in [k for k in _month_sets if k[0] == key[0]]:
                    del _month_sets[old]
                _month_sets[key] = found
    return found
