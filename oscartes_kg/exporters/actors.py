"""The public actors, read once for every export format: public graphs only, never private ones.

Quads are read by subject (``Store.outgoing``) and kept only when their graph is public
(``graphs.is_public``): a private e-mail or an unpublished proposal cannot leak into an export.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import entry_classes, graphs
from ..namespaces import PREFIXES

__all__ = ["Actor", "public_actors", "ACTOR_CLASS"]

RDF, RDFS, OSC = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["osc"]
SCHEMA, GEO, DCT, OWL = PREFIXES["schema"], PREFIXES["geo"], PREFIXES["dcterms"], PREFIXES["owl"]
SKOS = PREFIXES["skos"]
ACTOR_CLASS = ox.NamedNode(OSC + "Actor")
TYPE = ox.NamedNode(RDF + "type")


@dataclass
class Actor:
    """What the export formats say about one actor (labels already resolved)."""

    iri: str
    kind: str                                   # organisation | person (from the IRI)
    types: list = field(default_factory=list)   # class IRIs
    label: str = ""
    description: str = ""
    url: str = ""
    email: str = ""
    telephone: str = ""
    lat: str = ""
    long: str = ""
    themes: list = field(default_factory=list)  # (IRI, French label)
    commune: tuple = ()                         # (IRI, label, INSEE code)
    address: dict = field(default_factory=dict)  # schema.org PostalAddress fields
    same_as: list = field(default_factory=list)
    siren: str = ""
    rna: str = ""

    @property
    def is_person(self) -> bool:
        return self.kind == "person"


def _actor_classes(store) -> list[ox.NamedNode]:
    """osc:Actor and its sub-classes (from the ontology graph), closure included."""
    return [ox.NamedNode(iri) for iri in sorted(entry_classes.family(store, ACTOR_CLASS.value))]


def _public(quads) -> list:
    return [q for q in quads if isinstance(q.graph_name, ox.NamedNode) and graphs.is_public(q.graph_name)]


def _first(values: dict, iri: str) -> str:
    found = values.get(iri) or []
    return found[0].value if found else ""


def _french(terms: list) -> str:
    """The French (else plain, else any) value of a literal property."""
    by_lang = {getattr(t, "language", None) or "": t.value for t in terms if isinstance(t, ox.Literal)}
    return by_lang.get("fr") or by_lang.get("") or next(iter(by_lang.values()), "")


def public_actors(store) -> list[Actor]:
    """Every actor typed in a public graph, with its public facts, sorted by IRI."""
    iris = sorted({q.subject for cls in _actor_classes(store)
                   for q in _public(store.quads(None, TYPE, cls, None))
                   if isinstance(q.subject, ox.NamedNode)}, key=lambda n: n.value)
    values: dict = defaultdict(lambda: defaultdict(list))
    subjects = iris + [ox.NamedNode(i.value + "#address") for i in iris]
    for quad in _public(store.outgoing(subjects)):
        values[quad.subject.value][quad.predicate.value].append(quad.object)
    linked = {o for i in iris for p in (OSC + "theme", OSC + "commune") for o in values[i.value][p]}
    names = defaultdict(list)
    for quad in _public(store.outgoing(sorted(linked, key=lambda n: n.value))):
        if quad.predicate.value in (SKOS + "prefLabel", RDFS + "label", OSC + "inseeCode"):
            names[(quad.subject.value, quad.predicate.value)].append(quad.object)
    return [_actor(iri.value, values, names) for iri in iris]


def _actor(iri: str, values, names) -> Actor:
    own = values[iri]
    address = values.get(iri + "#address", {})
    themes = [(t.value, _french(names[(t.value, SKOS + "prefLabel")]) or t.value)
              for t in own[OSC + "theme"]]
    communes = [(c.value, _french(names[(c.value, RDFS + "label")]),
                 _first({"x": names[(c.value, OSC + "inseeCode")]}, "x")) for c in own[OSC + "commune"]]
    kind = iri.split("/id/", 1)[-1].split("/", 1)[0]
    return Actor(
        iri=iri, kind=kind, types=sorted(t.value for t in own[RDF + "type"]),
        label=_french(own[RDFS + "label"]), description=_french(own[DCT + "description"]),
        url=_first(own, SCHEMA + "url"), email=_first(own, SCHEMA + "email"),
        telephone=_first(own, SCHEMA + "telephone"), lat=_first(own, GEO + "lat"),
        long=_first(own, GEO + "long"), themes=sorted(themes), commune=communes[0] if communes else (),
        address={key: _first(address, SCHEMA + key) for key in
                 ("streetAddress", "postalCode", "addressLocality", "addressCountry")
                 if _first(address, SCHEMA + key)},
        same_as=sorted(s.value for s in own[OWL + "sameAs"]), siren=_first(own, OSC + "siren"),
        rna=_first(own, OSC + "rna"))
