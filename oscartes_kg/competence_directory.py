"""The competence directory (issue 7 §3): who in the network holds which competences, browsable
by the thesaurus hierarchy.

Holders are organisations, and persons only with a consent in force, from the public graphs
(:mod:`oscartes_kg.matching_index` reads them once per data version). A competence counts and
lists the holders of itself and of its narrower competences, each holder once.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import matching_index as mi
from .errors import NotFound

__all__ = ["Node", "tree", "holders_of", "Page", "page", "PAGE_SIZE", "SCHEME_BASE"]

SCHEME_BASE = "https://w3id.org/oscartes/id/competence/"
PAGE_SIZE = 50


@dataclass(frozen=True)
class Node:
    """A competence in the tree, with the number of distinct holders of it and its narrower ones."""

    iri: str
    fr: str
    en: str
    count: int
    children: tuple[Node, ...]

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


def holders_of(index: mi.Index, competence: str) -> list[mi.Holder]:
    """Distinct holders of ``competence`` and its narrower competences, by IRI (slugs come from
    names, so this is close to alphabetical order without reading every label)."""
    found: dict[str, mi.Holder] = {}
    for iri in [competence, *index.thesaurus.descendants(competence)]:
        for holder in index.holders.get(iri, ()):
            found.setdefault(holder.iri, holder)
    return [found[iri] for iri in sorted(found)]


def tree(index: mi.Index) -> list[Node]:
    """The competences scheme as nested nodes with counts, top concepts first, by French label."""
    thesaurus = index.thesaurus

    def node(iri: str, path: frozenset) -> Node:
        children = sorted((c for c in thesaurus.narrower.get(iri, ()) if c not in path), key=thesaurus.label)
        return Node(iri, thesaurus.label(iri, "fr"), thesaurus.label(iri, "en"),
                    len(holders_of(index, iri)), tuple(node(c, path | {c}) for c in children))

    if "tree" not in index.derived:  # ~40 competences x thousands of holders at 100k: once
        index.derived["tree"] = [node(top, frozenset({top})) for top in thesaurus.tops()]
    return index.derived["tree"]


@dataclass(frozen=True)
class Page:
    """One page of a competence's holders."""

    competence: str
    fr: str
    en: str
    broader: tuple[str, ...]
    narrower: tuple[str, ...]
    holders: tuple[mi.Holder, ...]
    total: int
    number: int
    pages: int


def page(store, slug: str, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """The holders of the competence ``slug`` (and of its narrower ones), page ``number``.

    :raises NotFound: no such competence in the thesaurus, or a page past the last.
    """
    index = mi.index(store)
    iri = SCHEME_BASE + slug
    if iri not in index.thesaurus.labels:
        raise NotFound(f"compétence inconnue « {slug} » (voir /competences) / unknown competence",
                       entity=iri, rule="competence")
    holders = holders_of(index, iri)
    pages = max(1, -(-len(holders) // size))
    if not 1 <= number <= pages:
        raise NotFound(f"page {number} : la liste compte {pages} page(s) / page {number} of {pages}",
                       entity=iri, rule="page")
    shown = holders[(number - 1) * size:number * size]
    names = mi.names(store, [h.iri for h in shown])
    shown = [mi.Holder(h.iri, mi.label_of(names.get(h.iri, {})) or h.iri.rsplit("/", 1)[-1], h.person,
                       h.place, h.competences) for h in shown]
    thesaurus = index.thesaurus
    return Page(iri, thesaurus.label(iri, "fr"), thesaurus.label(iri, "en"),
                tuple(sorted(thesaurus.broader.get(iri, ()))),
                tuple(sorted(thesaurus.narrower.get(iri, ()), key=thesaurus.label)),
                tuple(shown), len(holders), number, pages)
