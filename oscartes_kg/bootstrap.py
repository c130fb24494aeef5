"""Create a knowledge base: the shipped vocabulary, thesauri and shapes, and optionally the demo."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from . import graphs, ingest, resources
from .errors import ParseError

__all__ = ["init_store", "schema_quads"]


def schema_quads() -> list[ox.Quad]:
    """The quads ``init`` writes: ontology, thesauri, shapes and dataset metadata."""
    sources = [(graphs.ONTOLOGY, [p for p in resources.ontology_files() if p.name != "dataset.ttl"]),
               (graphs.THESAURI, resources.thesauri_files()),
               (graphs.SHAPES, resources.shapes_files()),
               (graphs.META, [p for p in resources.ontology_files() if p.name == "dataset.ttl"])]
    quads = []
    for graph, paths in sources:
        for path in paths:
            quads.extend(_parse(path, graph))
    return quads


def init_store(store, *, demo: bool = False) -> ingest.IngestResult | None:
    """Write the schema graphs (replacing older versions) and, with ``demo``, load the demo data.

    The demo data go through the same validation as any other load.
    """
    quads = schema_quads()
    for graph in graphs.SCHEMA_GRAPHS:
        store.replace_graph(graph, [q for q in quads if q.graph_name == graph])
    store.flush()
    if demo:
        return ingest.load(store, resources.demo_files())
    return None


def _parse(path: Path, graph: ox.NamedNode) -> list[ox.Quad]:
    try:
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in
                ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)]
    except SyntaxError as error:
        raise ParseError(str(error), file=str(path), line=error.lineno) from None
