"""Reading the history: an entity's changesets, one changeset and its delta, the diff of two versions."""
from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from .. import graphs
from ..errors import NotFound
from ..namespaces import OSCID
from ..store import sparql_term
from .model import (
    ADDED_COUNT, ADDED_FILE, ADDED_QUADS, ASSOCIATED, CHANGED, CHANGED_GRAPH, CHANNEL, ENDED,
    HISTORY, RDFS_COMMENT, RDFS_LABEL, REMOVED_COUNT, REMOVED_FILE, REMOVED_QUADS, REVERTS,
    Changeset, changeset_iri,
)

__all__ = ["Diff", "for_entity", "recent", "get", "delta", "diff", "agent_names", "entity_quads",
           "later_than", "reverted_by"]

_SUMMARY = f"""SELECT ?cs ?t ?channel ?added ?removed ?who ?msg ?rev WHERE {{ GRAPH {sparql_term(HISTORY)} {{
  {{PATTERN}}
  ?cs {sparql_term(ENDED)} ?t ; {sparql_term(CHANNEL)} ?channel ;
      {sparql_term(ADDED_COUNT)} ?added ; {sparql_term(REMOVED_COUNT)} ?removed .
  OPTIONAL {{ ?cs {sparql_term(ASSOCIATED)} ?who }}
  OPTIONAL {{ ?cs {sparql_term(RDFS_COMMENT)} ?msg }}
  OPTIONAL {{ ?cs {sparql_term(REVERTS)} ?rev }}
}} }} ORDER BY DESC(?t) DESC(?cs)"""
_PREFIX = f"{OSCID}changeset/"


@dataclass(frozen=True)
class Diff:
    """An entity's quads added and removed between two versions, and the changesets between."""

    added: tuple[ox.Quad, ...]
    removed: tuple[ox.Quad, ...]
    changesets: tuple[Changeset, ...]


def _summaries(store, pattern: str, limit: int | None = None) -> list[Changeset]:
    """Changesets matching ``pattern`` (over ``?cs`` in the history graph), newest first."""
    text = _SUMMARY.replace("{PATTERN}", pattern)
    if limit is not None:
        text += f" LIMIT {int(limit)}"
    found: dict[str, Changeset] = {}
    for row in store.query(text):
        changeset_id = row["cs"].value.removeprefix(_PREFIX)
        if changeset_id in found:
            continue
        found[changeset_id] = Changeset(
            id=changeset_id, time=row["t"].value, channel=row["channel"].value,
            added_count=int(row["added"].value), removed_count=int(row["removed"].value),
            author=row["who"].value if row["who"] is not None else None,
            message=row["msg"].value if row["msg"] is not None else None,
            reverts=row["rev"].value.removeprefix(_PREFIX) if row["rev"] is not None else None)
    return list(found.values())


def for_entity(store, iri: str | ox.NamedNode) -> list[Changeset]:
    """The changesets that wrote ``iri``'s triples (``osc:changed``), newest first.

    :raises NotFound: ``iri`` is not an IRI.
    """
    return _summaries(store, f"?cs {sparql_term(CHANGED)} {sparql_term(_named(iri))} .")


def recent(store, limit: int = 50) -> list[Changeset]:
    """The latest ``limit`` changesets, newest first."""
    return _summaries(store, "", limit)


def later_than(store, changeset: Changeset) -> list[Changeset]:
    """Changesets written after ``changeset`` that changed one of the same entities."""
    node = sparql_term(changeset_iri(changeset.id))
    pattern = (f"{node} {sparql_term(CHANGED)} ?e ; {sparql_term(ENDED)} ?t0 . "
               f"?cs {sparql_term(CHANGED)} ?e . ?cs {sparql_term(ENDED)} ?t1 FILTER(?t1 > ?t0)")
    return _summaries(store, pattern)


def reverted_by(store, changeset_id: str) -> list[Changeset]:
    """The changesets that revert ``changeset_id`` (newest first)."""
    return _summaries(store, f"?cs {sparql_term(REVERTS)} {sparql_term(changeset_iri(changeset_id))} .")


def get(store, changeset_id: str) -> Changeset:
    """The changeset ``changeset_id``, with what it changed and where its delta is.

    :raises NotFound: no such changeset.
    """
    node = changeset_iri(changeset_id)
    quads = list(store.quads(node, None, None, HISTORY))
    if not quads:
        raise NotFound(f"jeu de modifications inconnu « {changeset_id} » / unknown changeset",
                       entity=node.value, rule="changeset")
    values: dict = {}
    for quad in quads:
        values.setdefault(quad.predicate, []).append(quad.object)

    def one(predicate):
        found = values.get(predicate)
        return found[0].value if found else None

    return Changeset(
        id=changeset_id, time=one(ENDED), channel=one(CHANNEL) or "",
        added_count=int(one(ADDED_COUNT) or 0), removed_count=int(one(REMOVED_COUNT) or 0),
        author=one(ASSOCIATED), message=one(RDFS_COMMENT),
        reverts=(one(REVERTS) or "").removeprefix(_PREFIX) or None,
        changed=tuple(sorted(t.value for t in values.get(CHANGED, []))),
        graphs=tuple(sorted(t.value for t in values.get(CHANGED_GRAPH, []))),
        delta_text=(one(ADDED_QUADS), one(REMOVED_QUADS)),
        delta_files=(one(ADDED_FILE), one(REMOVED_FILE)))


