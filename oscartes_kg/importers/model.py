"""Small builders shared by the format modules: the triples of our model for common fields."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from ..namespaces import PREFIXES

__all__ = ["P", "literal", "url_literal", "decimal_literal", "address_triples", "clean_url"]

XSD = PREFIXES["xsd"]


class _Namespace:
    """``P.schema.url``: the IRIs of one prefix as attributes."""

    def __init__(self, base: str):
        self._base = base

    def __getattr__(self, local: str) -> ox.NamedNode:
        if local.startswith("__"):  # introspection (doctest, copy) is not a term
            raise AttributeError(local)
        return ox.NamedNode(self._base + local)


class _Predicates:
    """``P.rdfs.label`` style access to the predicates the importers write (our prefixes)."""

    def __getattr__(self, prefix: str) -> _Namespace:
        if prefix not in PREFIXES:
            raise AttributeError(prefix)
        return _Namespace(PREFIXES[prefix])


P = _Predicates()
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")


def literal(text, language: str | None = None) -> ox.Literal | None:
    """A plain or language-tagged literal for non-empty ``text`` (stripped), else None."""
    text = str(text).strip() if text is not None else ""
    if not text:
        return None
    return ox.Literal(text, language=language) if language else ox.Literal(text)


def clean_url(text) -> str:
    """A website as sources write it, with ``http://`` added to a bare ``www.`` address."""
    text = str(text or "").strip()
    return "http://" + text if re.match(r"^www\.", text, re.I) else text


def url_literal(text) -> ox.Literal | None:
    """``schema:url`` values are ``xsd:anyURI`` literals (shapes/entities.ttl)."""
    text = clean_url(text)
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "anyURI")) if text else None


def decimal_literal(value) -> ox.Literal | None:
    """An ``xsd:decimal`` from a number or a text ("48,63" with a French comma too); None if
    ``value`` is empty; ValueError if it is not a number.

    >>> [decimal_literal(v).value for v in (47.0, "48,630", 1e-05, -0.0)]
    ['47', '48.63', '0.00001', '0']
    """
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(str(value)) from None
    if not number.is_finite():
        raise ValueError(str(value))
    # the canonical form the store keeps ("47.0" is stored as "47"): a re-import then finds the
    # stored value equal to the new one instead of rewriting it
    text = format(number.normalize(), "f")
    return ox.Literal("0" if text in ("-0", "0") else text, datatype=ox.NamedNode(XSD + "decimal"))


def address_triples(subject: ox.NamedNode, fields: dict) -> list[ox.Triple]:
    """A ``schema:PostalAddress`` node ``subject#address`` (no blank nodes: dumps round-trip)."""
    values = [(P.schema.streetAddress, fields.get("streetAddress")),
              (P.schema.postalCode, fields.get("postalCode")),
              (P.schema.addressLocality, fields.get("addressLocality")),
              (P.schema.addressCountry, fields.get("addressCountry"))]
    values = [(p, literal(v)) for p, v in values if literal(v) is not None]
    if not values:
        return []
    node = ox.NamedNode(subject.value + "#address")
    return ([ox.Triple(subject, P.schema.address, node),
             ox.Triple(node, RDF_TYPE, P.schema.PostalAddress)]
            + [ox.Triple(node, p, v) for p, v in values])
