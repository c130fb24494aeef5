"""Actors to suggest for a call for projects (issue 7 section 4): those whose themes and
territory fit the call's eligibility.

A theme fits when it is an eligible theme or a narrower one (``skos:broaderTransitive``); a
territory fits when the actor's commune is an eligible territory or lies within one
(``osc:partOf``). Both closures are already in the catalogue's facets (each entity is tagged
with every ancestor of its themes and commune), held in memory as bitsets, so the lookup is a
few ANDs and ORs over 100,000 entities and a bounded read of the page shown, never a SPARQL
join over the store (queries/README.md, "Staying fast"). Public graphs only, like the catalogue.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

import pyoxigraph as ox

from . import graphs
from .catalogue import bits, index

__all__ = ["Suggestion", "Suggestions", "eligibility", "suggest", "LIMIT", "ACTOR_KINDS"]

OSC = "https://w3id.org/oscartes/ns#"
ELIGIBLE_THEME = ox.NamedNode(OSC + "eligibleTheme")
ELIGIBLE_TERRITORY = ox.NamedNode(OSC + "eligibleTerritory")
FUNDER = ox.NamedNode("http://schema.org/funder")
#: Suggestions shown at most (the rest are one search away).
LIMIT = 20
#: Catalogue kinds that are actors (persons are listed there only with their consent).
ACTOR_KINDS = ("organisation", "person")


@dataclass(frozen=True)
class Suggestion:
    """One actor that fits, and which of the call's eligible themes it works on."""

    iri: str
    kind: str
    label: str
    label_en: str
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestions:
    """The first ``LIMIT`` fitting actors (most eligible themes first, then by name), how many
    fit in all, and the call's eligibility as (IRI, label, English label)."""

    actors: tuple[Suggestion, ...]
    total: int
    themes: tuple[tuple[str, str, str], ...]
    territories: tuple[tuple[str, str, str], ...]


def eligibility(store, call: ox.NamedNode) -> tuple[list[str], list[str], set[str]]:
    """The call's eligible themes, eligible territories and funders, from public graphs only."""
    def values(predicate):
        return sorted({q.object.value for q in store.quads(call, predicate, None, None)
                       if graphs.is_public(q.graph_name) and isinstance(q.object, ox.NamedNode)})
    return values(ELIGIBLE_THEME), values(ELIGIBLE_TERRITORY), set(values(FUNDER))


def suggest(catalogue, themes: list[str], territories: list[str], *, exclude=(),
            limit: int = LIMIT) -> Suggestions:
    """Actors tagged with any of ``themes`` (or a narrower one) and located in any of
    ``territories`` (or within one); a call with neither gives none: nothing to fit.
    ``exclude``: IRIs never suggested (the call's funder).

    >>> import tempfile; from pathlib import Path; from oscartes_kg import bootstrap
    >>> from oscartes_kg.catalogue import open_catalogue; from oscartes_kg.store import open_store
    >>> with open_store(data=Path(tempfile.mkdtemp())) as store:
    ...     _ = bootstrap.init_store(store, demo=True)
    ...     found = suggest(open_catalogue(store), [], [])
    >>> found.total, found.actors
    (0, ())
    """
    from .watch import catalogue_connection

    connection = catalogue_connection(catalogue)
    sets = bits.load(connection, str(catalogue.path), index.meta(connection, "generation") or "")
    named = lambda iris: tuple(_term(sets, iri) for iri in iris)  # noqa: E731
    if not themes and not territories:
        return Suggestions((), 0, named(themes), named(territories))
    actors = 0
    for kind in ACTOR_KINDS:
        actors |= sets.kind_bits.get(kind, 0)
    theme_masks = [sets.tagged(iri) for iri in themes]
    fitting = actors
    if themes:
        fitting &= bits.union(theme_masks)
    if territories:
        fitting &= bits.union(sets.tagged(iri) for iri in territories)
    for iri in exclude:
        entity = _entity(connection, iri)
        if entity is not None:
            fitting &= ~(1 << entity)
    chosen = _first(sets, fitting, theme_masks, limit)
    return Suggestions(_read(connection, chosen, themes, theme_masks), fitting.bit_count(),
                       named(themes), named(territories))




def _first(sets, fitting: int, theme_masks: list[int], limit: int) -> list[int]:
    """The ``limit`` first fitting entities: those on the most eligible themes first (a tier per
    number of themes, made with bitset arithmetic), then in the catalogue's name order."""
    at_least = [fitting] + [0] * len(theme_masks)   # at_least[n]: on n eligible themes or more
    for mask in theme_masks:
        for n in range(len(theme_masks), 0, -1):
            at_least[n] |= at_least[n - 1] & mask
    chosen: list[int] = []
    taken = 0
    for tier in reversed(at_least):
        tier &= ~taken
        if tier and len(chosen) < limit:
            picked = heapq.nsmallest(limit - len(chosen), bits.ids_of(tier), key=sets.position.__getitem__)
            chosen += picked
            taken |= bits.mask_of(picked)
    return chosen


def _entity(connection, iri: str) -> int | None:
    row = connection.execute("SELECT id FROM entity WHERE iri = ?", (iri,)).fetchone()
    return row[0] if row else None


def _read(connection, ids: list[int], themes: list[str], theme_masks: list[int]) -> tuple:
    """The rows of the chosen entities, in the chosen order, with their eligible themes."""
    if not ids:
        return ()
    rows = {row[0]: row[1:] for row in connection.execute(
        f"SELECT id, iri, kind, label, label_en FROM entity WHERE id IN ({', '.join('?' * len(ids))})", ids)}
    return tuple(Suggestion(*rows[entity], tuple(t for t, m in zip(themes, theme_masks) if m >> entity & 1))
                 for entity in ids if entity in rows)


def _term(sets, iri: str) -> tuple[str, str, str]:
    """(IRI, label, English label) of a facet value; the IRI's end when no entity uses it."""
    term = sets.term_ids.get(iri)
    if term is None:
        return iri, iri.rsplit("/", 1)[-1], iri.rsplit("/", 1)[-1]
    _, _, label, label_en, _ = sets.terms[term]
    return iri, label, label_en or label
