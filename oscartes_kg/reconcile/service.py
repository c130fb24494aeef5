"""The reconciliation service over one store and its catalogue: batches of queries, suggest,
preview data, and data extension. Plain data in and out (JSON-ready dicts): ``app/reconcile.py``
only speaks HTTP."""
from __future__ import annotations

from .. import names
from ..catalogue import KIND_LABELS
from ..errors import UsageError
from . import candidates, scoring
from .vocabulary import (EXTEND_PROPERTIES, OSC, QUERY_PROPERTIES, SCHEMA, TYPES, kinds_of,
                         query_property, to_id, to_iri)

__all__ = ["Reconciler", "DEFAULT_LIMIT", "MAX_LIMIT", "MAX_QUERIES"]

DEFAULT_LIMIT = 5
MAX_LIMIT = 50
#: Queries in one batch (OpenRefine sends 10 by default; a client may send more).
MAX_QUERIES = 500
#: Candidates read from the name index per query, before scoring keeps ``limit`` of them.
RETRIEVE = 25


class Reconciler:
    """Reconciliation over ``store`` (public graphs only) and its catalogue connection; ``base``
    is the IRI base of entity ids (``kind/slug`` below it)."""

    def __init__(self, store, connection, iri_base: str):
        self.store = store
        self.connection = connection
        self.iri_base = iri_base
        self._public = None

    @property
    def public(self) -> frozenset:
        if self._public is None:
            self._public = candidates.public_graphs(self.store)
        return self._public

    # --- queries --------------------------------------------------------------------------------

    def reconcile(self, batch) -> dict:
        """Answer a batch ``{"q0": {"query": ..., "type": ..., "limit": ..., "properties": [...]}}``
        with ``{"q0": {"result": [candidates, best first]}}``.

        :raises UsageError: the batch or one query is malformed (named by its key).
        """
        if not isinstance(batch, dict):
            raise UsageError("queries : un objet JSON {\"q0\": {...}} est attendu / queries: a JSON "
                             "object of queries was expected", prop="queries", rule="reconcile-batch")
        if len(batch) > MAX_QUERIES:
            raise UsageError(f"queries : au plus {MAX_QUERIES} requêtes par lot / at most "
                             f"{MAX_QUERIES} queries per batch", prop="queries", rule="reconcile-batch")
        parsed = {str(k): _parse(str(k), q) for k, q in batch.items()}
        places = {}
        return {k: {"result": self._one(q, places)} for k, q in parsed.items()}

    def _one(self, query: dict, places: dict) -> list[dict]:
        text, kinds, limit, props = query["query"], query["kinds"], query["limit"], query["properties"]
        # The every-word-but-one search only when every word finds nothing: ranking its larger
        # sets is most of a batch's time at 100k (bench/RESULTS.md, issue 6).
        rows = candidates.by_name(self.connection, text, kinds, max(RETRIEVE, limit),
                                  enough=1) if text else []
        iris = set()
        if props.get("siren") or props.get("website"):
            sirens = [s for s in map(names.siren, props.get("siren", ())) if s]
            iris = candidates.by_identifiers(self.store, self.public, sirens=sirens,
                                             websites=props.get("website", ()))
        found = [c for c in candidates.load(self.connection, rows=rows, iris=iris).values()
                 if c.kind in kinds]
        for value in props.get("commune", ()):
            if value not in places:
                places[value] = candidates.territories(self.connection, self.store, self.public, value)
        if props.get("siren") or props.get("website"):
            facts = candidates.details(self.store, self.public, [c.iri for c in found])
            for c in found:
                c.facts = _identifiers(facts.get(c.iri, {}))
        ranked = sorted((scoring.score(c, text, props, places) for c in found),
                        key=lambda s: (-s.score, s.candidate.label, s.candidate.iri))[:limit]
        return [self._result(s) for s in scoring.mark_match(ranked)]

    def _result(self, scored: scoring.Scored) -> dict:
        c = scored.candidate
        kind = TYPES.get(c.kind)
        return {"id": to_id(c.iri, self.iri_base), "name": c.label,
                "type": [{"id": c.kind, "name": kind.name if kind else c.kind}],
                "score": scored.score, "match": scored.match,
                "description": _describe(c),
                "features": [{"id": f, "value": v} for f, v in scored.features.items()]}

    # --- suggest and preview --------------------------------------------------------------------

    def suggest_entity(self, prefix: str, types=None, limit: int = 10) -> list[dict]:
        """Entities whose names start with ``prefix`` (every word, the last as a prefix)."""
        kinds = kinds_of(types, "suggest")
        words = names.words(prefix)[:12]
        if not words:
            return []
        match = "{labels alt} : (" + " ".join(f'"{w[:64]}"' for w in words) + "*)"
        rows = [r[0] for r in self.connection.execute(
            f"SELECT t.rowid FROM text t JOIN entity e ON e.id = t.rowid WHERE text MATCH ? AND "
            f"e.kind IN ({', '.join('?' * len(kinds))}) ORDER BY bm25(text, 10.0, 5.0, 0.0) LIMIT ?",
            (match, *kinds, max(1, min(limit, MAX_LIMIT))))]
        found = candidates.load(self.connection, rows=rows)
        return [{"id": to_id(c.iri, self.iri_base), "name": c.label, "description": _describe(c),
                 "notable": [{"id": c.kind, "name": KIND_LABELS[c.kind][0]}]}
                for c in (found[r] for r in rows if r in found)]

    def entity(self, entity_id: str):
        """The catalogue's view of one public entity (for a preview), or None."""
        iri = to_iri(entity_id, self.iri_base)
        if iri is None:
            return None
        found = list(candidates.load(self.connection, iris=[iri]).values())
        return found[0] if found else None

    # --- data extension -------------------------------------------------------------------------

    def extend(self, request, page_base: str) -> dict:
        """The data extension answer for ``{"ids": [...], "properties": [{"id": ...}]}``:
        ``meta`` (the properties, with the type of entity-valued ones) and ``rows`` (per id,
        per property, a list of values: ``str``, ``float`` or an entity ``id``/``name``).

        :raises UsageError: the request is malformed or names an unknown property.
        """
        from .extension import extend

        return extend(self, request, page_base)


