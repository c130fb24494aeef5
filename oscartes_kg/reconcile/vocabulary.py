"""What the reconciliation service talks about: its types (our kinds of entity), the properties
a query may compare and a data extension may return, and entity ids (``kind/slug``)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalogue.records import KIND_LABELS
from ..errors import UsageError

__all__ = ["Type", "Property", "TYPES", "DEFAULT_TYPES", "QUERY_PROPERTIES", "EXTEND_PROPERTIES",
           "kinds_of", "query_property", "extend_property", "to_iri", "to_id"]

OSC = "https://w3id.org/oscartes/ns#"
SCHEMA = "http://schema.org/"
OWL = "http://www.w3.org/2002/07/owl#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*/[A-Za-z0-9][A-Za-z0-9._~-]*")


@dataclass(frozen=True)
class Type:
    """A reconciliation type: one kind of entity (``/id/<kind>/...``) and its vocabulary class."""

    id: str
    name: str
    name_en: str
    cls: str


@dataclass(frozen=True)
class Property:
    """A property a query compares or a data extension returns; ``iri`` is ours or schema.org's."""

    id: str
    name: str
    name_en: str
    iri: str
    kinds: tuple[str, ...] = ()   # the types it applies to (empty: every type)


_CLASSES = {"organisation": "Organisation", "person": "Person", "initiative": "Initiative",
            "commons": "Commons", "event": "Event", "call": "CallForProjects",
            "resource": "KnowledgeResource", "need": "Need", "offer": "Offer",
            "group": "WorkingGroup", "territory": "Territory", "theme": "Concept",
            "competence": "Concept", "charter": "Charter"}
#: Every kind the catalogue lists is a type (a person only with consent: the catalogue has no other).
TYPES = {kind: Type(kind, *KIND_LABELS[kind], OSC + _CLASSES[kind]) for kind in KIND_LABELS}
TYPES["theme"] = Type("theme", *KIND_LABELS["theme"], "http://www.w3.org/2004/02/skos/core#Concept")
TYPES["competence"] = Type("competence", *KIND_LABELS["competence"],
                           "http://www.w3.org/2004/02/skos/core#Concept")
#: The types OpenRefine proposes first (the actors and what they do).
DEFAULT_TYPES = ("organisation", "initiative", "person", "event", "commons", "resource", "call")

_ACTORS = ("organisation", "person", "initiative", "commons", "group")
QUERY_PROPERTIES = {p.id: p for p in (
    Property("commune", "Commune (nom ou code INSEE ; un EPCI ou un département convient)",
             "Commune (name or INSEE code; an EPCI or département will do)", OSC + "commune"),
    Property("website", "Site web", "Website", SCHEMA + "url"),
    Property("siren", "SIREN (ou SIRET)", "SIREN (or SIRET) number", OSC + "siren", ("organisation",)),
)}
EXTEND_PROPERTIES = {p.id: p for p in (
    Property("label", "Nom", "Name", "http://www.w3.org/2000/01/rdf-schema#label"),
    Property("type", "Type", "Type", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
    Property("description", "Description", "Description", "http://purl.org/dc/terms/description"),
    Property("website", "Site web", "Website", SCHEMA + "url"),
    Property("commune", "Commune", "Commune", OSC + "commune"),
    Property("insee", "Code INSEE de la commune", "INSEE code of the commune", OSC + "inseeCode"),
    Property("siren", "SIREN", "SIREN number", OSC + "siren", ("organisation",)),
    Property("rna", "Numéro RNA", "RNA number", OSC + "rna", ("organisation",)),
    Property("coordinates", "Coordonnées (latitude,longitude)", "Coordinates (latitude,longitude)",
             GEO + "lat_long"),
    Property("themes", "Thèmes", "Themes", OSC + "theme"),
    Property("sameAs", "Même ressource ailleurs (owl:sameAs)", "Same as (owl:sameAs)", OWL + "sameAs",
             _ACTORS),
    Property("url", "Page sur OSCARTES", "Page on OSCARTES", "http://xmlns.com/foaf/0.1/page"),
)}


def _lookup(table: dict, value: str):
    """An entry by its id or by its IRI."""
    if value in table:
        return table[value]
    return next((entry for entry in table.values()
                 if value == getattr(entry, "iri", None) or value == getattr(entry, "cls", None)), None)


def kinds_of(types, where: str) -> tuple[str, ...]:
    """The kinds a query's ``type`` names (a type id or class IRI, or a list of them); every
    kind when absent.

    >>> kinds_of(["organisation", "https://w3id.org/oscartes/ns#Event"], "q0")
    ('organisation', 'event')

    :raises UsageError: an unknown type (named with the query's key).
    """
    if types in (None, "", []):
        return tuple(TYPES)
    found = []
    for value in types if isinstance(types, list) else [types]:
        entry = _lookup(TYPES, value) if isinstance(value, str) else None
        if entry is None:
            raise UsageError(f"{where} : type inconnu « {str(value)[:60]} » (types : {', '.join(TYPES)})"
                             f" / {where}: unknown type", prop="type", rule="reconcile-type")
        found.append(entry.id)
    return tuple(dict.fromkeys(found))


def query_property(pid, where: str) -> Property:
    """The query property ``pid`` (its id or IRI).

    :raises UsageError: a property the service does not compare.
    """
    entry = _lookup(QUERY_PROPERTIES, pid) if isinstance(pid, str) else None
    if entry is None:
        raise UsageError(f"{where} : propriété inconnue « {str(pid)[:60]} » (propriétés : "
                         f"{', '.join(QUERY_PROPERTIES)}) / {where}: unknown property",
                         prop=str(pid)[:60], rule="reconcile-property")
    return entry


def extend_property(pid) -> Property:
    """The extension property ``pid`` (its id or IRI).

    :raises UsageError: a property the service cannot return.
    """
    entry = _lookup(EXTEND_PROPERTIES, pid) if isinstance(pid, str) else None
    if entry is None:
        raise UsageError(f"propriété inconnue « {str(pid)[:60]} » (propriétés : "
                         f"{', '.join(EXTEND_PROPERTIES)}) / unknown property",
                         prop=str(pid)[:60], rule="extend-property")
    return entry


def to_iri(entity_id: str, iri_base: str) -> str | None:
    """The IRI of a reconciliation id (``kind/slug``, or the whole IRI), None if it is neither.

    >>> to_iri("organisation/poles-noe", "https://w3id.org/oscartes/id/")
    'https://w3id.org/oscartes/id/organisation/poles-noe'
    >>> to_iri("../secret", "https://w3id.org/oscartes/id/") is None
    True
    """
    if not isinstance(entity_id, str):
        return None
    rest = entity_id[len(iri_base):] if entity_id.startswith(iri_base) else entity_id
    return iri_base + rest if _ID.fullmatch(rest) else None


def to_id(iri: str, iri_base: str) -> str:
    """The reconciliation id of an IRI: ``kind/slug`` under ``iri_base``, else the IRI itself."""
    return iri[len(iri_base):] if iri.startswith(iri_base) else iri
