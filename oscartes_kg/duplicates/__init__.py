"""Probable duplicates across sources (issue 6 §2): detect them, propose them to curators, and
record what curators decide (link with ``owl:sameAs``, merge, or mark as distinct).

- ``signals.py`` scores a pair from names (``oscartes_kg.names``), distance, website, SIREN,
  RNA and e-mail domain, with reasons in French and English;
- ``detect.py`` finds candidates, bounded (catalogue full-text search, exact keys);
- ``proposals.py`` keeps the proposals (derived data, SQLite beside the catalogue);
- ``decisions.py`` writes decisions through ``changes.apply`` into the public identity graph.

Detection runs after every import (``importers.DUPLICATE_HOOKS``: :func:`import_hook`) for the
imported entries, and on demand for the whole store (:func:`detect_all`).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import pyoxigraph as ox
from tqdm import tqdm

from .. import graphs
from . import proposals
from .decisions import (ACTIONS, IDENTITY, decide, may_decide, merged_into, rewrite_entries)
from .detect import DETECTED_KINDS, RDF_TYPE, Detector, Proposal
from .signals import THRESHOLD, Profile, Reason, compare

__all__ = ["detect_all", "detect_entries", "import_hook", "waiting", "decide", "may_decide", "merged_into",
           "rewrite_entries", "proposals", "Proposal", "Reason", "Profile", "compare", "IDENTITY",
           "ACTIONS", "THRESHOLD", "DETECTED_KINDS", "Detected"]


@dataclass(frozen=True)
class Detected:
    """What a detection run did: entities compared, proposals kept."""

    compared: int
    proposals: int


def detect_entries(store, entries: list, graph, *, former: list = ()) -> Detected:
    """Detect duplicates of import ``entries`` (not written yet) and replace their proposals
    (and those of ``former``: IRIs of entries merged away)."""
    detector = Detector(store)
    found: dict = {}
    for entry in entries:
        for proposal in detector.proposals(detector.entry_profile(entry, graph)):
            found[(proposal.a, proposal.b)] = proposal
    proposals.replace_for(store, [e.iri.value for e in entries] + list(former), found.values())
    return Detected(len(entries), len(found))


def detect_all(store, *, progress: bool = False) -> Detected:
    """Detect duplicates among every public entity of ``DETECTED_KINDS`` and replace all
    proposals. Bounded: each entity is compared with its catalogue and key candidates only."""
    detector = Detector(store)
    marks = ", ".join("?" * len(DETECTED_KINDS))
    rows = [r[0] for r in detector.connection.execute(
        f"SELECT id FROM entity WHERE kind IN ({marks}) ORDER BY id", DETECTED_KINDS)]
    from ..reconcile import candidates

    found: dict = {}
    for start in tqdm(range(0, len(rows), 200), desc="doublons", unit="lot", disable=not progress,
                      file=sys.stderr):
        for row in candidates.load(detector.connection, rows=rows[start:start + 200]).values():
            for proposal in detector.proposals(detector.profile(row)):
                found.setdefault((proposal.a, proposal.b), proposal)
    proposals.replace_all(store, found.values())
    return Detected(len(rows), len(found))


def waiting(store, *, offset: int = 0, limit: int = 50) -> tuple[list, int]:
    """One page of proposals still to decide, and how many there are; proposals about an entry
    that is gone since (removed by a re-import, merged) are forgotten on the way."""
    found, total = proposals.page(store, offset=offset, limit=limit)
    gone = [(p.a, p.b) for p in found if not (_exists(store, p.a) and _exists(store, p.b))]
    if gone:
        proposals.remove(store, gone)
        found, total = proposals.page(store, offset=offset, limit=limit)
    return found, total


def _exists(store, iri: str) -> bool:
    return any(graphs.is_public(q.graph_name) for q in store.quads(ox.NamedNode(iri), RDF_TYPE, None, None))


def import_hook(store, entries: list, graph) -> None:
    """``importers.DUPLICATE_HOOKS``: respect merges (entries merged into ours are rewritten to
    our IRI), then detect the duplicates of the imported entries."""
    before = [e.iri.value for e in entries]
    rewrite_entries(store, entries, graph)
    former = [iri for iri, e in zip(before, entries) if e.iri.value != iri]
    # An entry the source left as it was keeps its proposals: it was compared when it came in
    # (and each later import compares its own entries with it); `duplicates detect` redoes all.
    fresh = [e for e in entries if not _unchanged(store, e, graph)]
    detect_entries(store, fresh, graph, former=former)


def _unchanged(store, entry, graph) -> bool:
    """Whether ``graph`` already holds exactly the entry's triples about its IRI (its own nodes,
    ``IRI#address``, follow its facts: a change there is rare and caught by ``detect``)."""
    stored = {(q.subject, q.predicate, q.object) for q in store.quads(entry.iri, None, None, graph)}
    mine = {(t.subject, t.predicate, t.object) for t in entry.triples if t.subject == entry.iri}
    return bool(stored) and stored == mine


def register() -> None:
    """Plug :func:`import_hook` into the importers (once)."""
    from ..importers import DUPLICATE_HOOKS

    if import_hook not in DUPLICATE_HOOKS:
        DUPLICATE_HOOKS.append(import_hook)


register()
