"""Finding the candidates of a query in the catalogue (public entities only), never by scanning
the store: names through the catalogue's FTS5 index, SIREN and website through the store's
object index (a pattern with the value bound), kept only when the catalogue lists the entity.

The name search asks first for entities whose labels hold every key word of the name (a small
set, fast at 100,000 organisations), then, if that finds fewer than the query's limit, for those
holding all of them but one (a misspelt or extra word); both ranked by bm25 over labels and alternative names only (a description naming an
actor is not that actor).
"""
from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import graphs, names
from ..catalogue.records import ID
from .vocabulary import OSC, SCHEMA

__all__ = ["Candidate", "by_name", "by_identifiers", "load", "public_graphs", "details",
           "territories"]

XSD_ANY_URI = ox.NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")
_SEPARATOR = " · "   # how the catalogue joins several labels in one FTS column


@dataclass
class Candidate:
    """One entity a query may mean, with what scoring compares."""

    row: int                 # the catalogue's entity id
    iri: str
    kind: str
    label: str
    labels: tuple[str, ...]  # every name: labels and alternative names
    communes: frozenset = frozenset()   # territory IRIs, closed upwards (EPCI, département...)
    commune: str | None = None
    commune_label: str | None = None
    lat: float | None = None
    lon: float | None = None
    description: str = ""
    facts: dict = field(default_factory=dict)   # website, siren... read from the store on demand


def _fts(words: list[str], joiner: str) -> str:
    """An FTS5 query over labels and alternative names; each word is an FTS5 string."""
    return "{labels alt} : (" + joiner.join(f'"{w[:64]}"' for w in words[:12]) + ")"


def by_name(connection: sqlite3.Connection, name: str, kinds: tuple[str, ...], limit: int,
            enough: int | None = None) -> list[int]:
    """Catalogue ids of up to ``limit`` entities of ``kinds`` whose names share words with
    ``name``: those with every key word, then, when they are fewer than ``enough`` (default
    ``limit``), those with all but one."""
    words = list(dict.fromkeys(names.key_words(name)))
    if not words:
        return []
    marks = ", ".join("?" * len(kinds))
    sql = (f"SELECT t.rowid FROM text t JOIN entity e ON e.id = t.rowid WHERE text MATCH ? "
           f"AND e.kind IN ({marks}) ORDER BY bm25(text, 10.0, 5.0, 0.0) LIMIT ?")
    found = [r[0] for r in connection.execute(sql, (_fts(words, " AND "), *kinds, limit))]
    if len(found) < (limit if enough is None else enough) and len(words) > 1:
        # Every word but one (a misspelt or extra word): each group is as small as the first
        # query; any word alone would rank tens of thousands of rows at 100k (70-250 ms).
        groups = " OR ".join("(" + " AND ".join(f'"{w[:64]}"' for j, w in enumerate(words[:12]) if j != i)
                             + ")" for i in range(min(len(words), 12)))
        found += [r[0] for r in connection.execute(sql, ("{labels alt} : (" + groups + ")", *kinds, limit))
                  if r[0] not in found][:limit - len(found)]
    return found


def public_graphs(store) -> frozenset:
    """The graphs reconciliation may read (public ones only)."""
    return frozenset(graphs.public(store.graphs()))


def by_identifiers(store, public: frozenset, *, sirens=(), websites=()) -> set[str]:
    """IRIs of entities with one of these SIRENs or websites in a public graph (an index
    lookup each: the value is bound; a website is tried with and without ``www.``, ``https``
    and the final slash, as ``schema:url`` holds it as written)."""
    found: set[str] = set()
    lookups = [(OSC + "siren", ox.Literal(s)) for s in sirens]
    for website in websites:
        site = names.site(website)
        if site:
            for variant in _url_variants(site):
                lookups += [(SCHEMA + "url", ox.Literal(variant, datatype=XSD_ANY_URI)),
                            (SCHEMA + "url", ox.Literal(variant))]
    for predicate, value in lookups:
        for quad in store.quads(None, ox.NamedNode(predicate), value, None):
            if quad.graph_name in public and isinstance(quad.subject, ox.NamedNode):
                found.add(quad.subject.value)
    return found


