"""GeoJSON (RFC 7946): one Feature per public actor, coordinates as [longitude, latitude].

Actors without coordinates keep their Feature with a null geometry (RFC 7946 section 3.2), so
the export lists every actor.
"""
from __future__ import annotations

import json

__all__ = ["serialize", "MEDIA_TYPE"]

MEDIA_TYPE = "application/geo+json"


def feature(actor) -> dict:
    geometry = None
    if actor.lat and actor.long:  # RFC 7946 section 3.1.1: longitude first, then latitude
        geometry = {"type": "Point", "coordinates": [float(actor.long), float(actor.lat)]}
    properties = {"id": actor.iri, "name": actor.label, "kind": actor.kind,
                  "description": actor.description or None, "website": actor.url or None,
                  "email": actor.email or None, "telephone": actor.telephone or None,
                  "themes": [label for _iri, label in actor.themes],
                  "theme_iris": [iri for iri, _label in actor.themes],
                  "commune": actor.commune[1] if actor.commune else None,
                  "insee": actor.commune[2] if actor.commune else None,
                  "sameAs": actor.same_as}
    return {"type": "Feature", "id": actor.iri, "geometry": geometry, "properties": properties}


def serialize(actors) -> bytes:
    collection = {"type": "FeatureCollection", "features": [feature(a) for a in actors]}
    return json.dumps(collection, ensure_ascii=False, indent=1).encode()
