"""What matching and the competence directory read, in memory: the competence hierarchy, the
communes' centres, the open needs and offers by competence, and who holds each competence.

At 100,000 organisations ``?x osc:competence <c>`` finds ~5,000 subjects per competence, nearly
all organisations: telling the offers among them apart costs a lookup each, 0.6-1.5 s for one
need's competences (bench/RESULTS.md, "issue 7 — matching"). So the four named queries
``competence_scheme``, ``matching_places``, ``matching_postings`` and
``matching_holders`` are read once per data version (:mod:`oscartes_kg.versioned`: every write
path stamps a new version) and kept here, indexed by competence; a match then costs a few
dictionary lookups and the distances of its candidates. Only public graphs are read.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from . import queries, versioned

__all__ = ["Place", "Posting", "Holder", "Thesaurus", "Index", "index", "posting", "read_postings",
           "OPEN", "NEED", "OFFER"]

OSC = "https://w3id.org/oscartes/ns#"
OPEN = OSC + "open"
NEED, OFFER = OSC + "Need", OSC + "Offer"


@dataclass(frozen=True)
class Place:
    """Where something is: its commune (IRI and name) and the point used for distances
    (its own coordinates when it has them, else the commune's centre)."""

    commune: str | None
    commune_label: str | None
    lat: float | None
    long: float | None
    own: bool = False  # the entity's own coordinates, not its commune's centre

    @property
    def known(self) -> bool:
        return self.lat is not None and self.long is not None


@dataclass(frozen=True)
class Posting:
    """A need or an offer, as matching reads it."""

    iri: str
    cls: str  # NEED or OFFER
    label: str
    status: str | None  # None: no status given, counts as open
    competences: tuple[str, ...]
    place: Place
    start: dt.date | None
    end: dt.date | None
    poster: str | None

    @property
    def kind(self) -> str:
        return "need" if self.cls == NEED else "offer"


@dataclass(frozen=True)
class Holder:
    """An organisation, or a person with consent, that declares competences."""

    iri: str
    label: str
    person: bool
    place: Place
    competences: tuple[str, ...] = ()


@dataclass
class Thesaurus:
    """The competences scheme: labels, ``skos:broader`` links, and depth for counting steps."""

    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # iri -> (fr, en)
    broader: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    narrower: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def label(self, iri: str, lang: str = "fr") -> str:
        fr, en = self.labels.get(iri, (None, None))
        return (en if lang == "en" else fr) or fr or en or iri.rsplit("/", 1)[-1]

    def ancestors(self, iri: str) -> dict[str, int]:
        """Every broader concept with its distance in ``skos:broader`` steps (cycle-safe)."""
        found, frontier, steps = {}, {iri}, 0
        while frontier:
            steps += 1
            frontier = {b for c in frontier for b in self.broader.get(c, ()) if b not in found and b != iri}
            found.update({b: steps for b in frontier})
        return found

    def descendants(self, iri: str) -> dict[str, int]:
        """Every narrower concept with its distance in steps."""
        found, frontier, steps = {}, {iri}, 0
        while frontier:
            steps += 1
            frontier = {n for c in frontier for n in self.narrower.get(c, ()) if n not in found and n != iri}
            found.update({n: steps for n in frontier})
        return found

    def related(self, iri: str) -> dict[str, int]:
        """The concept itself (0 steps), its broader and its narrower ones, with their steps;
        signed: negative for broader ones, positive for narrower ones."""
        out = {iri: 0}
        out.update({b: -s for b, s in self.ancestors(iri).items()})
        out.update(self.descendants(iri))
        return out

    def tops(self) -> list[str]:
        return sorted((c for c in self.labels if not self.broader.get(c)), key=self.label)


@dataclass
class Index:
    """Open postings and holders by competence, communes by IRI, the thesaurus."""

    thesaurus: Thesaurus
    places: dict[str, Place]
    postings: dict[str, dict[str, list[Posting]]]  # cls -> competence -> postings
    holders: dict[str, list[Holder]]  # competence -> holders


def _value(term):
    return None if term is None else term.value


def _float(term) -> float | None:
    try:
        return float(term.value) if term is not None else None
    except ValueError:
        return None


def _date(term) -> dt.date | None:
    """An ``xsd:date`` (or the date part of a dateTime); None when absent or unreadable."""
    try:
        return dt.date.fromisoformat(term.value[:10]) if term is not None else None
    except ValueError:
        return None


def _place(row, places: dict[str, Place]) -> Place:
    commune = _value(row["commune"])
    centre = places.get(commune) if commune else None
    lat, long = _float(row["lat"]), _float(row["long"])
    if lat is not None and long is not None:
        return Place(commune, centre.commune_label if centre else None, lat, long, own=True)
    return centre or Place(commune, None, None, None)


def read_places(store) -> dict[str, Place]:
    """Communes and their centres."""
    places = {}
    for row in queries.get("matching_places").run(store):
        iri = row["commune"].value
        lat, long = _float(row["lat"]), _float(row["long"])
        if iri not in places or places[iri].lat is None:
            places[iri] = Place(iri, _value(row["label"]), lat, long)
    return places


def read_thesaurus(store) -> Thesaurus:
    """The competences scheme from ``competence_scheme``."""
    thesaurus = Thesaurus()
    for row in queries.get("competence_scheme").run(store):
        iri = row["competence"].value
        fr, en = thesaurus.labels.get(iri, (None, None))
        thesaurus.labels[iri] = (fr or _value(row["labelFr"]), en or _value(row["labelEn"]))
        if row["broader"] is not None:
            thesaurus.broader[iri].add(row["broader"].value)
            thesaurus.narrower[row["broader"].value].add(iri)
    return thesaurus


def read_postings(store, places: dict[str, Place], **values: str) -> list[Posting]:
    """Needs and offers from ``matching_postings`` (every one, or ``posting=`` one IRI)."""
    rows: dict[str, dict] = {}
    for row in queries.get("matching_postings").run(store, values):
        iri = row["posting"].value
        seen = rows.setdefault(iri, {"row": row, "competences": []})
        if row["competence"] is not None and row["competence"].value not in seen["competences"]:
            seen["competences"].append(row["competence"].value)
    return [Posting(iri, r["row"]["class"].value, _value(r["row"]["label"]) or iri.rsplit("/", 1)[-1],
                    _value(r["row"]["status"]), tuple(r["competences"]), _place(r["row"], places),
                    _date(r["row"]["from"]), _date(r["row"]["through"]), _value(r["row"]["poster"]))
            for iri, r in rows.items()]


def read_holders(store, places: dict[str, Place]) -> dict[str, list[Holder]]:
    """Holders by competence from ``matching_holders`` (one :class:`Holder` per actor)."""
    by_iri: dict[str, Holder] = {}
    competences: dict[str, list[str]] = defaultdict(list)
    for row in queries.get("matching_holders").run(store):
        iri = row["holder"].value
        if iri not in by_iri:
            by_iri[iri] = Holder(iri, _value(row["label"]) or iri.rsplit("/", 1)[-1],
                                 row["person"] is not None, _place(row, places))
        if row["competence"].value not in competences[iri]:
            competences[iri].append(row["competence"].value)
    out: dict[str, list[Holder]] = defaultdict(list)
    for iri, holder in by_iri.items():
        holder = Holder(holder.iri, holder.label, holder.person, holder.place, tuple(competences[iri]))
        for competence in holder.competences:
            out[competence].append(holder)
    return out


def build(store) -> Index:
    """Read everything the index holds (seconds at 100,000 organisations)."""
    places = read_places(store)
    postings: dict[str, dict[str, list[Posting]]] = {NEED: defaultdict(list), OFFER: defaultdict(list)}
    for item in read_postings(store, places):
        if item.status not in (OPEN, None):
            continue
        for competence in item.competences:
            postings[item.cls][competence].append(item)
    return Index(read_thesaurus(store), places, postings, read_holders(store, places))


def index(store) -> Index:
    """The index for the store's current data version (built on first use after a write)."""
    return versioned.cached(store, "matching_index", lambda: build(store))


def posting(store, iri: str) -> Posting | None:
    """One need or offer read from the store now (any status), or None if no public one."""
    found = read_postings(store, index(store).places, posting=iri)
    return found[0] if found else None


def haversine_km(a: Place, b: Place) -> float:
    """Great-circle distance in km between two known places (mean Earth radius 6,371 km).

    >>> round(haversine_km(Place(None, None, 48.728, 2.275), Place(None, None, 48.681, 2.186)), 1)
    8.4
    """
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlong = lat2 - lat1, math.radians(b.long - a.long)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlong / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
