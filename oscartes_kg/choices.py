"""The values a visitor may filter listings by (themes, communes), and checking the one asked.

The agenda and the watch filter by a theme of the thesaurus or a commune; the page shows every
theme indented under its broader one, and the communes of the territories graph. A filter value
from a URL is accepted only if it is one of these: nothing else ever reaches a query.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

from . import labels, versioned
from .errors import UsageError
from .queries import run_text

__all__ = ["Choice", "themes", "communes", "check"]

THEMES_SCHEME = "https://w3id.org/oscartes/id/scheme/themes"

_THEMES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?concept ?label ?broader WHERE {
  ?concept skos:inScheme <%s> .
  OPTIONAL { ?concept skos:prefLabel ?label }
  OPTIONAL { ?concept skos:broader ?broader }
}""" % THEMES_SCHEME

_COMMUNES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX osc: <https://w3id.org/oscartes/ns#>
SELECT ?commune ?label WHERE { ?commune a osc:Commune . OPTIONAL { ?commune rdfs:label ?label } }"""


@dataclass(frozen=True)
class Choice:
    """One option of a filter: its IRI, its label and its depth in the hierarchy (0 = top)."""

    iri: str
    label: str
    depth: int = 0


def themes(store, lang: str = "fr") -> list[Choice]:
    """Every theme of the thesaurus, each followed by its narrower themes (depth first, by
    label); kept until the data change."""
    return versioned.cached(store, ("themes", lang), lambda: _themes(store, lang))


def _themes(store, lang: str) -> list[Choice]:
    names: dict[str, list] = {}
    children: dict[str | None, set[str]] = {}
    for row in run_text(store, _THEMES):
        iri = row["concept"].value
        names.setdefault(iri, [])
        if row["label"] is not None:
            names[iri].append(row["label"])
        parent = row["broader"].value if row["broader"] is not None else None
        children.setdefault(parent, set()).add(iri)
    label = {iri: labels.pick(found, lang) or iri.rsplit("/", 1)[-1] for iri, found in names.items()}
    tops = {iri for iri in names if not any(iri in kids for p, kids in children.items() if p in names)}
    ordered: list[Choice] = []

    def walk(iri: str, depth: int) -> None:
        if any(choice.iri == iri for choice in ordered):
            return  # a concept with two broader ones is listed once
        ordered.append(Choice(iri, label[iri], depth))
        for child in sorted(children.get(iri, ()), key=lambda iri: sort_key(label[iri])):
            walk(child, depth + 1)

    for top in sorted(tops, key=lambda iri: sort_key(label[iri])):
        walk(top, 0)
    return ordered


def communes(store, lang: str = "fr") -> list[Choice]:
    """The communes of the territories graph, by label; kept until the data change."""
    return versioned.cached(store, ("communes", lang), lambda: _communes(store, lang))


def _communes(store, lang: str) -> list[Choice]:
    found: dict[str, list] = {}
    for row in run_text(store, _COMMUNES):
        found.setdefault(row["commune"].value, [])
        if row["label"] is not None:
            found[row["commune"].value].append(row["label"])
    listed = [Choice(iri, labels.pick(names, lang) or iri) for iri, names in found.items()]
    return sorted(listed, key=lambda choice: sort_key(choice.label))


def sort_key(text: str) -> str:
    """Alphabetical order as people expect it: "Étampes" between "Corbeil" and "Massy".

    >>> sorted(["Palaiseau", "Étampes", "Massy"], key=sort_key)
    ['Étampes', 'Massy', 'Palaiseau']
    """
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def check(value: str | None, allowed: list[Choice], what: str) -> ox.NamedNode | None:
    """The IRI ``value`` if it is one of ``allowed``; None when empty.

    :raises UsageError: any other value (named in the message).

    >>> check("", [], "thème") is None
    True
    >>> check("https://w3id.org/oscartes/id/theme/x", [Choice("https://w3id.org/oscartes/id/theme/x", "x")], "thème").value
    'https://w3id.org/oscartes/id/theme/x'
    """
    if not value:
        return None
    if not any(choice.iri == value for choice in allowed):
        raise UsageError(f"{what} inconnu : « {value} » / unknown {what}: {value!r}",
                         prop=what, rule="filter-value")
    return ox.NamedNode(value)
