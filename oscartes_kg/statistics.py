"""Counts over the public graphs (VoID statistics): triples, entities, classes, properties.

They feed ``/void`` and the SPARQL service description. Computing them reads the whole public
dataset (seconds at 100,000 organisations), so callers get them through the dump cache
(``oscartes_kg.dumps``), which recomputes them only when the data change.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from .namespaces import OSCID

__all__ = ["Statistics", "GraphStatistics", "compute", "ENTITY_SPACE", "namespace_of"]

#: void:uriSpace of the dataset: a void:entities count is the IRIs under it (VoID section 4.6).
ENTITY_SPACE = str(OSCID)

# The queries read constants only (no user input). The dataset (public graphs) is given to the
# store as default_graph/named_graphs, so nothing private is reachable from them.
_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
_SUBJECTS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"
_GRAPH_TRIPLES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# Entities are counted here in Python over the distinct (graph, subject) pairs: a SPARQL
# FILTER(STRSTARTS(STR(?s), ...)) is pushed down to every triple and took 13 s for each count
# at 100k organisations, against about 5 s for this one pass over both (bench/dumps.py).
_GRAPH_SUBJECTS = "SELECT DISTINCT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }"
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
_CLASSES = ("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { "
            "?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?c FILTER(isIRI(?c)) } GROUP BY ?c")


@dataclass(frozen=True)
class GraphStatistics:
    """One public named graph: its IRI, triples and entities."""

    graph: str
    triples: int
    entities: int


@dataclass(frozen=True)
class Statistics:
    """VoID counts of the union of the public graphs (a triple in two graphs counts once)."""

    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    classes: dict[str, int] = field(default_factory=dict)     # class IRI -> instances
    properties: dict[str, int] = field(default_factory=dict)  # property IRI -> triples
    graphs: tuple[GraphStatistics, ...] = ()
    computed_at: str = ""

    def vocabularies(self) -> list[str]:
        """Namespaces of the properties and classes used (void:vocabulary), sorted.

        >>> Statistics(properties={"http://schema.org/name": 3},
        ...            classes={"https://w3id.org/oscartes/ns#Event": 1}).vocabularies()
        ['http://schema.org/', 'https://w3id.org/oscartes/ns#']
        """
        return sorted({namespace_of(iri) for iri in [*self.properties, *self.classes]} - {""})

    def to_json(self) -> dict:
        """A JSON-ready dict (the cache file's content)."""
        return {"triples": self.triples, "entities": self.entities,
                "distinct_subjects": self.distinct_subjects, "classes": self.classes,
                "properties": self.properties, "computed_at": self.computed_at,
                "graphs": [vars(g) for g in self.graphs]}

    @classmethod
    def from_json(cls, data: dict) -> Statistics:
        """Read back what :meth:`to_json` wrote."""
        return cls(**{**data, "graphs": tuple(GraphStatistics(**g) for g in data["graphs"])})


def namespace_of(iri: str) -> str:
    """The namespace of a term IRI: up to its last ``#`` or ``/``.

    >>> namespace_of("http://www.w3.org/2004/02/skos/core#prefLabel")
    'http://www.w3.org/2004/02/skos/core#'
    """
    match = re.match(r"^(.*[#/])[^#/]*$", iri)
    return match.group(1) if match else ""


def compute(store, public: list) -> Statistics:
    """Count the union of the ``public`` graphs of ``store`` (pass only public graphs).

    :raises StoreError: the store cannot be read.
    """
    if not public:
        return Statistics(computed_at=_now())

    def rows(sparql: str):
        return list(store.query(sparql, default_graph=public, named_graphs=public))

    def number(sparql: str) -> int:
        return int(rows(sparql)[0]["n"].value)

    def per_graph(sparql: str) -> dict[str, int]:
        return {row["g"].value: int(row["n"].value) for row in rows(sparql)}

    triples = per_graph(_GRAPH_TRIPLES)
    entities, per_graph_entities = _entities(
        store.query(_GRAPH_SUBJECTS, default_graph=public, named_graphs=public))
    return Statistics(
        triples=number(_TRIPLES), entities=entities, distinct_subjects=number(_SUBJECTS),
        classes={row["c"].value: int(row["n"].value) for row in rows(_CLASSES)},
        properties={row["p"].value: int(row["n"].value) for row in rows(_PROPERTIES)},
        graphs=tuple(GraphStatistics(g.value, triples.get(g.value, 0),
                                     per_graph_entities.get(g.value, 0)) for g in public),
        computed_at=_now())


def _entities(pairs) -> tuple[int, dict[str, int]]:
    """Entities (IRIs under ``ENTITY_SPACE``) in all graphs, and per graph, from (?g, ?s) rows."""
    everywhere: set[str] = set()
    per_graph: dict[str, int] = {}
    for graph, subject in pairs:
        if isinstance(subject, NamedNode) and subject.value.startswith(ENTITY_SPACE):
            everywhere.add(subject.value)
            per_graph[graph.value] = per_graph.get(graph.value, 0) + 1
    return len(everywhere), per_graph


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
