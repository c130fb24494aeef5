"""What the public graphs say about one resource: its triples and their graphs, the records it
owns (charter review, verdicts, consent), the labels of every term it uses, and who points at it.

Entity pages and their RDF documents are made from one :class:`Description`. Every read names
the public graphs as its dataset (``query_scope.scope``), so a private graph is never read: a
person known only from a private graph has no description at all. The queries hold no user
text: the resource's IRI is written with :func:`~oscartes_kg.store.sparql_term` (pyoxigraph's
own escaping) after :func:`resource_iri` has checked its shape. Each query is small and bounded
(one subject, ``LIMIT`` on incoming links), so a page costs a few milliseconds at 100,000
organisations even for a theme with thousands of referrers (bench/pages_bench.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Quad, Triple

from . import graphs, query_scope
from .errors import NotFound
from .store import sparql_term

__all__ = ["Description", "Incoming", "describe", "resource_iri", "label_map", "OWNED",
           "INCOMING_LIMIT"]

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
SKOS_BROADER_TRANSITIVE = NamedNode("http://www.w3.org/2004/02/skos/core#broaderTransitive")
OSC = "https://w3id.org/oscartes/ns#"

#: Records a resource owns and that its page and document show with it (the charter review of
#: an initiative and its five verdicts; the consent record of a person, GDPR art. 7(1)).
OWNED = (NamedNode(OSC + "hasCharterReview"), NamedNode(OSC + "criterionVerdict"),
         NamedNode(OSC + "consent"))
#: Incoming links listed per property; the count says how many there are in all.
INCOMING_LIMIT = 20
#: Incoming links not worth listing: the materialised closure repeats skos:broader.
HIDDEN_INCOMING = (SKOS_BROADER_TRANSITIVE,)

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


@dataclass(frozen=True)
class Incoming:
    """Resources that point at the described one through ``predicate``: ``count`` in all, the
    first ``subjects`` (at most :data:`INCOMING_LIMIT`)."""

    predicate: NamedNode
    count: int
    subjects: tuple[NamedNode, ...]


@dataclass(frozen=True)
class Description:
    """One resource as the public graphs hold it."""

    subject: NamedNode
    quads: tuple[Quad, ...]                      # the resource's own public quads
    owned: tuple[Quad, ...] = ()                 # quads of the records it owns (see OWNED)
    incoming: tuple[Incoming, ...] = ()
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI -> {lang: label}

    def triples(self) -> list[Triple]:
        """The RDF document: own and owned triples, then ``rdfs:label`` of linked resources,
        each triple once even when two graphs hold it."""
        seen = dict.fromkeys(Triple(q.subject, q.predicate, q.object)
                             for q in (*self.quads, *self.owned))
        linked = {t.object.value for t in seen if isinstance(t.object, NamedNode)}
        linked |= {i.value for group in self.incoming for i in group.subjects}
        for iri in sorted(linked - {self.subject.value}):
            for lang, text in self.labels.get(iri, {}).items():
                seen.setdefault(Triple(NamedNode(iri), RDFS_LABEL,
                                       Literal(text, language=lang) if lang else Literal(text)))
        return list(seen)

    def values(self, predicate: NamedNode, subject: NamedNode | None = None) -> list:
        """The objects of ``predicate`` on the resource (or on one owned record), in order."""
        subject = subject or self.subject
        found = (q.object for q in (*self.quads, *self.owned)
                 if q.subject == subject and q.predicate == predicate)
        return list(dict.fromkeys(found))

    def types(self) -> list[NamedNode]:
        """The resource's classes."""
        return [t for t in self.values(RDF_TYPE) if isinstance(t, NamedNode)]

    def label(self, iri: str, lang: str = "fr") -> str | None:
        """The label of a term in ``lang``, else French, else untagged, else any."""
        found = self.labels.get(iri) or {}
        for key in (lang, "fr", ""):
            if key in found:
                return found[key]
        return next(iter(found.values()), None)


def resource_iri(base: str, kind: str, slug: str) -> NamedNode:
    """The IRI ``{base}{kind}/{slug}`` of a page's resource.

    >>> resource_iri("https://w3id.org/oscartes/id/", "event", "fete-2021").value
    'https://w3id.org/oscartes/id/event/fete-2021'

    :raises NotFound: the kind or slug is not one path segment of safe characters, so no
        resource can have that IRI.
    """
    if not (_SEGMENT.match(kind) and _SEGMENT.match(slug)):
        raise NotFound(f"aucune ressource « {kind}/{slug} » / no resource '{kind}/{slug}'",
                       entity=f"{kind}/{slug}", rule="iri")
    return NamedNode(f"{base}{kind}/{slug}")


