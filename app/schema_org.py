"""schema.org JSON-LD for search engines, from one description: the type, name, description,
dates, organiser, place and links that search engines read.

The template embeds it with Jinja's ``tojson`` filter, which escapes ``<``, ``>``, ``&`` and
``'`` as ``\\u`` sequences: a label holding ``</script>`` cannot end the script element.
"""
from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from oscartes_kg.describe import Description

__all__ = ["json_ld"]

OSC = "https://w3id.org/oscartes/ns#"
SCHEMA = "http://schema.org/"
DESCRIPTION = "http://purl.org/dc/terms/description"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"

#: OSCARTES class -> schema.org type (the vocabulary's own rdfs:subClassOf alignment).
_TYPES = {
    "Organisation": "Organization", "Association": "Organization", "Cooperative": "Organization",
    "SocialEconomyEnterprise": "Organization", "LocalAuthority": "GovernmentOrganization",
    "PublicBody": "GovernmentOrganization", "Company": "Organization",
    "InformalCollective": "Organization", "PoliticalParty": "Organization",
    "ReligiousInstitution": "Organization", "SteeringCommittee": "Organization",
    "WorkingGroup": "Organization", "Person": "Person", "Initiative": "Project",
    "Commons": "CreativeWork", "KnowledgeResource": "CreativeWork", "Guide": "CreativeWork",
    "MethodSheet": "CreativeWork", "Training": "Course", "Event": "Event",
    "CallForProjects": "Grant", "Need": "Demand", "Offer": "Offer", "Charter": "CreativeWork",
    "Territory": "AdministrativeArea", "Commune": "City", "EPCI": "AdministrativeArea",
    "Departement": "AdministrativeArea", "Region": "AdministrativeArea",
}
#: schema.org properties copied as they are (the data use schema: for these).
_COPIED = ("startDate", "endDate", "validFrom", "validThrough")
_LINKED = {SCHEMA + "organizer": "organizer", SCHEMA + "funder": "funder",
           OSC + "carriedBy": "sponsor", "http://purl.org/dc/terms/creator": "creator",
           "http://www.w3.org/ns/org#memberOf": "memberOf", OSC + "postedBy": "offeredBy"}


def json_ld(d: Description, *, title: str, url: str, lang: str, name_of) -> dict:
    """A schema.org object for the page at ``url`` (``name_of(iri)`` names linked resources)."""
    types = [t.value for t in d.types()]
    kind = next((_TYPES[t[len(OSC):]] for t in types if t[len(OSC):] in _TYPES), None)
    if kind is None:
        kind = "DefinedTerm" if SKOS_CONCEPT in types else "Thing"
    data: dict = {"@context": "https://schema.org", "@type": kind, "@id": d.subject.value,
                  "name": title, "url": url, "inLanguage": lang}
    descriptions = [v for v in d.values(NamedNode(DESCRIPTION)) if isinstance(v, Literal)]
    chosen = [v for v in descriptions if v.language == lang] or descriptions
    if chosen:
        data["description"] = chosen[0].value
    for name in _COPIED:
        values = d.values(NamedNode(SCHEMA + name))
        if values:
            data[name] = values[0].value
    for predicate, name in _LINKED.items():
        linked = [v for v in d.values(NamedNode(predicate)) if isinstance(v, NamedNode)]
        if linked:
            data[name] = [{"@id": v.value, "name": name_of(v.value)} for v in linked]
    websites = [v.value for v in d.values(NamedNode(SCHEMA + "url"))]
    same_as = [v.value for v in d.values(NamedNode("http://www.w3.org/2002/07/owl#sameAs"))]
    if websites or same_as:
        data["sameAs"] = websites + same_as
    coordinates = [d.values(NamedNode(GEO + p)) for p in ("lat", "long")]
    if all(coordinates):
        data["geo"] = {"@type": "GeoCoordinates", "latitude": coordinates[0][0].value,
                       "longitude": coordinates[1][0].value}
    communes = [v for v in d.values(NamedNode(OSC + "commune")) if isinstance(v, NamedNode)]
    if communes:
        place = {"@type": "Place", "name": name_of(communes[0].value), "@id": communes[0].value}
        data["location" if kind in ("Event", "Demand", "Offer") else "areaServed"] = place
    return data
