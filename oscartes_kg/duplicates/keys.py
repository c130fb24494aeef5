"""Exact keys of the public entities (website, SIREN, RNA, e-mail domain), read in one pass per
predicate: candidates by key are then dictionary lookups, never a comparison of all pairs.

A key shared by too many entities is a platform, not an identity (a Facebook page host, a
federation's e-mail domain): past ``CROWDED`` it finds no candidates, though two entities
already paired by name still show it as a reason.
"""
from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from .. import graphs, names
from ..catalogue.records import kind_of
from .signals import email_domain

__all__ = ["KeyIndex", "site_keys", "URL", "SIREN", "RNA", "EMAIL", "CROWDED"]

URL = ox.NamedNode("http://schema.org/url")
EMAIL = ox.NamedNode("http://schema.org/email")
SIREN = ox.NamedNode("https://w3id.org/oscartes/ns#siren")
RNA = ox.NamedNode("https://w3id.org/oscartes/ns#rna")
#: A key held by more entities than this does not fetch candidates.
CROWDED = 20


def site_keys(url: str) -> set[str]:
    """``site:`` the site and page, plus ``home:`` the host of a home page or ``host:`` the host
    of another page (an actor's home page and one of its pages then meet)."""
    site = names.site(url)
    if not site:
        return set()
    keys = {"site:" + site}
    keys.add(("home:" if "/" not in site else "host:") + site.split("/", 1)[0])
    return keys


def _keys(predicate: ox.NamedNode, value: str, kind: str | None) -> set[str]:
    if predicate == URL:
        return site_keys(value)
    if predicate == SIREN:
        found = names.siren(value)
        return {"siren:" + found} if found else set()
    if predicate == RNA:
        text = value.strip().upper()
        return {"rna:" + text} if text else set()
    if kind == "person":  # organisations' public e-mail only, never a person's
        return set()
    domain = email_domain(value)
    return {"email:" + domain} if domain else set()


class KeyIndex:
    """key -> entity IRIs and entity IRI -> keys, over the public graphs of ``store``."""

    def __init__(self, store):
        self.by_key: dict = defaultdict(set)
        self.of: dict = defaultdict(set)
        public = set(graphs.public(store.graphs()))
        for predicate in (URL, SIREN, RNA, EMAIL):
            for quad in store.quads(None, predicate, None, None):
                if quad.graph_name in public and isinstance(quad.subject, ox.NamedNode):
                    self.add(quad.subject.value, _keys(predicate, quad.object.value,
                                                       kind_of(quad.subject.value)))

    def add(self, iri: str, keys: set[str]) -> None:
        for key in keys:
            self.by_key[key].add(iri)
            self.of[iri].add(key)

    def candidates(self, keys: set[str]) -> set[str]:
        """Entities sharing one of ``keys`` (a home page also finds the pages of its host)."""
        found: set[str] = set()
        for key in keys:
            lookups = [key]
            if key.startswith("host:"):
                lookups.append("home:" + key[5:])
            elif key.startswith("home:"):
                lookups.append("host:" + key[5:])
            for lookup in lookups:
                holders = self.by_key.get(lookup, frozenset())
                if len(holders) <= CROWDED:
                    found |= holders
        return found


def split(keys: set[str]) -> dict[str, frozenset]:
    """Keys by family, as :class:`~oscartes_kg.duplicates.signals.Profile` fields."""
    parts: dict = defaultdict(set)
    for key in keys:
        family, _, value = key.partition(":")
        parts[family].add(value)
    return {"sites": frozenset(parts["site"]), "sirens": frozenset(parts["siren"]),
            "rnas": frozenset(parts["rna"]), "domains": frozenset(parts["email"])}
