"""The precise classes an entry of a kind may have: its class and the sub-classes the ontology
graph of the store declares (``rdfs:subClassOf*``), with their labels and comments.

Forms offer them as a choice (a knowledge resource is a guide, a training or a method sheet),
the write path refuses any other class of our vocabulary, and the JSON-LD API maps an ``@type``
of a sub-class to its kind. Read from the store, not hard-coded: a sub-class added to the
ontology is offered with no code change.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from . import graphs, versioned

__all__ = ["ClassChoice", "choices", "family", "kinds_by_class"]

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SUBCLASS_OF = ox.NamedNode(RDFS + "subClassOf")
LABEL, COMMENT = ox.NamedNode(RDFS + "label"), ox.NamedNode(RDFS + "comment")


@dataclass(frozen=True)
class ClassChoice:
    """One class an entry may have: IRI, {lang: label}, {lang: comment}, depth under the base."""

    iri: str
    labels: dict
    comments: dict
    depth: int

    def label(self, lang: str = "fr") -> str:
        return self.labels.get(lang) or self.labels.get("fr") or self.labels.get("") or self.iri

    def comment(self, lang: str = "fr") -> str:
        return self.comments.get(lang) or self.comments.get("fr") or self.comments.get("") or ""


def choices(store, cls: str) -> tuple[ClassChoice, ...]:
    """``cls`` first, then its sub-classes as a tree (each after its parent, siblings by French
    label). Cached per data version of ``store``."""
    def read() -> tuple[ClassChoice, ...]:
        children: dict = {}
        for quad in store.quads(None, SUBCLASS_OF, None, graphs.ONTOLOGY):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                children.setdefault(quad.object.value, set()).add(quad.subject.value)
        found: list = []
        seen: set = set()

        def visit(iri: str, depth: int) -> None:
            if iri in seen:   # a cycle in a changed ontology must not loop
                return
            seen.add(iri)
            found.append(ClassChoice(iri, _texts(store, iri, LABEL), _texts(store, iri, COMMENT), depth))
            for child in sorted(children.get(iri, ()), key=lambda c: (_texts(store, c, LABEL).get("fr") or c).lower()):
                visit(child, depth + 1)
        visit(cls, 0)
        return tuple(found)
    return versioned.cached(store, ("entry-classes", cls), read)


def family(store, cls: str) -> frozenset[str]:
    """The IRIs of ``cls`` and its sub-classes."""
    return frozenset(c.iri for c in choices(store, cls))


def kinds_by_class(store, kind_classes: dict) -> dict[str, str]:
    """Class IRI -> kind, for every kind's class and its sub-classes (``kind_classes``: kind ->
    class node, as ``contributions.KIND_CLASSES``)."""
    found: dict = {}
    for kind, cls in kind_classes.items():
        for iri in family(store, cls.value):
            found.setdefault(iri, kind)
    return found


def _texts(store, iri: str, predicate: ox.NamedNode) -> dict:
    return {(q.object.language or ""): q.object.value
            for q in store.quads(ox.NamedNode(iri), predicate, None, graphs.ONTOLOGY)
            if isinstance(q.object, ox.Literal)}
