"""How pages name and link RDF terms: prefixed names, ``/ontology`` anchors, local links under
``iri_base``, and a readable fallback when a resource has no label.

Entity pages and the vocabulary page share these rules, so that a property name on an entity
page links to exactly the anchor ``/ontology`` gives that property.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

from oscartes_kg.namespaces import PREFIXES

__all__ = ["curie", "anchor", "ontology_href", "local_path", "href", "readable", "is_web_url"]

OSC = PREFIXES["osc"]
# Longest namespace first, so that a namespace inside another one is matched precisely.
_NAMESPACES = sorted(((iri, name) for name, iri in PREFIXES.items()), key=lambda p: -len(p[0]))


def curie(iri: str) -> str:
    """``osc:Event`` for a term of a known namespace, else the IRI itself.

    >>> curie("http://schema.org/startDate"), curie("http://example.org/x")
    ('schema:startDate', 'http://example.org/x')
    """
    for namespace, name in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{name}:{iri[len(namespace):]}"
    return iri


def anchor(iri: str) -> str:
    """The id of a term on ``/ontology``: the local name for ``osc:`` terms (``#Organisation``),
    ``prefix-local`` for the external terms the vocabulary labels (``#schema-startDate``).

    >>> anchor(OSC + "Organisation"), anchor("http://schema.org/startDate")
    ('Organisation', 'schema-startDate')
    """
    if iri.startswith(OSC):
        return iri[len(OSC):]
    return re.sub(r"[^A-Za-z0-9_-]", "-", curie(iri))


def ontology_href(iri: str) -> str:
    """The link to a term's documentation on this site."""
    return f"/ontology#{anchor(iri)}"


def local_path(iri: str, base: str) -> str | None:
    """``/id/kind/slug`` for a resource under ``base`` (one kind, one slug), else None.

    >>> local_path("https://w3id.org/oscartes/id/event/fete", "https://w3id.org/oscartes/id/")
    '/id/event/fete'
    """
    if not iri.startswith(base):
        return None
    rest = iri[len(base):]
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*/[A-Za-z0-9][A-Za-z0-9._~-]*", rest):
        return "/id/" + rest
    return None


def is_web_url(value: str) -> bool:
    """Whether a value may be a link target: http(s) only (never ``javascript:``)."""
    return re.match(r"(?i)^https?://[^\s<>\"]+$", value) is not None


def href(iri: str, base: str) -> str | None:
    """Where a link to ``iri`` goes: its page here, the web address, or nowhere."""
    return local_path(iri, base) or (iri if is_web_url(iri) else None)


def readable(iri: str) -> str:
    """A name for a resource without a label: its last path segment, hyphens as spaces.

    >>> readable("https://w3id.org/oscartes/id/territory/commune-91692")
    'commune 91692'
    """
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
    return unquote(tail).replace("-", " ").replace("_", " ").strip() or iri
