"""What matching and the competence directory read, in memory: the competence hierarchy, the
communes' centres, the open needs and offers by competence, and who holds each competence.

At 100,000 organisations ``?x osc:competence <c>`` finds ~5,000 subjects per competence, nearly
all organisations: telling the offers among them apart costs a lookup each, 0.2-0.7 s for one
need's competences (bench/RESULTS.md, "issue 7 — matching"). So the few properties matching
needs are read once per data version (:mod:`oscartes_kg.versioned`: every write path stamps a
new version), one scan per property with the named query ``property_values`` (a single pattern
costs ~10 µs a row; joins or ``LATERAL`` per row cost 5-20 times more), joined here, and kept
indexed by competence; a match then costs a few dictionary lookups and the distances of its
candidates. Labels are read for the shown results only (:func:`names`). Only public graphs
are read.
"""
from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import describe, dumps, queries, versioned

__all__ = ["Place", "Posting", "Holder", "Thesaurus", "Index", "index", "posting", "build", "pairs",
           "haversine_km", "names", "label_of", "SYNC_BUILD_SECONDS", "OPEN", "NEED", "OFFER"]

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
    derived: dict = field(default_factory=dict)  # values computed from this index (directory tree)


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


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SCHEMA = "http://schema.org/"


def pairs(store, prop: str, value: str | None = None) -> list[tuple[str, object]]:
    """(subject IRI, value term) of one property in the public graphs (``property_values``)."""
    given = {"property": prop} | ({"value": value} if value else {})
    return [(row["subject"].value, row["value"]) for row in queries.get("property_values").run(store, given)
            if hasattr(row["subject"], "value")]


def subjects(store, cls: str) -> set[str]:
    """The subjects typed ``cls``."""
    return {s for s, _ in pairs(store, RDF_TYPE, cls)}


def grouped(rows: list[tuple[str, object]]) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for subject, value in rows:
        out[subject].append(value)
    return out


def label_of(names: dict[str, str], lang: str = "fr") -> str | None:
    """A label from ``describe.label_map``'s {language: text}: the asked language, else French,
    else untagged, else any."""
    return names.get(lang) or names.get("fr") or names.get("") or next(iter(names.values()), None)


def names(store, iris) -> dict[str, dict[str, str]]:
    """Labels of the IRIs shown (one query), by language."""
    return describe.label_map(store, iris)


class _Places:
    """Where each subject is: its own coordinates, else its commune's centre."""

    def __init__(self, store):
        self.lat = {s: _float(v) for s, v in pairs(store, GEO + "lat")}
        self.long = {s: _float(v) for s, v in pairs(store, GEO + "long")}
        self.commune = {s: v.value for s, v in pairs(store, OSC + "commune") if isinstance(v, ox.NamedNode)}
        communes = subjects(store, OSC + "Commune")
        names = describe.label_map(store, communes)
        self.centres = {c: Place(c, label_of(names.get(c, {})), self.lat.get(c), self.long.get(c))
                        for c in communes}

    def of(self, iri: str) -> Place:
        commune = self.commune.get(iri)
        centre = self.centres.get(commune) if commune else None
        lat, long = self.lat.get(iri), self.long.get(iri)
        if lat is not None and long is not None:
            return Place(commune, centre.commune_label if centre else None, lat, long, own=True)
        return centre or Place(commune, None, None, None)


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


def _iris(values: list) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.value for v in values if isinstance(v, ox.NamedNode)))


def _first_date(values: list) -> dt.date | None:
    return min((d for d in map(_date, values) if d), default=None)


def read_all_postings(store, places: _Places, competences: dict[str, list]) -> list[Posting]:
    """Every public need and offer, from one scan per property."""
    status, start, end, poster = (grouped(pairs(store, p)) for p in (
        OSC + "needOfferStatus", SCHEMA + "validFrom", SCHEMA + "validThrough", OSC + "postedBy"))
    out = []
    for cls in (NEED, OFFER):
        for iri in subjects(store, cls):
            out.append(Posting(iri, cls, "", (_iris(status.get(iri, [])) or (None,))[0],
                               _iris(competences.get(iri, [])), places.of(iri),
                               _first_date(start.get(iri, [])), _first_date(end.get(iri, [])),
                               (_iris(poster.get(iri, [])) or (None,))[0]))
    return out


