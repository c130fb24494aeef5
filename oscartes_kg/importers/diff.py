"""Compare a source's new entries with what its graph holds: created, updated, unchanged, removed.

An entry is its IRI and the nodes named ``IRI#...`` (its address): they are compared and
replaced together, so a re-import rewrites only the entries whose facts changed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

__all__ = ["Diff", "compare", "root"]


def root(node) -> str:
    """The entry a subject belongs to: its IRI without the fragment."""
    return node.value.split("#", 1)[0]


@dataclass
class Diff:
    """The quads to remove and add, and which entries are created, updated, unchanged, removed."""

    removed: list = field(default_factory=list)
    added: list = field(default_factory=list)
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    deleted: list = field(default_factory=list)


def stored_entries(store, graph: ox.NamedNode) -> dict:
    """{entry IRI: set of quads} as ``graph`` holds them now."""
    found: dict = defaultdict(set)
    for quad in store.quads(None, None, None, graph):
        if isinstance(quad.subject, ox.NamedNode):
            found[root(quad.subject)].add(quad)
    return found


def compare(stored: dict, entries: list, graph: ox.NamedNode, keep: set = frozenset()) -> Diff:
    """The diff that turns ``stored`` into ``entries``; entries whose IRI is in ``keep`` (rejected
    this time) stay as stored rather than disappearing."""
    diff = Diff()
    seen = set()
    for entry in entries:
        key = entry.iri.value
        seen.add(key)
        new = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in entry.triples}
        old = stored.get(key, set())
        if not old:
            diff.created.append(key)
        elif old == new:
            diff.unchanged.append(key)
            continue
        else:
            diff.updated.append(key)
        diff.removed += sorted(old - new, key=str)
        diff.added += sorted(new - old, key=str)
    for key, old in stored.items():
        if key not in seen and key not in keep:
            diff.deleted.append(key)
            diff.removed += sorted(old, key=str)
    return diff
