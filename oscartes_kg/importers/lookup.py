"""Find our themes and communes from what a source writes: a slug, an IRI, a label, an INSEE code.

Read once per import from the store (pattern reads, no query text), then used for every entry.
"""
from __future__ import annotations

import re
import unicodedata

import pyoxigraph as ox

from ..namespaces import OSCID

__all__ = ["Lookups", "normalise"]

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
IN_SCHEME = ox.NamedNode(SKOS + "inScheme")
PREF_LABEL = ox.NamedNode(SKOS + "prefLabel")
ALT_LABEL = ox.NamedNode(SKOS + "altLabel")
CLOSE_MATCH = ox.NamedNode(SKOS + "closeMatch")
COMMUNE = ox.NamedNode("https://w3id.org/oscartes/ns#Commune")
INSEE = ox.NamedNode("https://w3id.org/oscartes/ns#inseeCode")
THEMES = ox.NamedNode(f"{OSCID}scheme/themes")
NEED_OFFER_KINDS = ox.NamedNode(f"{OSCID}scheme/need-offer-kinds")


def normalise(text: str) -> str:
    """Case, accents, punctuation and spacing removed: how people's spellings are compared.

    >>> normalise("  Saint-Michel-sur-Orge ") == normalise("saint michel sur orge")
    True
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", ascii_text))


class Lookups:
    """Themes, need/offer kinds and communes known to ``store``."""

    def __init__(self, store):
        self.themes = _concepts(store, THEMES)
        self.theme_iris = set(self.themes.values())
        self.theme_iris_text = {iri.value for iri in self.theme_iris}
        self.close_matches = {q.object.value: q.subject for q in store.quads(
            None, CLOSE_MATCH, None, None) if q.subject in self.theme_iris}
        self.need_offer_kinds = _concepts(store, NEED_OFFER_KINDS)
        self.communes_by_code: dict = {}
        self.communes_by_name: dict = {}     # normalised name -> [(IRI, code)]
        self.commune_codes: dict = {}        # IRI -> INSEE code
        for quad in store.quads(None, RDF_TYPE, COMMUNE, None):
            commune = quad.subject
            codes = [q.object.value for q in store.quads(commune, INSEE, None, None)]
            code = codes[0] if codes else ""
            if code:
                self.communes_by_code[code] = commune
                self.commune_codes[commune] = code
            for label in store.quads(commune, RDFS_LABEL, None, None):
                self.communes_by_name.setdefault(normalise(label.object.value), []).append(
                    (commune, code))

    def theme(self, text: str) -> ox.NamedNode | None:
        """The theme a slug (``alimentation``), IRI or French/English label names."""
        return _find(self.themes, text)

    def close_theme(self, iri) -> ox.NamedNode | None:
        """Our theme for an IRI: one of ours, or another vocabulary's theme our thesaurus
        declares a skos:closeMatch of (ESSGlobal's standard themes)."""
        value = getattr(iri, "value", str(iri))
        if value in self.theme_iris_text:
            return ox.NamedNode(value)
        return self.close_matches.get(value)

    def need_offer_kind(self, text: str) -> ox.NamedNode | None:
        return _find(self.need_offer_kinds, text)

    def commune(self, text: str, postal_code: str = "") -> ox.NamedNode | None:
        """The commune an INSEE code or a name names; a name shared by several communes is
        told apart by the département of ``postal_code`` (its first two digits), else None."""
        text = (text or "").strip()
        if text in self.communes_by_code:
            return self.communes_by_code[text]
        found = self.communes_by_name.get(normalise(text), [])
        if postal_code:
            found = [(iri, code) for iri, code in found if code[:2] == postal_code.strip()[:2]]
        return found[0][0] if len(found) == 1 else None


def _concepts(store, scheme: ox.NamedNode) -> dict:
    """{slug, IRI, normalised labels -> concept IRI} for the concepts of ``scheme``."""
    index: dict = {}
    for quad in store.quads(None, IN_SCHEME, scheme, None):
        concept = quad.subject
        index[concept.value] = concept
        index[concept.value.rsplit("/", 1)[-1]] = concept
        for predicate in (PREF_LABEL, ALT_LABEL):
            for label in store.quads(concept, predicate, None, None):
                index.setdefault(normalise(label.object.value), concept)
    return index


def _find(index: dict, text: str) -> ox.NamedNode | None:
    text = str(text).strip()
    return index.get(text) or index.get(normalise(text))
