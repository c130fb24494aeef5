"""The vocabulary and the thesauri as documentation: classes with their properties, properties
with domain and range, named individuals, labelled external terms, and SKOS trees.

Built from the triples of the ontology and thesauri graphs (small: about 1,800 triples), in
the page's language with French as the fallback. Pure functions over triples: no store here.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from . import terms

__all__ = ["Term", "Vocabulary", "Concept", "Scheme", "vocabulary", "schemes"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
OSC = terms.OSC
_PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                   "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"}


class _Index:
    """Subject -> predicate -> objects, and text in a language."""

    def __init__(self, triples: Iterable, lang: str):
        self.lang = lang
        self.by_subject: dict[str, dict[str, list]] = {}
        for t in triples:
            self.by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(
                t.object)

    def objects(self, subject: str, predicate: str) -> list:
        return self.by_subject.get(subject, {}).get(predicate, [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        return sorted(o.value for o in self.objects(subject, predicate) if isinstance(o, NamedNode))

    def text(self, subject: str, *predicates: str) -> str:
        """A literal in the page's language, else French, else untagged, else any."""
        found = [o for p in predicates for o in self.objects(subject, p) if isinstance(o, Literal)]
        for lang in (self.lang, "fr", None):
            for literal in found:
                if literal.language == lang:
                    return literal.value
        return found[0].value if found else ""

    def label(self, iri: str) -> str:
        return self.text(iri, RDFS + "label", SKOS + "prefLabel") or terms.curie(iri)


@dataclass(frozen=True)
class Ref:
    """A link to a term: its name, and its anchor on this page or its address elsewhere."""

    text: str
    href: str
    curie: str


@dataclass
class Term:
    """One class, property or individual of the documentation."""

    iri: str
    anchor: str
    curie: str
    label: str
    comment: str = ""
    kinds: list[str] = field(default_factory=list)
    parents: list[Ref] = field(default_factory=list)       # subClassOf / subPropertyOf
    domains: list[Ref] = field(default_factory=list)
    ranges: list[Ref] = field(default_factory=list)
    properties: list[Ref] = field(default_factory=list)    # for a class: properties with it as domain
    used_by: list[Ref] = field(default_factory=list)       # for a class: properties with it as range
    instances: list[Ref] = field(default_factory=list)     # for a class: named individuals
    matches: list[Ref] = field(default_factory=list)       # skos:closeMatch / exactMatch


@dataclass
class Vocabulary:
    """What ``/ontology`` shows."""

    title: str
    description: str
    version: str
    classes: list[Term]
    properties: list[Term]
    individuals: list[Term]
    external: list[Term]


def _ref(index: _Index, iri: str) -> Ref:
    """A link to a term: an anchor on /ontology when it is documented here, else its IRI."""
    documented = iri.startswith(OSC) or bool(index.objects(iri, RDFS + "label"))
    href = terms.ontology_href(iri) if documented else (iri if terms.is_web_url(iri) else "")
    return Ref(index.label(iri) if documented else terms.curie(iri), href, terms.curie(iri))


