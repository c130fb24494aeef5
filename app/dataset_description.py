"""The VoID and DCAT description of the public dataset (``/void``), as pyoxigraph triples.

The hand-written part (title, description, licence, publisher, keywords) comes from
``ontology/dataset.ttl`` as loaded into the public metadata graph; the server adds what only it
knows: its SPARQL endpoint and dump URLs, the vocabularies actually used and the counts, with
one ``void:subset`` per public named graph. Private graphs never appear (callers pass the cache's
statistics, which are computed over the public graphs only).
"""
from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox

from oscartes_kg import graphs, resources
from oscartes_kg.statistics import Statistics

__all__ = ["DATASET", "describe", "VOID", "DCAT", "DCTERMS", "SD", "XSD"]

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
SD = "http://www.w3.org/ns/sparql-service-description#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FOAF_PRIMARY_TOPIC = ox.NamedNode("http://xmlns.com/foaf/0.1/primaryTopic")
IANA = "https://www.iana.org/assignments/media-types/"

#: The dataset as ``ontology/dataset.ttl`` names it.
DATASET = ox.NamedNode("https://w3id.org/oscartes/id/dataset/oscartes")
LICENCE = ox.NamedNode("https://creativecommons.org/licenses/by-sa/4.0/")

#: Dump file name -> (IANA media type of the content, compression media type or None).
DUMP_FORMATS = {
    "public.nq.gz": ("application/n-quads", "application/gzip"),
    "public.ttl": ("text/turtle", None),
}


def _n(namespace: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + name)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD, "integer"))


def subset_iri(graph: str) -> ox.NamedNode:
    """The VoID subset that stands for one public named graph.

    >>> subset_iri("https://w3id.org/oscartes/graph/import/transiscope").value
    'https://w3id.org/oscartes/id/dataset/oscartes/graph/import/transiscope'
    """
    local = graph[len(graphs.BASE):] if graph.startswith(graphs.BASE) else quote(graph, safe="")
    return ox.NamedNode(f"{DATASET.value}/graph/{local}")


def static_description(store) -> list[ox.Triple]:
    """The hand-written dataset triples: from the store's metadata graph, else the shipped file.

    ``void:vocabulary`` is left out: :func:`describe` states the vocabularies really used.
    """
    quads = list(store.quads(graph=graphs.META)) if graphs.META in store.graphs() else []
    if not quads:
        quads = list(ox.parse(path=resources.root() / "ontology" / "dataset.ttl",
                              format=ox.RdfFormat.TURTLE))
    space = DATASET.value
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(space)
            and q.predicate != _n(VOID, "vocabulary")]


def describe(store, stats: Statistics, *, endpoint: str, dumps: dict[str, str],
             document: str) -> list[ox.Triple]:
    """VoID + DCAT triples for the public dataset.

    ``endpoint`` is the SPARQL endpoint URL, ``dumps`` maps dump file names to their URLs and
    ``document`` is the URL of the description itself (a ``void:DatasetDescription``).
    """
    triples = static_description(store)
    add = lambda s, p, o: triples.append(ox.Triple(s, p, o))  # noqa: E731
    doc = ox.NamedNode(document)
    add(doc, RDF_TYPE, _n(VOID, "DatasetDescription"))
    add(doc, FOAF_PRIMARY_TOPIC, DATASET)
    add(DATASET, RDF_TYPE, _n(VOID, "Dataset"))
    add(DATASET, RDF_TYPE, _n(DCAT, "Dataset"))
    add(DATASET, _n(DCTERMS, "license"), LICENCE)
    add(DATASET, _n(VOID, "sparqlEndpoint"), ox.NamedNode(endpoint))
    add(DATASET, _n(VOID, "uriSpace"), ox.Literal("https://w3id.org/oscartes/id/"))
    for vocabulary in stats.vocabularies():
        add(DATASET, _n(VOID, "vocabulary"), ox.NamedNode(vocabulary))
    _counts(add, DATASET, stats)
    _service(add, endpoint)
    for name, url in dumps.items():
        _distribution(add, name, url)
    for graph in stats.graphs:
        subset = subset_iri(graph.graph)
        add(DATASET, _n(VOID, "subset"), subset)
        add(subset, RDF_TYPE, _n(VOID, "Dataset"))
        add(subset, _n(SD, "name"), ox.NamedNode(graph.graph))
        add(subset, _n(DCTERMS, "license"), LICENCE)
        add(subset, _n(VOID, "sparqlEndpoint"), ox.NamedNode(endpoint))
        add(subset, _n(VOID, "triples"), _integer(graph.triples))
        add(subset, _n(VOID, "entities"), _integer(graph.entities))
    return list(dict.fromkeys(triples))  # the static part repeats some (type, licence)


def _counts(add, dataset: ox.NamedNode, stats: Statistics) -> None:
    """Dataset-wide counts, and one class and property partition per class and property."""
    add(dataset, _n(VOID, "triples"), _integer(stats.triples))
    add(dataset, _n(VOID, "entities"), _integer(stats.entities))
    add(dataset, _n(VOID, "distinctSubjects"), _integer(stats.distinct_subjects))
    add(dataset, _n(VOID, "classes"), _integer(len(stats.classes)))
    add(dataset, _n(VOID, "properties"), _integer(len(stats.properties)))
    for iri, count in sorted(stats.classes.items()):
        partition = ox.BlankNode()
        add(dataset, _n(VOID, "classPartition"), partition)
        add(partition, _n(VOID, "class"), ox.NamedNode(iri))
        add(partition, _n(VOID, "entities"), _integer(count))
    for iri, count in sorted(stats.properties.items()):
        partition = ox.BlankNode()
        add(dataset, _n(VOID, "propertyPartition"), partition)
        add(partition, _n(VOID, "property"), ox.NamedNode(iri))
        add(partition, _n(VOID, "triples"), _integer(count))


def _service(add, endpoint: str) -> None:
    """The SPARQL endpoint as a DCAT data service serving the dataset."""
    service = ox.NamedNode(DATASET.value + "/sparql")
    add(DATASET, _n(DCAT, "accessService"), service)
    add(service, RDF_TYPE, _n(DCAT, "DataService"))
    add(service, _n(DCAT, "endpointURL"), ox.NamedNode(endpoint))
    add(service, _n(DCAT, "endpointDescription"), ox.NamedNode(endpoint))
    add(service, _n(DCAT, "servesDataset"), DATASET)
    add(service, _n(DCTERMS, "conformsTo"), ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"))
    add(service, _n(DCTERMS, "license"), LICENCE)


def _distribution(add, name: str, url: str) -> None:
    """One dump: a ``void:dataDump`` and a DCAT distribution with its media type."""
    media_type, compression = DUMP_FORMATS[name]
    distribution = ox.NamedNode(f"{DATASET.value}/distribution/{name}")
    add(DATASET, _n(VOID, "dataDump"), ox.NamedNode(url))
    add(DATASET, _n(DCAT, "distribution"), distribution)
    add(distribution, RDF_TYPE, _n(DCAT, "Distribution"))
    add(distribution, _n(DCAT, "downloadURL"), ox.NamedNode(url))
    add(distribution, _n(DCAT, "accessURL"), ox.NamedNode(url))
    add(distribution, _n(DCAT, "mediaType"), ox.NamedNode(IANA + media_type))
    if compression:
        add(distribution, _n(DCAT, "compressFormat"), ox.NamedNode(IANA + compression))
    add(distribution, _n(DCTERMS, "license"), LICENCE)
    add(distribution, _n(DCTERMS, "title"), ox.Literal(f"Données publiques ({name})", language="fr"))
