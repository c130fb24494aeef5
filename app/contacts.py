"""The contact details of a person (e-mail, telephone, address), shown on their page to the
members of the collective only.

They live in the private graph ``graphs.PRIVATE_CONTACTS`` (GDPR art. 5(1)(f): confidentiality),
which ``roles.readable_graphs`` opens to curators and admins and to no one else. A page that
shows them must not be kept by a shared cache nor on disk: :func:`mark_private` sets
``Cache-Control: private, no-store`` and ``Vary: Cookie`` on it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response
from pyoxigraph import BlankNode, Literal, NamedNode

from oscartes_kg import graphs, roles

from . import auth, kb, terms
from .i18n import tr

__all__ = ["Contact", "contacts_for", "mark_private"]

SCHEMA = "http://schema.org/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
_LABELS = {
    SCHEMA + "email": ("Courriel", "E-mail"), VCARD + "hasEmail": ("Courriel", "E-mail"),
    SCHEMA + "telephone": ("Téléphone", "Telephone"), VCARD + "hasTelephone": ("Téléphone", "Telephone"),
    SCHEMA + "address": ("Adresse", "Address"), VCARD + "hasAddress": ("Adresse", "Address"),
}


@dataclass(frozen=True)
class Contact:
    """One contact property and its values, as text."""

    label: str
    values: tuple[str, ...]


def contacts_for(iri: str) -> list[Contact] | None:
    """The contact details of ``iri`` if the caller may read the contacts graph (curators and
    admins), else None; an empty list when there are none."""
    if graphs.PRIVATE_CONTACTS not in roles.readable_graphs(auth.current_role(),
                                                           [graphs.PRIVATE_CONTACTS]):
        return None
    store = kb.get_store()
    found: dict[str, list[str]] = {}
    for quad in store.quads(NamedNode(iri), None, None, graphs.PRIVATE_CONTACTS):
        predicate = quad.predicate.value
        if predicate.endswith("#type"):
            continue
        label = tr(*_LABELS[predicate]) if predicate in _LABELS else terms.readable(predicate)
        text = _text(store, quad.object)
        if text and text not in found.setdefault(label, []):
            found[label].append(text)
    return [Contact(label, tuple(values)) for label, values in sorted(found.items())]


def _text(store, term) -> str:
    """A value as text: a literal as written, ``mailto:``/``tel:`` without the scheme, a
    blank node (a postal address) as its literal values joined."""
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, NamedNode):
        return term.value.removeprefix("mailto:").removeprefix("tel:")
    if isinstance(term, BlankNode):
        return ", ".join(q.object.value for q in store.quads(term, None, None, graphs.PRIVATE_CONTACTS)
                         if isinstance(q.object, Literal))
    return ""


def mark_private(response: Response) -> Response:
    """Keep a page holding private data out of shared caches and off the disk (RFC 9111
    sections 5.2.2.5 and 5.2.2.7), and say it depends on the session cookie."""
    response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("Cookie")
    return response
