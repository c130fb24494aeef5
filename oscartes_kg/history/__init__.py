"""The write history: every write is a changeset (PROV-O), read back, diffed, reverted, forgotten.

Why it is built this way:

- **One graph.** Every changeset is described in ``graphs.PRIVATE_HISTORY``, never one graph per
  changeset: the graph list is read on every request, and thousands of graphs would slow it.
  A changeset is ``oscid:changeset/{id}``, an ``osc:Changeset`` (a ``prov:Activity``) with
  ``prov:wasAssociatedWith`` (the account, token or ``oscid:agent/{name}`` that wrote),
  ``prov:endedAtTime``, ``rdfs:comment``, ``osc:channel``, ``osc:changed`` (the entities whose
  triples it wrote), ``osc:changedGraph``, ``osc:addedCount``/``osc:removedCount``, ``osc:reverts``.
  Curators query all of it over ``/sparql``. The ``id`` is the UTC time to the microsecond plus
  random hex, so ids sort in time order.
- **Same write.** The description is written in the same store write as the change (one
  transaction on the embedded store, one update request on a server; a bulk load's journal
  undoes both), so a changeset exists if and only if its change happened.
- **The delta is N-Quads text**: a literal (``osc:addedQuads``/``osc:removedQuads``) for up to
  ``INLINE_LIMIT`` quads; beyond that, on the embedded store, a gzip file
  ``DATA/history/{id}.added.nq.gz`` (``osc:addedFile``), written and fsynced before the store
  write. A process killed in between leaves a file no changeset names, never a changeset without
  its delta. Text rather than RDF 1.2 triple terms or reification: it goes unchanged through
  dumps and ``load`` (validated with rdflib and pySHACL, which know no triple terms), through the
  remote backend's SPARQL writer, and it keeps blank nodes as they are; ``forget`` can rewrite it.
  A bulk load's file is written by a background thread while validation runs (pyoxigraph's dump
  to a path and zlib release the GIL), so loads do not get slower (bench/RESULTS.md).
- **Erasures keep nothing.** A changeset of channel ``gdpr`` keeps counts and graphs but no delta
  and no ``osc:changed``: the erasure must not keep what it erases (GDPR art. 17); it cannot be
  reverted. :func:`forget` removes an IRI from the rest of the history.
- **Append-only.** No write through ``changes.apply`` may touch the history graph (:func:`guard`);
  only this module writes it. A load that carries the history graph (a full ``dump`` loaded back)
  is a restore: its own history comes with it and no new changeset is added.
"""
from __future__ import annotations

from .erase import Forgotten, export, forget
from .model import INLINE_LIMIT, Changeset, changeset_iri, is_changeset
from .read import Diff, agent_names, delta, diff, for_entity, get, recent, reverted_by
from .record import Recording, guard, record, start_load
from .revert import conflicts, revert

__all__ = ["Changeset", "Recording", "Diff", "Forgotten", "INLINE_LIMIT", "guard", "record",
           "start_load", "for_entity", "recent", "get", "delta", "diff", "revert", "conflicts",
           "export", "forget", "changeset_iri", "agent_names", "reverted_by", "is_changeset"]
