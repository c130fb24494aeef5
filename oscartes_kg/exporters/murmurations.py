"""Murmurations organisation profiles (``organizations_schema-v1.0.0``), one per public
organisation, as a JSON array: each item is a profile a Murmurations index can read."""
from __future__ import annotations

import json

__all__ = ["serialize", "MEDIA_TYPE", "profile", "SCHEMA"]

MEDIA_TYPE = "application/json"
SCHEMA = "organizations_schema-v1.0.0"


def profile(actor) -> dict:
    item = {"linked_schemas": [SCHEMA], "name": actor.label,
            "primary_url": actor.url or actor.iri, "description": actor.description,
            "tags": [label for _iri, label in actor.themes],
            "urls": [{"name": "OSCARTES", "url": actor.iri}],
            "telephone": actor.telephone}
    if actor.lat and actor.long:
        item["geolocation"] = {"lat": float(actor.lat), "lon": float(actor.long)}
    parts = [actor.address.get(k, "") for k in ("streetAddress", "postalCode", "addressLocality")]
    if not parts[2] and actor.commune:
        parts[2] = actor.commune[1]
    if any(parts):
        item["full_address"] = " ".join(p for p in parts if p)
    country = actor.address.get("addressCountry") or ("FR" if actor.commune else "")
    if country:
        item["country_iso_3166"] = country
    if actor.email:
        item["contact_details"] = {"email": actor.email}
    return {key: value for key, value in item.items() if value not in ("", [], None)}


def serialize(actors) -> bytes:
    profiles = [profile(a) for a in actors if not a.is_person]
    return json.dumps(profiles, ensure_ascii=False, indent=1).encode()
