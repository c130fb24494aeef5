"""The service manifest: what OpenRefine reads first to learn our name, id spaces, types, and
where the preview, suggest and extension services are."""
from __future__ import annotations

from .vocabulary import DEFAULT_TYPES, EXTEND_PROPERTIES, OSC, QUERY_PROPERTIES, TYPES

__all__ = ["manifest", "type_suggestions", "property_suggestions", "SERVICE_NAME"]

SERVICE_NAME = "OSCARTES — acteurs de la transition écologique et sociale"


def manifest(service_url: str, site_url: str, iri_base: str) -> dict:
    """The manifest of the service at ``service_url`` (``.../reconcile``); entity pages are
    under ``site_url`` (``/id/{{id}}``); ids are ``kind/slug`` below ``iri_base``.

    >>> m = manifest("http://h/reconcile", "http://h", "https://w3id.org/oscartes/id/")
    >>> m["view"]["url"], m["identifierSpace"]
    ('http://h/id/{{id}}', 'https://w3id.org/oscartes/id/')
    """
    site = site_url.rstrip("/")
    return {
        "versions": ["0.1", "0.2"],
        "name": SERVICE_NAME,
        "identifierSpace": iri_base,
        "schemaSpace": OSC,
        "defaultTypes": [{"id": TYPES[k].id, "name": TYPES[k].name} for k in DEFAULT_TYPES],
        "view": {"url": site + "/id/{{id}}"},
        "preview": {"url": service_url + "/preview?id={{id}}", "width": 400, "height": 130},
        "suggest": {
            kind: {"service_url": service_url, "service_path": f"/suggest/{kind}",
                   **({"flyout_service_path": "/flyout/entity?id=${id}"} if kind == "entity" else {})}
            for kind in ("entity", "type", "property")},
        "extend": {
            "propose_properties": {"service_url": service_url, "service_path": "/propose_properties"},
            "property_settings": [],
        },
        "batchSize": 50,
    }


def type_suggestions(prefix: str) -> list[dict]:
    """Types whose id or French or English name starts with ``prefix`` (case and accents folded)."""
    from ..names import fold

    wanted = fold(prefix.strip())
    return [{"id": t.id, "name": t.name, "description": t.cls} for t in TYPES.values()
            if any(fold(v).startswith(wanted) or f" {wanted}" in fold(v)
                   for v in (t.id, t.name, t.name_en))]


def property_suggestions(prefix: str) -> list[dict]:
    """Properties (compared by queries or returned by extension) whose id or name starts with
    ``prefix``."""
    from ..names import fold

    wanted = fold(prefix.strip())
    return [{"id": p.id, "name": p.name, "description": p.iri} for p in {**QUERY_PROPERTIES, **EXTEND_PROPERTIES}.values()
            if any(fold(v).startswith(wanted) or f" {wanted}" in fold(v)
                   for v in (p.id, p.name, p.name_en))]
