"""Validate data against the charter and quality shapes, inside the store.

The shapes (``shapes/*.ttl``) are compiled once into SPARQL queries (``compiler``) that the
store runs itself, so a full validation at 100,000 organisations is a few dozen scans rather
than pySHACL's hours. pySHACL stays the reference (``reference``): the test suite checks that
both engines give the same results and messages on every shape's scenarios.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from pyoxigraph import NamedNode
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from .. import graphs as g
from .. import resources
from .compiler import Check, compile_shapes
from .engine import run_checks
from .reference import validate_with_pyshacl
from .report import Report, Violation
from .shapes import Shapes, read_shapes

__all__ = ["Report", "Violation", "Validator", "validator", "validate_store",
           "validate_with_pyshacl"]


@dataclass(frozen=True)
class Validator:
    """Shapes read and compiled once; ``validate`` runs them against any store."""

    shapes: Shapes
    checks: tuple[Check, ...]
    names: dict          # property shape id -> French sh:name, for readable reports
    read_predicates: frozenset = frozenset()   # what the shapes read on linked nodes (IRIs)

    def validate(self, store, *, focus: Collection[str] | None = None) -> Report:
        """Validate every data graph of ``store`` (shapes scoped to public graphs see only those).

        ``store`` is an oscartes Store or a plain ``pyoxigraph.Store``. With ``focus``, only
        results on those entities (IRIs as text) are kept.
        """
        graphs = _graph_list(store)
        public = g.public(g.data_graphs(graphs))
        return run_checks(store, self.checks, public_graphs=public, focus=focus, names=self.names,
                          graphs=graphs)

    def validate_with_pyshacl(self, store) -> Report:
        """The same validation through pySHACL (slow: for tests and small stores)."""
        graphs = g.data_graphs(_graph_list(store))
        return validate_with_pyshacl(self.shapes, _union(store, graphs),
                                     _union(store, g.public(graphs)), self.names)


@cache
def validator() -> Validator:
    """The validator for the shipped shapes and ontology (read once per process)."""
    shapes_graph = Graph()
    for path in resources.shapes_files():
        shapes_graph.parse(path, format="turtle")
    ontology = Graph()
    for path in resources.ontology_files():
        ontology.parse(path, format="turtle")
    return build_validator(shapes_graph, ontology)


def build_validator(shapes_graph: Graph, ontology: Graph) -> Validator:
    """A validator for any shapes graph, following sub-classes declared in ``ontology``."""
    shapes = read_shapes(shapes_graph)
    checks = tuple(compile_shapes(shapes, _subclasses(ontology)))
    names = {}
    for node in shapes.node_shapes.values():
        for prop in node.properties:
            labels = {n.language: str(n) for n in shapes_graph.objects(prop.id, SH.name)}
            if labels:
                names[prop.id] = labels.get("fr") or next(iter(labels.values()))
    return Validator(shapes, checks, names, _read_predicates(shapes_graph))


def validate_store(store, *, focus: Collection[str] | None = None) -> Report:
    """Validate ``store`` against the shipped shapes (see ``Validator.validate``)."""
    return validator().validate(store, focus=focus)


def _subclasses(ontology: Graph) -> dict:
    """Class -> the class and all its sub-classes (``rdfs:subClassOf*``)."""
    result: dict = {}
    for cls in set(ontology.subjects(RDFS.subClassOf, None)) | set(ontology.objects(None, RDFS.subClassOf)):
        if isinstance(cls, URIRef):
            result[cls] = {c for c in ontology.transitive_subjects(RDFS.subClassOf, cls)
                           if isinstance(c, URIRef)}
    return result


def _read_predicates(shapes_graph: Graph) -> frozenset:
    """Every predicate a shape may read: those in paths, in qualified shapes and comparisons,
    and rdf:type (sh:class). Context fetched for linked nodes is limited to these."""
    found = {str(RDF.type)}
    for param in (SH.path, SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath,
                  SH.zeroOrOnePath, SH.lessThan, SH.lessThanOrEquals):
        for value in shapes_graph.objects(None, param):
            if isinstance(value, URIRef):
                found.add(str(value))
    for _, value in shapes_graph.subject_objects(RDF.first):  # sequence and alternative paths
        if isinstance(value, URIRef) and not str(value).startswith(str(SH)):
            found.add(str(value))
    return frozenset(found)


def _graph_list(store) -> list[NamedNode]:
    if hasattr(store, "graphs"):
        return list(store.graphs())
    return [n for n in store.named_graphs() if isinstance(n, NamedNode)]


def _union(store, graphs: list[NamedNode]) -> Graph:
    """An rdflib graph holding the union of ``graphs`` (for pySHACL)."""
    import pyoxigraph

    union = Graph()
    if not graphs:
        return union
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=graphs)
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    union.parse(data=data.decode("utf-8") if isinstance(data, bytes) else data, format="nt")
    return union