def _url_variants(site: str) -> list[str]:
    """The ways people write one site: scheme, ``www.``, final slash."""
    host, _, path = site.partition("/")
    tails = [f"/{path}", f"/{path}/"] if path else ["", "/"]
    return [f"{scheme}://{www}{host}{tail}" for scheme in ("https", "http")
            for www in ("", "www.") for tail in tails]


def load(connection: sqlite3.Connection, *, rows=(), iris=()) -> dict[int, Candidate]:
    """The catalogue rows of these ids or IRIs (IRIs the catalogue does not list are dropped:
    it lists public entities only)."""
    rows, iris = list(dict.fromkeys(rows)), list(dict.fromkeys(iris))
    if not rows and not iris:
        return {}
    where = []
    if rows:
        where.append(f"e.id IN ({', '.join('?' * len(rows))})")
    if iris:
        where.append(f"e.iri IN ({', '.join('?' * len(iris))})")
    found = {}
    for row, iri, kind, label, commune, lat, lon, labels, alt, description in connection.execute(
            "SELECT e.id, e.iri, e.kind, e.label, e.commune, e.lat, e.lon, t.labels, t.alt, "
            "t.description FROM entity e JOIN text t ON t.rowid = e.id WHERE " + " OR ".join(where),
            (*rows, *iris)):
        every = [v for text in (labels, alt) for v in (text or "").split(_SEPARATOR) if v]
        found[row] = Candidate(row, iri, kind, label, tuple(dict.fromkeys([label, *every])),
                               commune=commune, lat=lat, lon=lon, description=description or "")
    if found:
        _add_territories(connection, found)
    return found


def _add_territories(connection: sqlite3.Connection, found: dict[int, Candidate]) -> None:
    """Each candidate's territories (its commune and every territory above it) and commune label."""
    ids = list(found)
    places: dict = defaultdict(set)
    labels = {}
    for entity, iri, label in connection.execute(
            f"SELECT f.entity, t.iri, t.label FROM facet f JOIN term t ON t.id = f.term "
            f"WHERE t.field = 'commune' AND f.entity IN ({', '.join('?' * len(ids))})", ids):
        places[entity].add(iri)
        labels[iri] = label
    for row, candidate in found.items():
        candidate.communes = frozenset(places.get(row, ()))
        candidate.commune_label = labels.get(candidate.commune)


def territories(connection: sqlite3.Connection, store, public: frozenset, value: str) -> frozenset:
    """The territories a query's commune value names: by INSEE code (``osc:inseeCode``, or a
    SIREN for an EPCI), by territory id or IRI, or by name (the catalogue's facet labels)."""
    text = value.strip()
    found: set[str] = set()
    if text.isdigit() or (len(text) in (2, 3, 5) and text[:2].isdigit()):
        for predicate in (OSC + "inseeCode", OSC + "siren"):
            for quad in store.quads(None, ox.NamedNode(predicate), ox.Literal(text.upper()), None):
                if quad.graph_name in public and isinstance(quad.subject, ox.NamedNode):
                    found.add(quad.subject.value)
    if "/" in text:  # a territory id (``territory/commune-91692``) or IRI
        found |= {row[0] for row in connection.execute(
            "SELECT iri FROM term WHERE field = 'commune' AND (iri = ? OR iri = ?)",
            (text, ID + text))}
    if not found:
        wanted = names.key(text)
        rows = connection.execute("SELECT iri, label FROM term WHERE field = 'commune'").fetchall()
        found = {iri for iri, label in rows if wanted and names.key(label) == wanted}
    return frozenset(found)


def details(store, public: frozenset, iris) -> dict[str, dict[str, list]]:
    """IRI -> property IRI -> values, from the public graphs only (one index read per entity)."""
    facts: dict = defaultdict(lambda: defaultdict(list))
    for quad in store.outgoing(ox.NamedNode(i) for i in iris):
        if quad.graph_name in public:
            facts[quad.subject.value][quad.predicate.value].append(quad.object)
    return facts