def describe(store, subject: NamedNode, *, limit: int = INCOMING_LIMIT) -> Description:
    """Read what the public graphs say about ``subject``.

    >>> from oscartes_kg.store import open_store
    >>> with open_store() as store:
    ...     _ = store.insert([Quad(NamedNode("https://w3id.org/oscartes/id/event/e"), RDFS_LABEL,
    ...                           Literal("Fête", language="fr"), graphs.DEMO)])
    ...     describe(store, NamedNode("https://w3id.org/oscartes/id/event/e")).label(
    ...         "https://w3id.org/oscartes/id/event/e")
    'Fête'

    :raises NotFound: no public graph says anything about ``subject`` (it may still exist in a
        private graph: that is not told).
    :raises StoreError: the store cannot be read.
    """
    dataset = _dataset(store)
    quads = _outgoing(store, [subject], dataset)
    if not quads:
        raise NotFound(f"aucune ressource publique <{subject.value}> / no public resource "
                       f"<{subject.value}>", entity=subject.value, rule="public")
    owned = _owned(store, quads, dataset)
    incoming = _incoming(store, subject, dataset, limit)
    terms = {subject.value}
    for quad in (*quads, *owned):
        terms.add(quad.predicate.value)
        if isinstance(quad.object, NamedNode):
            terms.add(quad.object.value)
    for group in incoming:
        terms.add(group.predicate.value)
        terms.update(s.value for s in group.subjects)
    return Description(subject, tuple(quads), tuple(owned), tuple(incoming),
                       label_map(store, terms, dataset))


def _dataset(store) -> dict:
    """Query options naming the public graphs (their union when nothing is private)."""
    every = store.graphs()
    return query_scope.scope(graphs.public(every), every).query_options()


def _outgoing(store, subjects: Iterable[NamedNode], dataset: dict) -> list[Quad]:
    """The public quads of ``subjects``, with their graphs."""
    quads = []
    for subject in subjects:
        text = f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {sparql_term(subject)} ?p ?o }} }}"
        quads.extend(Quad(subject, row["p"], row["o"], row["g"])
                     for row in store.query(text, **dataset))
    return quads


def _owned(store, quads: list[Quad], dataset: dict) -> list[Quad]:
    """Quads of the records the resource owns, two levels deep (review, then its verdicts)."""
    found: list[Quad] = []
    frontier = quads
    for _ in range(2):
        targets = list(dict.fromkeys(q.object for q in frontier
                                     if q.predicate in OWNED and isinstance(q.object, NamedNode)))
        frontier = _outgoing(store, targets, dataset)
        found.extend(frontier)
    return found


def _incoming(store, subject: NamedNode, dataset: dict, limit: int) -> list[Incoming]:
    """Who points at ``subject``, per property: a count and the first ``limit`` subjects."""
    target = sparql_term(subject)
    # The default graph (the public graphs' union) counts each subject once; no FILTER: at
    # 100k organisations FILTER(isIRI) made a theme's count 45 ms instead of 6 ms.
    counts = store.query(f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {target} }} "
                         "GROUP BY ?p", **dataset)
    groups = []
    for row in counts:
        predicate = row["p"]
        if predicate in HIDDEN_INCOMING or predicate == RDF_TYPE:
            continue
        first = store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s {sparql_term(predicate)} "
                            f"{target} }} FILTER(isIRI(?s)) }} LIMIT {int(limit)}", **dataset)
        groups.append(Incoming(predicate, int(row["n"].value), tuple(r["s"] for r in first)))
    return sorted(groups, key=lambda g: g.predicate.value)


def label_map(store, iris: Iterable[str], dataset: dict | None = None) -> dict[str, dict[str, str]]:
    """``rdfs:label`` or ``skos:prefLabel`` of each IRI, by language tag ("" when untagged)."""
    iris = sorted(set(iris))
    if not iris:
        return {}
    dataset = dataset if dataset is not None else _dataset(store)
    values = " ".join(sparql_term(NamedNode(i)) for i in iris)
    # A property path, not VALUES ?p: with ?p a variable Oxigraph scanned every label (1 s at
    # 100k organisations, against 1 ms for the path).
    text = (f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} "
            f"?x {sparql_term(RDFS_LABEL)}|{sparql_term(SKOS_PREF)} ?l FILTER(isLiteral(?l)) }}")
    labels: dict[str, dict[str, str]] = {}
    for row in store.query(text, **dataset):
        labels.setdefault(row["x"].value, {}).setdefault(row["l"].language or "", row["l"].value)
    return labels
