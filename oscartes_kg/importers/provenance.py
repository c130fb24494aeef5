"""Where an imported source came from, as DCAT and PROV, in one public graph for all sources.

The source's graph IRI is the ``dcat:Dataset``: anyone reading ``GRAPH ?g { ... }`` finds its
origin, licence, date and importer by looking ?g up here. Why a graph of its own
(``SOURCES``) rather than ``graphs.META`` or the source's graph: META is written by ``init``
from the shipped files (no role may write it, and ``load`` leaves its quads out), so an import
record there would be refused or lost; inside the source's graph it would be diffed and
removed as if it were an entry. The data are public, so is where they came from.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pyoxigraph as ox

from .. import __version__, graphs

__all__ = ["SOURCES", "IMPORTER_VERSION", "describe", "stored"]

#: The public graph describing every imported source.
SOURCES = ox.NamedNode(graphs.BASE + "sources")
#: Version of the import rules: bumped when a format's mapping changes what it writes.
IMPORTER_VERSION = "1"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "http://schema.org/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def describe(graph: ox.NamedNode, *, name: str, format: str, source: ox.NamedNode,
             licence: str | None, entries: int, when: datetime | None = None) -> list[ox.Quad]:
    """The provenance quads of one import of ``source`` into ``graph``.

    >>> quads = describe(graphs.import_graph("x"), name="x", format="csv",
    ...                  source=ox.NamedNode("https://e.org/x.csv"), licence=None, entries=3)
    >>> any(q.predicate.value.endswith("hadPrimarySource") for q in quads)
    True
    """
    when = when or datetime.now(timezone.utc).replace(microsecond=0)
    stamp = ox.Literal(when.isoformat(), datatype=_n(XSD + "dateTime"))
    activity = _n(graph.value + "#import")
    agent = _n(graph.value + "#importer")
    triples = [
        (graph, _n(RDF + "type"), _n(DCAT + "Dataset")),
        (graph, _n(RDF + "type"), _n(PROV + "Entity")),
        (graph, _n(DCT + "title"), ox.Literal(f"Source importée « {name} »", language="fr")),
        (graph, _n(DCT + "title"), ox.Literal(f"Imported source “{name}”", language="en")),
        (graph, _n(DCT + "identifier"), ox.Literal(name)),
        (graph, _n(DCT + "format"), ox.Literal(format)),
        (graph, _n(DCT + "source"), source),
        (graph, _n(PROV + "hadPrimarySource"), source),
        (graph, _n(DCT + "modified"), stamp),
        (graph, _n(PROV + "wasGeneratedBy"), activity),
        (graph, _n("http://rdfs.org/ns/void#entities"),
         ox.Literal(str(entries), datatype=_n(XSD + "integer"))),
        (activity, _n(RDF + "type"), _n(PROV + "Activity")),
        (activity, _n(PROV + "used"), source),
        (activity, _n(PROV + "endedAtTime"), stamp),
        (activity, _n(PROV + "wasAssociatedWith"), agent),
        (agent, _n(RDF + "type"), _n(PROV + "SoftwareAgent")),
        (agent, _n(RDFS + "label"), ox.Literal(f"oscartes-kg import {format}")),
        (agent, _n(SCHEMA + "softwareVersion"), ox.Literal(f"{__version__}+import.{IMPORTER_VERSION}")),
    ]
    if licence:
        triples.append((graph, _n(DCT + "license"), _n(licence)))
    return [ox.Quad(s, p, o, SOURCES) for s, p, o in triples]


def stored(store, graph: ox.NamedNode) -> list[ox.Quad]:
    """The provenance quads now stored for ``graph`` (replaced by each import)."""
    found = []
    for subject in (graph, _n(graph.value + "#import"), _n(graph.value + "#importer")):
        found += list(store.quads(subject, None, None, SOURCES))
    return found