def _parse(key: str, query) -> dict:
    """Check one query and give it a fixed shape (a plain string is a query too, as in 0.1).

    :raises UsageError: names the query's key, the field and what was expected.
    """
    if isinstance(query, str):
        query = {"query": query}
    if not isinstance(query, dict):
        raise UsageError(f"{key} : un objet est attendu / {key}: an object was expected",
                         prop=key, rule="reconcile-query")
    text = query.get("query", "")
    if not isinstance(text, str):
        raise UsageError(f"{key} : « query » doit être un texte / {key}: 'query' must be a string",
                         prop="query", rule="reconcile-query")
    limit = query.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, str) and limit.isdigit():
        limit = int(limit)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise UsageError(f"{key} : « limit » doit être un entier positif / {key}: 'limit' must be a "
                         f"positive integer", prop="limit", rule="reconcile-query")
    properties: dict = {}
    given = query.get("properties") or []
    if not isinstance(given, list):
        raise UsageError(f"{key} : « properties » doit être une liste / {key}: 'properties' must "
                         f"be a list", prop="properties", rule="reconcile-query")
    for entry in given:
        if not isinstance(entry, dict) or "v" not in entry:
            raise UsageError(f"{key} : chaque propriété a « pid » et « v » / {key}: each property "
                             f"needs 'pid' and 'v'", prop="properties", rule="reconcile-query")
        prop = query_property(entry.get("pid", entry.get("p")), key)
        properties.setdefault(prop.id, []).extend(_texts(entry["v"]))
    if not text.strip() and not properties:
        raise UsageError(f"{key} : « query » est vide et aucune propriété n'est donnée / {key}: "
                         f"empty query and no property", prop="query", rule="reconcile-query")
    return {"query": text[:300], "kinds": kinds_of(query.get("type"), key),
            "limit": min(limit, MAX_LIMIT), "properties": properties}


def _texts(value) -> list[str]:
    """A property value as texts: a string, a number, an entity ``{"id": ...}``, or a list."""
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, dict):
        value = value.get("id", value.get("name", ""))
    if isinstance(value, bool) or value is None:
        return []
    text = str(value).strip()[:300]
    return [text] if text else []


def _identifiers(facts: dict) -> dict:
    """A candidate's websites and SIRENs from its public facts."""
    return {"website": [o.value for o in facts.get(SCHEMA + "url", ())],
            "siren": [o.value for o in facts.get(OSC + "siren", ())]}


def _describe(candidate) -> str:
    """One line under a candidate's name: its kind and commune."""
    kind = KIND_LABELS.get(candidate.kind, (candidate.kind,))[0]
    return f"{kind} · {candidate.commune_label}" if candidate.commune_label else kind


# Keep the tables importable from here for the app (manifest, suggest).
PROPERTIES = {**QUERY_PROPERTIES, **EXTEND_PROPERTIES}
