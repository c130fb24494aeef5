"""Reading the catalogue: ranked full-text search with facet counts, and map features.

User text never becomes SQL or FTS5 syntax: it is cut into words (letters and digits only),
each word is written as an FTS5 string, and the whole query is a bound parameter.
"""
from __future__ import annotations

import heapq
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


def search(connection: sqlite3.Connection, sets, text: str = "", filters: Filters = Filters(),
           page: int = 1, size: int = 20) -> SearchResults:
    """Results ranked by bm25 (label above alternative names above description), else in
    alphabetical order; facet counts cover every result, not just the page. ``sets`` are the
    facet bitsets of the file's generation (``bits.load``)."""
    from .bits import ids_of, mask_of

    size = max(1, min(size, MAX_PAGE_SIZE))
    page = max(1, min(page, MAX_OFFSET // size + 1))
    offset = (page - 1) * size
    chosen = _filter_mask(sets, filters)
    text_query = match_query(text)
    bm25 = f"bm25(text, {', '.join(map(str, WEIGHTS))})"
    if text_query and chosen is None:
        # FTS5 ranks inside SQLite and hands over one page; the ids alone give total and facets.
        page_ids = [row[0] for row in connection.execute(
            f"SELECT rowid FROM text WHERE text MATCH ? ORDER BY {bm25} LIMIT ? OFFSET ?",
            (text_query, size, offset))]
        found = [row[0] for row in connection.execute(
            "SELECT rowid FROM text WHERE text MATCH ?", (text_query,))]
        total, results = len(found), mask_of(found)
    elif text_query:
        allowed = chosen.to_bytes((chosen.bit_length() + 7) >> 3 or 1, "little")
        limit = len(allowed) << 3
        scored = [(entity, score) for entity, score in connection.execute(
                      f"SELECT rowid, {bm25} FROM text WHERE text MATCH ?", (text_query,))
                  if entity < limit and allowed[entity >> 3] >> (entity & 7) & 1]
        position = sets.position
        ranked = heapq.nsmallest(offset + size, scored, key=lambda r: (r[1], position[r[0]]))
        page_ids = [entity for entity, _ in ranked[offset:]]
        total, results = len(scored), mask_of(entity for entity, _ in scored)
    elif chosen is None:
        total, results = sets.everything.bit_count(), sets.everything
        page_ids = [row[0] for row in connection.execute(
            "SELECT id FROM entity ORDER BY sort, id LIMIT ? OFFSET ?", (size, offset))]
    else:
        found = ids_of(chosen)
        total, results = len(found), chosen
        page_ids = heapq.nsmallest(offset + size, found, key=sets.position.__getitem__)[offset:]
    hits = _hits(connection, text_query, page_ids)
    facets = _facets(sets, results, filters) if total else {}
    return SearchResults(text, filters, page, size, total, hits, facets)


def _filter_mask(sets, filters: Filters) -> int | None:
    """The bitset of entities that pass every filter (None: no filter)."""
    if not filters.kinds and not filters.terms():
        return None
    mask = sets.everything
    if filters.kinds:
        kinds = 0
        for kind in filters.kinds:
            kinds |= sets.kind_bits.get(kind, 0)
        mask &= kinds
    for iri in filters.terms():
        term = sets.term_ids.get(iri)
        mask &= sets.term_bits.get(term, 0) if term is not None else 0
    return mask


def _hits(connection: sqlite3.Connection, text_query: str | None, ids: list[int]) -> tuple:
    """The rows of one page, in the page's order."""
    if not ids:
        return ()
    rows = {row[0]: row[1:] for row in connection.execute(
        f"SELECT id, iri, kind, label, label_en, commune, start FROM entity WHERE id IN "
        f"({', '.join('?' * len(ids))})", ids)}
    snippets = _snippets(connection, text_query, ids)
    communes = _labels(connection, {r[4] for r in rows.values() if r[4]})
    return tuple(Hit(iri, kind, label, label_en, commune, *communes.get(commune, (None, None)),
                     start, snippets.get(entity, ()))
                 for entity in ids for iri, kind, label, label_en, commune, start in [rows[entity]])


def _facets(sets, results: int, filters: Filters) -> dict:
    """Counts of each kind and each term among the results (one AND and popcount each)."""
    from .records import KIND_LABELS

    facets = {"kind": sorted(
        (FacetValue(kind, *KIND_LABELS.get(kind, (kind, kind)), count, selected=kind in filters.kinds)
         for kind, bits in sets.kind_bits.items() if (count := (bits & results).bit_count())),
        key=lambda v: (-v.count, v.label))}
    chosen = set(filters.terms())
    by_field: dict = {name: [] for name in FACET_FIELDS[1:]}
    for term, bits in sets.term_bits.items():
        count = (bits & results).bit_count()
        if count:
            field_name, iri, label, label_en, parent = sets.terms[term]
            if field_name in by_field:
                by_field[field_name].append(FacetValue(iri, label, label_en, count, parent, iri in chosen))
    for name, values in by_field.items():
        facets[name] = sorted(values, key=lambda v: (-v.count, v.label))
    return facets


def _snippets(connection: sqlite3.Connection, text_query: str | None, ids: list[int]) -> dict:
    """Entity id -> snippet parts of its description, the matched words highlighted.

    The words are marked here in Python, with the tokenizer's folding (case and accents): FTS5's
    own ``snippet()`` would run the whole MATCH again (35 ms for 20,000 matches at 100k).
    """
    if not ids:
        return {}
    rows = connection.execute(
        f"SELECT rowid, description FROM text WHERE rowid IN ({', '.join('?' * len(ids))})", ids)
    words = [_fold(w) for w in re.findall(r'"([^"]*)"', text_query or "")]
    return {entity: _mark(text, words) for entity, text in rows if text}


def _fold(word: str) -> str:
    from .index import sort_key

    return sort_key(word)


def _mark(text: str, words: list[str], window: int = 24) -> tuple[tuple[str, bool], ...]:
    """About ``window`` words of ``text`` around the first match, matches marked; the last
    query word matches as a prefix, like the query itself.

    >>> _mark("Un atelier de réparation de vélos", ["reparation", "vel"])
    (('Un atelier de ', False), ('réparation', True), (' de ', False), ('vélos', True))
    """
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return ((text[:180], False),)

    def matches(token: str) -> bool:
        folded = _fold(token)
        return any(folded == w or (i == len(words) - 1 and folded.startswith(w))
                   for i, w in enumerate(words))
    marked = [matches(t.group()) for t in tokens] if words else [False] * len(tokens)
    first = next((i for i, m in enumerate(marked) if m), 0)
    begin = max(0, min(first - window // 3, len(tokens) - window))
    stop = min(len(tokens), begin + window)
    start_at = tokens[begin].start() if begin else 0
    end_at = tokens[stop - 1].end() if stop < len(tokens) else len(text)
    parts: list = [("…", False)] if begin else []
    at = start_at
    for token, hit in zip(tokens[begin:stop], marked[begin:stop]):
        if hit:
            if token.start() > at:
                parts.append((text[at:token.start()], False))
            parts.append((token.group(), True))
            at = token.end()
    if end_at > at:
        parts.append((text[at:end_at], False))
    if stop < len(tokens):
        parts.append(("…", False))
    merged: list = []
    for piece, hit in parts:  # join neighbouring plain pieces
        if merged and not hit and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + piece, False)
        else:
            merged.append((piece, hit))
    return tuple(merged)


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
