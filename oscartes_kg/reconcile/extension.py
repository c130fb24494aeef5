"""The data extension service (reconciliation API 0.2, "Data extension"): which properties a
type offers, and their values for reconciled ids, read from the public graphs only.

Values follow the protocol: ``{"str": ...}`` for text, ``{"float": ...}``, and ``{"id", "name"}``
for an entity (a commune or a theme, which OpenRefine can then reconcile in turn)."""
from __future__ import annotations

import pyoxigraph as ox

from ..errors import UsageError
from . import candidates
from .vocabulary import EXTEND_PROPERTIES, TYPES, extend_property, kinds_of, to_id, to_iri

__all__ = ["propose", "extend", "MAX_IDS"]

#: Ids in one extension request (OpenRefine sends them by tens).
MAX_IDS = 1000
DESCRIPTION_LENGTH = 500


def propose(type_id: str | None, limit: int | None = None) -> dict:
    """The properties offered for a type (every type when none), as OpenRefine asks for them.

    :raises UsageError: an unknown type.
    """
    kinds = kinds_of(type_id or None, "type")
    offered = [{"id": p.id, "name": p.name} for p in EXTEND_PROPERTIES.values()
               if not p.kinds or set(p.kinds) & set(kinds)]
    answer = {"type": type_id or "", "properties": offered[:limit] if limit else offered}
    if limit:
        answer["limit"] = limit
    return answer


def extend(reconciler, request, page_base: str) -> dict:
    """Values of the asked properties for the asked ids (an id the catalogue does not list,
    such as a private or unknown entity, gets empty values).

    :raises UsageError: a malformed request or an unknown property.
    """
    if not isinstance(request, dict) or not isinstance(request.get("ids"), list) \
            or not isinstance(request.get("properties"), list):
        raise UsageError("extend : {\"ids\": [...], \"properties\": [{\"id\": ...}]} est attendu / "
                         "extend: ids and properties lists were expected", prop="extend",
                         rule="extend-request")
    ids = [i for i in request["ids"] if isinstance(i, str)][:MAX_IDS]
    wanted = [extend_property(p.get("id") if isinstance(p, dict) else p) for p in request["properties"]]
    base = reconciler.iri_base
    iris = {i: to_iri(i, base) for i in ids}
    listed = {c.iri: c for c in candidates.load(reconciler.connection,
                                                iris=[v for v in iris.values() if v]).values()}
    facts = candidates.details(reconciler.store, reconciler.public, listed) if listed else {}
    terms = _term_labels(reconciler.connection, facts)
    codes = _insee_codes(reconciler, {c.commune for c in listed.values() if c.commune})
    rows = {}
    for entity_id, iri in iris.items():
        candidate = listed.get(iri)
        rows[entity_id] = {p.id: (_values(p.id, candidate, facts.get(iri, {}), terms, codes, base,
                                          page_base) if candidate else []) for p in wanted}
    meta = []
    for p in wanted:
        entry = {"id": p.id, "name": p.name}
        if p.id in ("commune", "themes"):  # entity values: OpenRefine marks them reconciled
            kind = "territory" if p.id == "commune" else "theme"
            entry["type"] = {"id": kind, "name": TYPES[kind].name}
        meta.append(entry)
    return {"meta": meta, "rows": rows}


def _values(pid: str, c, facts: dict, terms: dict, codes: dict, base: str, page_base: str) -> list:
    """One property's values for one listed entity."""
    literal = lambda predicate: [{"str": o.value} for o in facts.get(predicate, ())  # noqa: E731
                                 if isinstance(o, (ox.Literal, ox.NamedNode))]
    prop = EXTEND_PROPERTIES[pid]
    if pid == "label":
        return [{"str": c.label}]
    if pid == "type":
        return [{"str": TYPES[c.kind].name}] if c.kind in TYPES else []
    if pid == "description":
        return [{"str": c.description[:DESCRIPTION_LENGTH]}] if c.description else []
    if pid == "commune":
        return [{"id": to_id(c.commune, base), "name": c.commune_label or ""}] if c.commune else []
    if pid == "insee":
        return [{"str": codes[c.commune]}] if c.commune in codes else []
    if pid == "coordinates":
        return [{"str": f"{c.lat},{c.lon}"}] if c.lat is not None else []
    if pid == "themes":
        return [{"id": to_id(o.value, base), "name": terms.get(o.value, o.value)}
                for o in facts.get(prop.iri, ()) if isinstance(o, ox.NamedNode)]
    if pid == "url":
        return [{"str": page_base.rstrip("/") + "/id/" + to_id(c.iri, base)}]
    return literal(prop.iri)


def _term_labels(connection, facts: dict) -> dict:
    """Labels of the themes named in ``facts`` (the catalogue's term table)."""
    iris = sorted({o.value for f in facts.values() for o in f.get(EXTEND_PROPERTIES["themes"].iri, ())
                   if isinstance(o, ox.NamedNode)})
    if not iris:
        return {}
    return dict(connection.execute(f"SELECT iri, label FROM term WHERE iri IN "
                                   f"({', '.join('?' * len(iris))})", iris))


def _insee_codes(reconciler, communes: set) -> dict:
    """Commune IRI -> INSEE code, from the public graphs."""
    facts = candidates.details(reconciler.store, reconciler.public, sorted(communes)) if communes else {}
    code = EXTEND_PROPERTIES["insee"].iri
    return {iri: values[code][0].value for iri, values in facts.items() if values.get(code)}