def read_holders(store, places: _Places, competences: dict[str, list], postings: set[str]) -> dict[str, list[Holder]]:
    """Holders by competence: every subject with ``osc:competence`` but needs and offers; a
    person only with a consent that has not been withdrawn (GDPR art. 6(1)(a) and 7(3))."""
    persons = subjects(store, OSC + "Person")
    consents = grouped(pairs(store, OSC + "consent"))
    withdrawn = {s for s, _ in pairs(store, OSC + "consentWithdrawn")}
    out: dict[str, list[Holder]] = defaultdict(list)
    for iri, values in competences.items():
        if iri in postings:
            continue
        person = iri in persons
        if person and not any(c.value not in withdrawn for c in consents.get(iri, [])
                              if isinstance(c, ox.NamedNode)):
            continue
        holder = Holder(iri, "", person, places.of(iri), _iris(values))
        for competence in holder.competences:
            out[competence].append(holder)
    return out


def build(store) -> Index:
    """Read everything the index holds: one scan per property (seconds at 100,000 organisations)."""
    places = _Places(store)
    competences = grouped(pairs(store, OSC + "competence"))
    every = read_all_postings(store, places, competences)
    postings: dict[str, dict[str, list[Posting]]] = {NEED: defaultdict(list), OFFER: defaultdict(list)}
    for item in every:
        if item.status in (OPEN, None):  # no status: open (the contribution form does not ask)
            for competence in item.competences:
                postings[item.cls][competence].append(item)
    holders = read_holders(store, places, competences, {p.iri for p in every})
    return Index(read_thesaurus(store), places.centres, postings, holders)


#: A build that took longer than this (seconds) is redone in the background after a write:
#: meanwhile pages answer from the previous data version, rather than wait (at 100,000
#: organisations a build takes seconds, bench/RESULTS.md). Quicker builds are redone at once.
SYNC_BUILD_SECONDS = 1.0
#: Stores whose index is kept (tests open many; a server one).
MAX_STORES = 8


@dataclass
class _Kept:
    version: str
    index: Index
    seconds: float
    building: str | None = None  # the version a background build is making


_kept: dict[object, _Kept] = {}
_lock = threading.Lock()
_first_builds: dict[object, threading.Lock] = {}  # one first build per store at a time


def _identity(store) -> object:
    return getattr(store, "path", None) or getattr(store, "query_url", None) or id(store)


def _version(store) -> str:
    """The data version: the embedded store's change stamp (every write path stamps it), or a
    time bucket for a remote store (:mod:`oscartes_kg.versioned`)."""
    if getattr(store, "path", None) is not None:
        return dumps.open_cache(store).version()
    return str(int(time.time() // versioned.REMOTE_MAX_AGE))


def _build_for(store, key, version: str) -> Index:
    began = time.perf_counter()
    built = build(store)
    with _lock:
        kept = _kept.get(key)
        if kept is None or kept.version != version:
            _kept[key] = _Kept(version, built, time.perf_counter() - began)
            while len(_kept) > MAX_STORES:
                del _kept[next(iter(_kept))]
    return built


def index(store) -> Index:
    """The index for the store's current data version: built on first use; after a write,
    built again at once if that is quick, else in the background (``SYNC_BUILD_SECONDS``)."""
    key, version = _identity(store), _version(store)
    with _lock:
        kept = _kept.get(key)
        if kept is not None and kept.version == version:
            return kept.index
        if kept is not None and kept.seconds > SYNC_BUILD_SECONDS:
            if kept.building != version:
                kept.building = version
                threading.Thread(target=_build_for, args=(store, key, version), daemon=True,
                                 name="matching-index").start()
            return kept.index
        building = _first_builds.setdefault(key, threading.Lock())
    with building:  # serve's warm-up and a first page may ask at once: build only once
        with _lock:
            kept = _kept.get(key)
            if kept is not None and kept.version == version:
                return kept.index
        return _build_for(store, key, version)


def posting(store, iri: str) -> Posting | None:
    """One need or offer read from the store now (any status), or None if no public one."""
    rows = list(queries.get("matching_postings").run(store, {"posting": iri}))
    if not rows:
        return None
    first, centres = rows[0], index(store).places
    commune = _value(first["commune"])
    centre = centres.get(commune) if commune else None
    lat, long = _float(first["lat"]), _float(first["long"])
    if lat is not None and long is not None:
        place = Place(commune, centre.commune_label if centre else None, lat, long, own=True)
    else:
        place = centre or Place(commune, None, None, None)
    return Posting(iri, first["class"].value, _value(first["label"]) or "", _value(first["status"]),
                   tuple(dict.fromkeys(r["competence"].value for r in rows if r["competence"] is not None)),
                   place, _date(first["from"]), _date(first["through"]), _value(first["poster"]))


def haversine_km(a: Place, b: Place) -> float:
    """Great-circle distance in km between two known places (mean Earth radius 6,371 km).

    >>> round(haversine_km(Place(None, None, 48.728, 2.275), Place(None, None, 48.681, 2.186)), 1)
    8.4
    """
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlong = lat2 - lat1, math.radians(b.long - a.long)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlong / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
