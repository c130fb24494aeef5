"""schema.org JSON-LD: an ``@graph`` of Organization and Person nodes under the schema.org
context (by URL, as schema.org publishes it; our own importer maps that URL to a local copy)."""
from __future__ import annotations

import json

__all__ = ["serialize", "MEDIA_TYPE", "node"]

MEDIA_TYPE = "application/ld+json"
CONTEXT = "https://schema.org/"


def node(actor) -> dict:
    item = {"@id": actor.iri, "@type": "Person" if actor.is_person else "Organization",
            "name": actor.label, "description": actor.description, "url": actor.url,
            "email": actor.email, "telephone": actor.telephone,
            "keywords": [label for _iri, label in actor.themes],
            "sameAs": actor.same_as, "identifier": actor.siren or None}
    if actor.lat and actor.long:
        item["geo"] = {"@type": "GeoCoordinates", "latitude": float(actor.lat),
                       "longitude": float(actor.long)}
    address = dict(actor.address)
    if actor.commune and "addressLocality" not in address:
        address["addressLocality"] = actor.commune[1]
    if address:
        item["address"] = {"@type": "PostalAddress", **address}
    return {key: value for key, value in item.items() if value not in ("", [], None)}


def serialize(actors) -> bytes:
    document = {"@context": CONTEXT, "@graph": [node(a) for a in actors]}
    return json.dumps(document, ensure_ascii=False, indent=1).encode()
