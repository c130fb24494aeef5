"""Stable IRIs for imported entries, derived from the source's own identifiers.

Running an import again must find the same entries: the IRI depends only on the kind, the
source name and the source's identifier (GoGoCarto ``id``, the CSV id column, JSON-LD
``@id``), never on a label or on the order of the file.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

import pyoxigraph as ox

from ..namespaces import OSCID

__all__ = ["slugify", "entry_iri", "check_source_name"]

_SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def slugify(text: str, limit: int = 60) -> str:
    """Lower-case ASCII with hyphens (the slug rule of ontology/README.md).

    >>> slugify("Graine d'écolo !")
    'graine-d-ecolo'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def entry_iri(kind: str, source_name: str, source_id: str) -> ox.NamedNode:
    """``{OSCID}{kind}/{source}-{id}``; an identifier that does not survive slugging unchanged
    (case, accents, a URL) gets a short hash of its exact text, so "104K" and "104k" differ.

    >>> entry_iri("organisation", "transiscope", "10kw").value
    'https://w3id.org/oscartes/id/organisation/transiscope-10kw'
    >>> entry_iri("organisation", "transiscope", "104K").value  # doctest: +ELLIPSIS
    'https://w3id.org/oscartes/id/organisation/transiscope-104k-...'
    """
    slug = slugify(source_id, limit=40)
    if slug != source_id:
        digest = hashlib.sha256(source_id.encode()).hexdigest()[:8]
        slug = f"{slug}-{digest}" if slug else digest
    return ox.NamedNode(f"{OSCID}{kind}/{source_name}-{slug}")


def check_source_name(name: str) -> str:
    """The source name as given, if it can name a graph and IRIs; else a ValueError (French /
    English) that the caller turns into a usage error."""
    if not _SOURCE_NAME.match(name or ""):
        raise ValueError(f"nom de source invalide « {name} » : lettres minuscules, chiffres et "
                         f"tirets / invalid source name {name!r}: lower-case letters, digits and "
                         "hyphens")
    return name
