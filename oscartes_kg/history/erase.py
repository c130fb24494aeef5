"""The history of one IRI for the GDPR: everything it holds about it (export, art. 15 and 20),
and removing every trace of it (forget, art. 17)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..store import sparql_term
from .model import (
    ADDED_COUNT, ADDED_FILE, ADDED_QUADS, HISTORY, INTEGER, REMOVED_COUNT, REMOVED_FILE,
    REMOVED_QUADS, changeset_iri,
)
from .read import _named, delta, get
from .record import _text, _write_gzip

__all__ = ["Forgotten", "export", "forget"]


@dataclass(frozen=True)
class Forgotten:
    """What :func:`forget` removed: the changesets it touched, delta quads and description links."""

    changesets: tuple[str, ...]
    delta_quads: int
    links: int


def _mentions(quads, iri: ox.NamedNode) -> list[ox.Quad]:
    """Quads with ``iri`` as subject or object, and the quads of blank nodes hanging from them."""
    found = [q for q in quads if q.subject == iri or q.object == iri]
    blanks = {q.object for q in found if isinstance(q.object, ox.BlankNode)}
    rest = [q for q in quads if q.subject != iri and q.object != iri]
    while blanks:
        hanging = [q for q in rest if q.subject in blanks]
        found += hanging
        rest = [q for q in rest if q.subject not in blanks]
        blanks = {q.object for q in hanging if isinstance(q.object, ox.BlankNode)}
    return found


def _candidates(store, iri: ox.NamedNode) -> list[str]:
    """Ids of the changesets that may mention ``iri``: linked to it, or whose delta text holds
    it, or whose delta is in a file (read to know)."""
    term = sparql_term(iri)
    history = sparql_term(HISTORY)
    text = (f"SELECT DISTINCT ?cs WHERE {{ GRAPH {history} {{ "
            f"{{ ?cs ?link {term} }} UNION {{ ?cs {sparql_term(ADDED_QUADS)}|{sparql_term(REMOVED_QUADS)} ?d "
            f"FILTER(CONTAINS(?d, {sparql_term(ox.Literal(term))})) }} UNION "
            f"{{ ?cs {sparql_term(ADDED_FILE)}|{sparql_term(REMOVED_FILE)} ?f }} }} }}")
    prefix = changeset_iri("20000101T000000000000Z-000000").value.rsplit("/", 1)[0] + "/"
    return sorted(row["cs"].value.removeprefix(prefix) for row in store.query(text)
                  if isinstance(row["cs"], ox.NamedNode) and row["cs"].value.startswith(prefix))


def export(store, iri: str | ox.NamedNode) -> list[dict]:
    """Every changeset that mentions ``iri`` (changed it, was written by it, or holds quads
    about it), as plain data: the description, and the delta quads about ``iri`` as N-Quads.

    >>> from oscartes_kg.store import open_store
    >>> export(open_store(), "https://w3id.org/oscartes/id/person/x")
    []
    """
    subject = _named(iri)
    found = []
    for changeset_id in _candidates(store, subject):
        changeset = get(store, changeset_id)
        removed, added = delta(store, changeset) if changeset.has_delta else ([], [])
        about_removed, about_added = _mentions(removed, subject), _mentions(added, subject)
        linked = subject.value in (changeset.author, *changeset.changed)
        if not (linked or about_removed or about_added):
            continue
        record = changeset.to_json()
        record["added_quads"] = _text(about_added)
        record["removed_quads"] = _text(about_removed)
        found.append(record)
    return found


def forget(store, iri: str | ox.NamedNode) -> Forgotten:
    """Remove every trace of ``iri`` from the history: delta quads with it as subject or object
    (and the blank nodes hanging from them), ``osc:changed`` links to it, and its authorship
    (``prov:wasAssociatedWith``) when it is an account. Counts are updated to what is left.

    Delta files are rewritten first (atomically), then the history graph in one store write.
    The changesets themselves stay (when and through which channel something was written).

    >>> from oscartes_kg.store import open_store
    >>> forget(open_store(), "https://w3id.org/oscartes/id/person/x").changesets
    ()
    """
    subject = _named(iri)
    old: list[ox.Quad] = []
    new: list[ox.Quad] = []
    touched, dropped_quads = [], 0
    for changeset_id in _candidates(store, subject):
        node = changeset_iri(changeset_id)
        links = [q for q in store.quads(node, None, subject, HISTORY)]
        changeset = get(store, changeset_id)
        removed, added = delta(store, changeset) if changeset.has_delta else ([], [])
        parts = []
        for quads, inline, in_file, count, position in (
                (added, ADDED_QUADS, ADDED_FILE, ADDED_COUNT, 0),
                (removed, REMOVED_QUADS, REMOVED_FILE, REMOVED_COUNT, 1)):
            gone = set(_mentions(quads, subject))
            if not gone:
                continue
            kept = [q for q in quads if q not in gone]
            parts.append(len(gone))
            old.extend(store.quads(node, count, None, HISTORY))
            new.append(ox.Quad(node, count, ox.Literal(str(len(kept)), datatype=INTEGER), HISTORY))
            if changeset.delta_text[position] is not None:
                old.extend(store.quads(node, inline, None, HISTORY))
                if kept:
                    new.append(ox.Quad(node, inline, ox.Literal(_text(kept)), HISTORY))
            else:
                _rewrite(store, changeset.delta_files[position], kept)
        if links or parts:
            touched.append(changeset_id)
            old.extend(links)
            dropped_quads += sum(parts)
    if old or new:
        store.apply(old, new)
        store.flush()
    return Forgotten(tuple(touched), dropped_quads, sum(1 for q in old if q.object == subject))


def _rewrite(store, relative: str, quads: list[ox.Quad]) -> None:
    """Replace a delta file by one holding ``quads`` (temporary file, fsync, rename)."""
    _write_gzip(Path(store.path) / relative, quads)
