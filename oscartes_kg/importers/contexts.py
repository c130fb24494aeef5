"""JSON-LD contexts: the shipped local copies replace known context references before parsing,
and any other remote reference is refused (DEVELOPERS.md: untrusted input never makes us call
out; rdflib's security considerations). Nothing here opens a network connection."""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

from ..errors import ParseError

__all__ = ["KNOWN", "local", "inline"]

#: Context reference -> shipped file (contexts/README.md).
KNOWN = {
    **{f"{scheme}://schema.org{path}": "schema-org.jsonld" for scheme in ("http", "https")
       for path in ("", "/", "/docs/jsonldcontext.json", "/docs/jsonldcontext.jsonld")},
    **{f"{base}": "essglobal.jsonld" for base in (
        "http://purl.org/essglobal/vocab/", "https://purl.org/essglobal/vocab/",
        "https://w3id.org/essglobal/vocab/")},
    "https://ns.murmurations.network/": "murmurations.jsonld",
    "context-gogo.jsonld": "context-gogo.jsonld",
}

REFUSED = ("contexte JSON-LD « {ref} » refusé : oscartes-kg ne télécharge jamais de « @context » "
           "et ne connaît pas celui-ci ; mettez le contexte lui-même (un objet JSON) dans le "
           "fichier, ou utilisez schema.org, ESSGlobal ou Murmurations / JSON-LD context "
           "{ref!r} refused: contexts are never fetched and this one is not shipped; put the "
           "context itself (a JSON object) in the file")


@cache
def _load(name: str) -> str:
    return resources.files(__package__).joinpath("contexts", name).read_text(encoding="utf-8")


def local(name: str) -> dict:
    """The ``@context`` value of a shipped file (a fresh copy)."""
    return json.loads(_load(name))["@context"]


def inline(node, location: str):
    """``node`` with every context reference replaced by its shipped copy, recursively.

    :raises ParseError: a reference that is not shipped (the message names it).
    """
    if isinstance(node, list):
        return [inline(item, location) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "@context":
            result[key] = _context(value, location)
        else:
            result[key] = inline(value, location)
    return result


def _context(value, location: str):
    if isinstance(value, str):
        name = KNOWN.get(value) or KNOWN.get(value.rstrip("/") + "/")
        if name is None:
            raise ParseError(REFUSED.format(ref=value), file=location, rule="jsonld-remote-context")
        return local(name)
    if isinstance(value, list):
        return [_context(item, location) for item in value]
    if isinstance(value, dict):
        if isinstance(value.get("@import"), str):
            raise ParseError(REFUSED.format(ref=value["@import"]), file=location,
                             rule="jsonld-remote-context")
        return {k: (_context(v, location) if k == "@context" else inline(v, location))
                for k, v in value.items()}
    return value
