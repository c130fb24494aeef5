"""GoGoCarto-compatible JSON (the ``elements`` export shape), which GoGoCarto maps and our own
``gogocarto`` importer read back: categories are our theme labels, ``categoriesFull`` carries
their IRIs."""
from __future__ import annotations

import json

__all__ = ["serialize", "MEDIA_TYPE", "element"]

MEDIA_TYPE = "application/json"
LICENCE = "https://creativecommons.org/licenses/by-sa/4.0/"


def element(actor) -> dict:
    item = {"id": actor.iri.split("/id/", 1)[-1], "name": actor.label, "status": 1,
            "description": actor.description, "website": actor.url,
            "telephone": actor.telephone, "email": actor.email,
            "categories": [label for _iri, label in actor.themes],
            "categoriesFull": [{"id": iri, "name": label} for iri, label in actor.themes],
            "sourceKey": "OSCARTES", "url": actor.iri}
    if actor.lat and actor.long:
        item["geo"] = {"latitude": float(actor.lat), "longitude": float(actor.long)}
    address = dict(actor.address)
    if actor.commune and "addressLocality" not in address:
        address["addressLocality"] = actor.commune[1]
    if address:
        item["address"] = address
    return {key: value for key, value in item.items() if value not in ("", [], None)}


def serialize(actors) -> bytes:
    document = {"licence": LICENCE, "ontology": "gogofull", "data": [element(a) for a in actors]}
    return json.dumps(document, ensure_ascii=False, indent=1).encode()
