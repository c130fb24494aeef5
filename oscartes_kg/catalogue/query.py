"""Reading the catalogue: ranked full-text search with facet counts, and map features.

User text never becomes SQL or FTS5 syntax: it is cut into words (letters and digits only),
each word is written as an FTS5 string, and the whole query is a bound parameter.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

__all__ = ["Filters", "Hit", "FacetValue", "SearchResults", "Feature", "Features", "match_query",
           "search", "features", "FACET_FIELDS", "MAX_PAGE_SIZE", "MAX_OFFSET"]

#: Facets shown by search, in order ("kind" is the entity's kind, the others are term fields).
FACET_FIELDS = ("kind", "theme", "commune", "status", "competence")
MAX_PAGE_SIZE = 100
#: Deepest result reachable by paging (a crawler cannot make SQLite skip a million rows).
MAX_OFFSET = 10_000
#: bm25 weights of the FTS columns: a match in a label counts ten times one in a description.
WEIGHTS = (10.0, 5.0, 1.0)
_WORD = re.compile(r"\w+", re.UNICODE)
_MARK_START, _MARK_END = "\x02", "\x03"


@dataclass(frozen=True)
class Filters:
    """Facet values chosen by the visitor (IRIs, and kind names): a result has them all,
    except kinds, of which it has one."""

    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    competences: tuple[str, ...] = ()

    def terms(self) -> tuple[str, ...]:
        """Every chosen term IRI (themes, communes, statuses, competences)."""
        return self.themes + self.communes + self.statuses + self.competences

    def chosen(self, name: str) -> tuple[str, ...]:
        """The values chosen for one facet field."""
        return {"kind": self.kinds, "theme": self.themes, "commune": self.communes,
                "status": self.statuses, "competence": self.competences}[name]


@dataclass(frozen=True)
class Hit:
    """One result: what a list shows, and the snippet as (text, highlighted) parts."""

    iri: str
    kind: str
    label: str
    label_en: str
    commune: str | None
    commune_label: str | None
    commune_label_en: str | None
    start: str | None
    snippet: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with the number of results that have it."""

    value: str
    label: str
    label_en: str
    count: int
    parent: str | None = None
    selected: bool = False


