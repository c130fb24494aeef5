"""Finding probable duplicates, bounded: each entity is compared only with the candidates the
catalogue's full-text index finds for its name and those sharing one of its exact keys.

Two entities are compared when they come from different sources: an import's own entries do
not duplicate each other (the source keeps them apart by its identifiers). Pairs a curator has
decided (``owl:sameAs``, ``owl:differentFrom``, a merge) are never proposed again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox

from .. import catalogue, graphs
from ..catalogue import index
from ..catalogue.records import kind_of
from ..reconcile import candidates as catalogue_candidates
from . import keys as key_index
from .signals import THRESHOLD, Profile, Reason, compare

__all__ = ["Proposal", "Detector", "DETECTED_KINDS", "SAME_AS", "DIFFERENT_FROM",
           "IS_REPLACED_BY", "RDF_TYPE"]

#: Kinds compared across sources. Persons are not: matching people across sources is profiling
#: (GDPR art. 5(1)(b)); territories and concepts are ours.
DETECTED_KINDS = ("organisation", "initiative", "commons", "event", "call", "resource")
#: Name candidates asked of the catalogue per entity.
NAME_CANDIDATES = 10

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
DIFFERENT_FROM = ox.NamedNode("http://www.w3.org/2002/07/owl#differentFrom")
IS_REPLACED_BY = ox.NamedNode("http://purl.org/dc/terms/isReplacedBy")
LABELS = tuple(ox.NamedNode(i) for i in ("http://www.w3.org/2000/01/rdf-schema#label",
                                         "http://www.w3.org/2004/02/skos/core#prefLabel",
                                         "http://www.w3.org/2004/02/skos/core#altLabel"))
LAT = ox.NamedNode("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
LONG = ox.NamedNode("http://www.w3.org/2003/01/geo/wgs84_pos#long")
COMMUNE = ox.NamedNode("https://w3id.org/oscartes/ns#commune")
DECISIONS = (SAME_AS, DIFFERENT_FROM, IS_REPLACED_BY)


@dataclass(frozen=True)
class Proposal:
    """A probable duplicate: two IRIs (in order), the score and its reasons."""

    a: str
    b: str
    score: float
    reasons: tuple[Reason, ...]

    def reasons_json(self) -> str:
        return json.dumps([r.to_json() for r in self.reasons], ensure_ascii=False)


class Detector:
    """One detection run over ``store``: the catalogue connection and the key index it shares."""

    def __init__(self, store):
        self.store = store
        self.connection = catalogue.open_catalogue(store).reader()
        self.keys = key_index.KeyIndex(store)
        self.public = frozenset(graphs.public(store.graphs()))
        context = json.loads(index.meta(self.connection, "context") or "{}")
        self.centroids = {k: tuple(v) for k, v in context.get("centroids", {}).items()}
        self._sources: dict = {}

    # --- profiles ---------------------------------------------------------------------------

    def sources(self, iri: str) -> frozenset:
        """The public graphs that type ``iri`` (where its description comes from)."""
        if iri not in self._sources:
            self._sources[iri] = frozenset(
                q.graph_name.value for q in self.store.quads(ox.NamedNode(iri), RDF_TYPE, None, None)
                if q.graph_name in self.public)
        return self._sources[iri]

    def profile(self, row) -> Profile:
        """The profile of a catalogue row (``reconcile.candidates.Candidate``)."""
        return Profile(row.iri, row.kind, row.labels, row.lat, row.lon,
                       sources=self.sources(row.iri), **key_index.split(self.keys.of.get(row.iri, set())))

    def entry_profile(self, entry, graph: ox.NamedNode) -> Profile:
        """The profile of an import entry before it is written (its triples, in ``graph``)."""
        iri = entry.iri.value
        labels, found, lat, lon, commune = [], set(), None, None, None
        for triple in entry.triples:
            if triple.subject != entry.iri:
                continue
            p, o = triple.predicate, triple.object
            if p in LABELS and isinstance(o, ox.Literal):
                labels.append(o.value)
            elif p == LAT:
                lat = _number(o.value)
            elif p == LONG:
                lon = _number(o.value)
            elif p == COMMUNE and commune is None:
                commune = o.value
            elif p in (key_index.URL, key_index.SIREN, key_index.RNA, key_index.EMAIL):
                found |= key_index._keys(p, o.value, kind_of(iri))
        if (lat is None or lon is None) and commune in self.centroids:
            lat, lon = self.centroids[commune]
        sources = frozenset({graph.value}) | self.sources(iri)
        return Profile(iri, kind_of(iri) or "", tuple(dict.fromkeys(labels)), lat, lon,
                       sources=sources, **key_index.split(found))

    # --- candidates and pairs ---------------------------------------------------------------

    def proposals(self, profile: Profile, own_keys: set[str] | None = None) -> list[Proposal]:
        """The probable duplicates of ``profile`` among the catalogue's entities."""
        if profile.kind not in DETECTED_KINDS or not profile.labels:
            return []
        rows = []
        for label in profile.labels[:2]:
            rows += catalogue_candidates.by_name(self.connection, label, (profile.kind,),
                                                 NAME_CANDIDATES)
        wanted = own_keys if own_keys is not None else _keys_of(profile)
        by_key = self.keys.candidates(wanted)
        found = catalogue_candidates.load(self.connection, rows=rows, iris=sorted(by_key))
        result = []
        for row in found.values():
            if row.iri == profile.iri or row.kind != profile.kind:
                continue
            other = self.profile(row)
            if not self._across_sources(profile, other) or self.decided(profile.iri, other.iri):
                continue
            score, reasons = compare(profile, other)
            if score >= THRESHOLD:
                a, b = sorted((profile.iri, other.iri))
                result.append(Proposal(a, b, score, tuple(reasons)))
        return result

    def _across_sources(self, a: Profile, b: Profile) -> bool:
        """Whether the pair spans two sources: not two entries of one import graph."""
        shared = a.sources & b.sources
        only_import = all(g.startswith(graphs.BASE + "import/") for g in shared)
        return not (shared and only_import and a.sources == b.sources)

    def decided(self, a: str, b: str) -> bool:
        """Whether a curator already decided about this pair, or one of them was merged away."""
        x, y = ox.NamedNode(a), ox.NamedNode(b)
        for s, o in ((x, y), (y, x)):
            for quad in self.store.quads(s, None, o, None):
                if quad.predicate in DECISIONS and quad.graph_name in self.public:
                    return True
        return any(True for s in (x, y) for _ in self.store.quads(s, IS_REPLACED_BY, None, None))


def _keys_of(profile: Profile) -> set[str]:
    return ({k for s in profile.sites for k in key_index.site_keys(s)}
            | {"siren:" + s for s in profile.sirens} | {"rna:" + s for s in profile.rnas}
            | {"email:" + s for s in profile.domains})


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
