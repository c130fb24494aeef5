"""Names for incoming links ("members", "events organised", "initiatives carried"...) and where
to see all of them when a page lists only the first few.

A property is named from its subject's side in the vocabulary ("organisé par"); a page about
the object needs the other direction, which the vocabulary does not state. This table gives it
for the properties of the term contract; any other property falls back to its own label.
"""
from __future__ import annotations

from urllib.parse import urlencode

from .i18n import tr

__all__ = ["incoming_label", "more_link"]

OSC = "https://w3id.org/oscartes/ns#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "http://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

_INVERSE = {
    ORG + "memberOf": ("Membres", "Members"),
    ORG + "subOrganizationOf": ("Structures internes", "Units"),
    SCHEMA + "organizer": ("Événements organisés", "Events organised"),
    SCHEMA + "funder": ("Appels à projets financés", "Calls for projects funded"),
    SCHEMA + "areaServed": ("Acteurs qui interviennent ici", "Actors serving this area"),
    OSC + "carriedBy": ("Initiatives portées", "Initiatives carried"),
    OSC + "postedBy": ("Besoins et offres publiés", "Needs and offers posted"),
    OSC + "steward": ("Communs gérés", "Commons stewarded"),
    OSC + "usesResource": ("Initiatives qui utilisent cette ressource", "Initiatives using this resource"),
    OSC + "contributesTo": ("Initiatives qui y contribuent", "Initiatives contributing"),
    OSC + "partnerOf": ("Partenaires", "Partners"),
    OSC + "theme": ("Sur ce thème", "On this theme"),
    OSC + "eligibleTheme": ("Appels à projets sur ce thème", "Calls for projects on this theme"),
    OSC + "competence": ("Avec cette compétence", "With this competence"),
    OSC + "commune": ("Dans cette commune", "In this commune"),
    OSC + "partOf": ("Territoires inclus", "Territories within"),
    OSC + "eligibleTerritory": ("Appels à projets ouverts ici", "Calls for projects open here"),
    OSC + "reviewer": ("Revues de charte menées", "Charter reviews made"),
    OSC + "criterion": ("Cité par", "Cited by"),
    OSC + "needOfferKind": ("Besoins et offres de ce type", "Needs and offers of this kind"),
    OSC + "legalStatus": ("Acteurs de ce statut", "Actors with this status"),
    DCTERMS + "creator": ("Œuvres et ressources créées", "Works created"),
    DCTERMS + "source": ("Cité comme source par", "Cited as a source by"),
    DCTERMS + "spatial": ("Jeux de données sur ce territoire", "Datasets about this area"),
    DCTERMS + "publisher": ("Jeux de données publiés", "Datasets published"),
    SKOS + "broader": ("Concepts plus précis", "Narrower concepts"),
    SKOS + "inScheme": ("Concepts du schéma", "Concepts of the scheme"),
    SKOS + "hasTopConcept": ("Schéma de concepts", "Concept scheme"),
    SKOS + "topConceptOf": ("Concepts de tête", "Top concepts"),
}
#: Incoming properties the search page filters on: the full list is a search.
_SEARCH_FILTERS = {OSC + "theme": "theme", OSC + "commune": "commune",
                   OSC + "competence": "competence"}


def incoming_label(predicate: str, own_label: str) -> str:
    """The name of a group of incoming links through ``predicate``."""
    pair = _INVERSE.get(predicate)
    if pair:
        return tr(*pair)
    return tr(f"Liens « {own_label} » vers cette page", f"Linked here as “{own_label}”")


def more_link(predicate: str, target: str) -> str | None:
    """The search filtered on ``target`` when the search can list these links, else None."""
    name = _SEARCH_FILTERS.get(predicate)
    return f"/search?{urlencode({name: target})}" if name else None