@dataclass(frozen=True)
class SearchResults:
    """One page of results, the total, and the facet counts over every result."""

    text: str
    filters: Filters
    page: int
    size: int
    total: int
    hits: tuple[Hit, ...]
    facets: dict = field(default_factory=dict)   # field -> list of FacetValue

    @property
    def pages(self) -> int:
        """Pages reachable (the last one stops at ``MAX_OFFSET``)."""
        reachable = min(self.total, MAX_OFFSET + self.size)
        return max(1, -(-reachable // self.size))


@dataclass(frozen=True)
class Feature:
    """One point of the map."""

    iri: str
    kind: str
    label: str
    label_en: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Features:
    """The points in a bounding box, and whether the cap cut some off."""

    features: tuple[Feature, ...]
    truncated: bool


def match_query(text: str) -> str | None:
    """The FTS5 query for a visitor's text: every word must appear; the last may be a prefix.

    >>> match_query('fête "des" poss')
    '"fête" "des" "poss"*'
    >>> match_query("  -- ; ") is None
    True
    """
    words = _WORD.findall(text)[:16]
    if not words:
        return None
    quoted = [f'"{w[:64]}"' for w in words]
    return " ".join(quoted) + "*"


def _where(text_query: str | None, filters: Filters) -> tuple[str, list]:
    """The FROM/WHERE part selecting the results, and its parameters."""
    params: list = []
    if text_query:
        sql = ("FROM text JOIN entity e ON e.id = text.rowid WHERE text MATCH ?")
        params.append(text_query)
    else:
        sql = "FROM entity e WHERE 1"
    if filters.kinds:
        sql += f" AND e.kind IN ({','.join('?' * len(filters.kinds))})"
        params.extend(filters.kinds)
    for term in filters.terms():
        sql += " AND e.id IN (SELECT entity FROM facet WHERE term = (SELECT id FROM term WHERE iri = ?))"
        params.append(term)
    return sql, params


def search(connection: sqlite3.Connection, text: str = "", filters: Filters = Filters(),
           page: int = 1, size: int = 20) -> SearchResults:
    """Results ranked by bm25 (label above alternative names above description), else in
    alphabetical order; facet counts cover every result, not just the page."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    page = max(1, min(page, MAX_OFFSET // size + 1))
    text_query = match_query(text)
    where, params = _where(text_query, filters)
    total = connection.execute(f"SELECT count(*) {where}", params).fetchone()[0]
    order = f"bm25(text, {', '.join(map(str, WEIGHTS))}), e.sort" if text_query else "e.sort"
    rows = connection.execute(
        f"SELECT e.id, e.iri, e.kind, e.label, e.label_en, e.commune, e.start {where} "
        f"ORDER BY {order}, e.id LIMIT ? OFFSET ?", [*params, size, (page - 1) * size]).fetchall()
    snippets = _snippets(connection, text_query, [r[0] for r in rows])
    communes = _labels(connection, {r[5] for r in rows if r[5]})
    hits = tuple(Hit(iri, kind, label, label_en, commune, *communes.get(commune, (None, None)),
                     start, snippets.get(entity, ()))
                 for entity, iri, kind, label, label_en, commune, start in rows)
    facets = _facets(connection, where, params, filters) if total else {}
    return SearchResults(text, filters, page, size, total, hits, facets)


def _facets(connection: sqlite3.Connection, where: str, params: list, filters: Filters) -> dict:
    """Counts of each kind and each term among the results."""
    from .records import KIND_LABELS

    kinds = connection.execute(f"SELECT e.kind, count(*) {where} GROUP BY e.kind", params).fetchall()
    facets = {"kind": sorted((FacetValue(kind, *KIND_LABELS.get(kind, (kind, kind)), count,
                                         selected=kind in filters.kinds) for kind, count in kinds),
                             key=lambda v: (-v.count, v.label))}
    counted = connection.execute(
        f"SELECT t.field, t.iri, t.label, t.label_en, t.parent, count(*) FROM facet f "
        f"JOIN term t ON t.id = f.term WHERE f.entity IN (SELECT e.id {where}) "
        f"GROUP BY f.term", params).fetchall()
    chosen = set(filters.terms())
    for name in FACET_FIELDS[1:]:
        values = [FacetValue(iri, label, label_en, count, parent, iri in chosen)
                  for field_name, iri, label, label_en, parent, count in counted if field_name == name]
        facets[name] = sorted(values, key=lambda v: (-v.count, v.label))
    return facets


def _snippets(connection: sqlite3.Connection, text_query: str | None, ids: list[int]) -> dict:
    """Entity id -> snippet parts of its description, the matched words highlighted."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    if text_query:
        rows = connection.execute(
            f"SELECT rowid, snippet(text, 2, char(2), char(3), '…', 24) FROM text "
            f"WHERE text MATCH ? AND rowid IN ({marks})", [text_query, *ids])
    else:
        rows = connection.execute(
            f"SELECT rowid, substr(description, 1, 180) FROM text WHERE rowid IN ({marks})", ids)
    return {entity: _parts(text) for entity, text in rows if text}


def _parts(snippet: str) -> tuple[tuple[str, bool], ...]:
    """Split a marked snippet into (text, highlighted) parts, for templates to escape.

    >>> _parts("la \\x02fête\\x03 des")
    (('la ', False), ('fête', True), (' des', False))
    """
    parts = []
    for piece in re.split(f"({_MARK_START}[^{_MARK_END}]*{_MARK_END})", snippet):
        if piece.startswith(_MARK_START):
            parts.append((piece[1:-1], True))
        elif piece:
            parts.append((piece, False))
    return tuple(parts)


def _labels(connection: sqlite3.Connection, iris: set) -> dict:
    """Term IRI -> (label, English label)."""
    if not iris:
        return {}
    rows = connection.execute(f"SELECT iri, label, label_en FROM term WHERE iri IN "
                              f"({', '.join('?' * len(iris))})", sorted(iris))
    return {iri: (label, label_en) for iri, label, label_en in rows}


def features(connection: sqlite3.Connection, bbox: tuple[float, float, float, float] | None = None,
             themes: tuple[str, ...] = (), kinds: tuple[str, ...] = (),
             limit: int = 5000) -> Features:
    """Located entities in ``bbox`` (min lon, min lat, max lon, max lat), of any of ``kinds``
    and tagged with any of ``themes`` (or a narrower theme); at most ``limit``."""
    if bbox:
        sql = ("SELECT e.iri, e.kind, e.label, e.label_en, e.lat, e.lon FROM place p "
               "JOIN entity e ON e.id = p.id WHERE p.min_lon >= ? AND p.max_lon <= ? "
               "AND p.min_lat >= ? AND p.max_lat <= ?")
        min_lon, min_lat, max_lon, max_lat = bbox
        params: list = [min_lon, max_lon, min_lat, max_lat]
    else:
        sql = "SELECT e.iri, e.kind, e.label, e.label_en, e.lat, e.lon FROM entity e WHERE e.mapped"
        params = []
    if kinds:
        sql += f" AND e.kind IN ({', '.join('?' * len(kinds))})"
        params.extend(kinds)
    if themes:
        sql += (f" AND e.id IN (SELECT f.entity FROM facet f JOIN term t ON t.id = f.term "
                f"WHERE t.iri IN ({', '.join('?' * len(themes))}))")
        params.extend(themes)
    rows = connection.execute(sql + " ORDER BY e.id LIMIT ?", [*params, limit + 1]).fetchall()
    return Features(tuple(Feature(*row) for row in rows[:limit]), len(rows) > limit)