def vocabulary(triples: Iterable, lang: str) -> Vocabulary:
    """Arrange the ontology graph's triples into classes, properties, individuals, external terms."""
    index = _Index(triples, lang)
    types = {s: {t.value for t in p.get(RDF_TYPE, []) if isinstance(t, NamedNode)}
             for s, p in index.by_subject.items()}
    own = sorted(s for s in types if s.startswith(OSC) and len(s) > len(OSC))

    def term(iri: str) -> Term:
        return Term(iri, terms.anchor(iri), terms.curie(iri), index.label(iri),
                    index.text(iri, RDFS + "comment"),
                    matches=[_ref(index, m) for p in ("closeMatch", "exactMatch")
                             for m in index.iris(iri, SKOS + p)])

    classes = {i: term(i) for i in own if OWL + "Class" in types[i]}
    properties = {i: term(i) for i in own if types[i] & _PROPERTY_TYPES}
    individuals = {i: term(i) for i in own if OWL + "NamedIndividual" in types[i]}
    for iri, item in classes.items():
        item.parents = [_ref(index, p) for p in index.iris(iri, RDFS + "subClassOf")]
    for iri, item in properties.items():
        item.kinds = sorted(terms.curie(t) for t in types[iri] if t.startswith(OWL))
        item.parents = [_ref(index, p) for p in index.iris(iri, RDFS + "subPropertyOf")]
        item.domains = [_ref(index, d) for d in index.iris(iri, RDFS + "domain")]
        item.ranges = [_ref(index, r) for r in index.iris(iri, RDFS + "range")]
        for domain in index.iris(iri, RDFS + "domain"):
            if domain in classes:
                classes[domain].properties.append(_ref(index, iri))
        for range_ in index.iris(iri, RDFS + "range"):
            if range_ in classes:
                classes[range_].used_by.append(_ref(index, iri))
    for iri, item in individuals.items():
        item.kinds = [terms.curie(t) for t in sorted(types[iri] - {OWL + "NamedIndividual"})]
        for kind in types[iri]:
            if kind in classes:
                classes[kind].instances.append(_ref(index, iri))
    external = [term(s) for s in sorted(index.by_subject) if not s.startswith(OSC)
                and index.objects(s, RDFS + "label") and s not in (OSC.rstrip("#"),)
                and not s.startswith(OSC.rstrip("#"))]
    by_label = lambda items: sorted(items, key=lambda t: t.label.lower())  # noqa: E731
    ontology = OSC.rstrip("#")
    return Vocabulary(
        title=index.text(ontology, DCTERMS + "title") or "OSCARTES",
        description=index.text(ontology, DCTERMS + "description"),
        version=index.text(ontology, OWL + "versionInfo"),
        classes=by_label(classes.values()), properties=by_label(properties.values()),
        individuals=by_label(individuals.values()), external=by_label(external))


@dataclass
class Concept:
    """A concept and its narrower concepts, for nested lists."""

    iri: str
    label: str
    href: str
    definition: str
    narrower: list[Concept] = field(default_factory=list)


@dataclass
class Scheme:
    """A SKOS concept scheme as a tree."""

    iri: str
    anchor: str
    label: str
    description: str
    href: str
    top: list[Concept]
    size: int


def schemes(triples: Iterable, lang: str, base: str) -> list[Scheme]:
    """The thesauri graph's concept schemes as trees following ``skos:broader``."""
    index = _Index(triples, lang)
    found = sorted(s for s, p in index.by_subject.items()
                   if any(t.value == SKOS + "ConceptScheme" for t in p.get(RDF_TYPE, [])))
    children: dict[str, list[str]] = {}
    for subject in index.by_subject:
        for parent in index.iris(subject, SKOS + "broader"):
            children.setdefault(parent, []).append(subject)

    def concept(iri: str, seen: frozenset) -> Concept:
        below = sorted((c for c in children.get(iri, []) if c not in seen),
                       key=lambda c: index.label(c).lower())
        return Concept(iri, index.label(iri), terms.href(iri, base) or "",
                       index.text(iri, SKOS + "definition"),
                       [concept(c, seen | {iri}) for c in below])

    result = []
    for scheme in found:
        members = [s for s in index.by_subject if scheme in index.iris(s, SKOS + "inScheme")]
        tops = set(index.iris(scheme, SKOS + "hasTopConcept")) | {
            s for s in members if scheme in index.iris(s, SKOS + "topConceptOf")}
        tops |= {s for s in members if not index.iris(s, SKOS + "broader")}
        result.append(Scheme(scheme, "scheme-" + terms.readable(scheme).replace(" ", "-"),
                             index.label(scheme), index.text(scheme, DCTERMS + "description"),
                             terms.href(scheme, base) or "",
                             [concept(t, frozenset()) for t in sorted(tops, key=lambda t: index.label(t).lower())],
                             len(members)))
    return sorted(result, key=lambda s: s.label.lower())