def delta(store, changeset: Changeset) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """``(removed, added)``: the quads ``changeset`` removed and added (full record from :func:`get`).

    :raises NotFound: the changeset's delta file is missing (a store copied without its
        ``history`` folder).
    """
    kept = {g for g in changeset.graphs}
    parts = []
    for text, file in ((changeset.delta_text[1], changeset.delta_files[1]),
                       (changeset.delta_text[0], changeset.delta_files[0])):
        if text:
            parts.append(list(ox.parse(text, ox.RdfFormat.N_QUADS)))
        elif file:
            parts.append([q for q in _read_file(store, file) if q.graph_name.value in kept])
        else:
            parts.append([])
    return parts[0], parts[1]


def _read_file(store, relative: str) -> Iterable[ox.Quad]:
    path = Path(getattr(store, "path", None) or ".") / relative
    if not path.is_file():
        raise NotFound(f"fichier d'historique manquant {relative} / history file missing",
                       file=str(path), rule="history-file")
    with gzip.open(path, "rb") as source:
        yield from ox.parse(source, ox.RdfFormat.N_QUADS)


def entity_quads(quads: Sequence[ox.Quad], iri: ox.NamedNode, blanks: set | None = None) -> list:
    """The quads of ``iri`` among ``quads``: its own, and those of blank nodes hanging from it
    (``blanks`` carries the blank nodes already known to hang from it, and is updated)."""
    blanks = blanks if blanks is not None else set()
    mine: list = []
    rest = list(quads)
    while True:
        taken = [q for q in rest if q.subject == iri or q.subject in blanks]
        if not taken:
            return mine
        mine += taken
        blanks |= {q.object for q in taken if isinstance(q.object, ox.BlankNode)}
        taken_set = set(taken)
        rest = [q for q in rest if q not in taken_set]


def diff(store, iri: str | ox.NamedNode, from_id: str | None, to_id: str | None) -> Diff:
    """What changed in ``iri``'s triples from version ``from_id`` to version ``to_id``.

    A version is the state just after a changeset; ``from_id`` None is the state before the
    first one, ``to_id`` None the latest. The two may come in either order. Added and removed
    quads cancel out (a label changed then changed back is no difference).

    :raises NotFound: ``from_id`` or ``to_id`` is not a changeset of ``iri``.
    """
    subject = _named(iri)
    ordered = list(reversed(for_entity(store, subject)))
    ids = [c.id for c in ordered]
    for wanted in (from_id, to_id):
        if wanted and wanted not in ids:
            raise NotFound(f"« {wanted} » n'est pas une version de <{subject.value}> / not a "
                           f"version of this entity", entity=subject.value, rule="changeset")
    start = ids.index(from_id) + 1 if from_id else 0
    end = ids.index(to_id) + 1 if to_id else len(ids)
    if start > end:  # given the other way round
        start, end = ids.index(to_id) + 1, ids.index(from_id) + 1
    added: dict = {}
    removed: dict = {}
    blanks: set = set()
    between = ordered[start:end]
    for summary in between:
        changeset = get(store, summary.id)
        if not changeset.has_delta:
            continue
        gone, new = delta(store, changeset)
        for quad in entity_quads(gone, subject, blanks):
            if quad in added:  # added earlier in the range, removed again: no difference
                del added[quad]
            else:
                removed[quad] = None
        for quad in entity_quads(new, subject, blanks):
            if quad in removed:
                del removed[quad]
            else:
                added[quad] = None
    return Diff(tuple(added), tuple(removed), tuple(between))


def agent_names(store, iris: Iterable[str]) -> dict[str, str]:
    """Display names of authors: an account's or token's ``rdfs:label`` (private accounts
    graph, read here for the caller, who decides who may see them), ``oscid:agent/{name}``'s
    name; an IRI without a name is left out."""
    iris = sorted({i for i in iris if i})
    names = {i: unquote(i.removeprefix(f"{OSCID}agent/")) for i in iris
             if i.startswith(f"{OSCID}agent/")}
    accounts = [i for i in iris if i not in names]
    if accounts:
        values = " ".join(sparql_term(ox.NamedNode(i)) for i in accounts)
        rows = store.query(f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} GRAPH "
                           f"{sparql_term(graphs.PRIVATE_ACCOUNTS)} {{ ?x {sparql_term(RDFS_LABEL)} ?l }} }}")
        for row in rows:
            names.setdefault(row["x"].value, row["l"].value)
    return names


def _named(iri) -> ox.NamedNode:
    if isinstance(iri, ox.NamedNode):
        return iri
    try:
        return ox.NamedNode(str(iri))
    except ValueError:
        raise NotFound(f"IRI invalide « {iri} » / invalid IRI", entity=str(iri), rule="iri") from None
