"""GoGoCarto JSON (the ``elements`` export of a GoGoCarto map) -> organisations of our model.

What is read from each element: ``id`` (the identity), ``name`` (or ``title``), ``geo``,
``address``, ``description``/``descriptionMore``, ``website``, ``telephone``, ``email``
(GoGoCarto writes "hidden" when it hides one: left out), ``categories``, ``categoriesFull``
or ``optionValues`` (mapped to our themes by the mapping file). Elements with a negative
``status`` are deleted or refused in the source: they count as absent.
"""
from __future__ import annotations

import json
import sys

import pyoxigraph as ox
from tqdm import tqdm

from ..errors import ParseError
from .identity import entry_iri
from .mapping import expand, shipped
from .model import (P, RDF_TYPE, address_triples, decimal_literal, literal, url_literal)
from .records import Entry, Mapped, Rejection

__all__ = ["read", "default_mapping", "elements"]

KIND = "organisation"
HIDDEN = {"", "hidden", "private"}


def default_mapping() -> dict:
    """The shipped mapping of the GoGoCarto sample taxonomy."""
    return shipped("gogocarto-sample.yaml")


def elements(data: bytes, location: str) -> list:
    """The element list of a GoGoCarto document: ``{"data": [...]}``, a list, or one element."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"JSON illisible : {getattr(error, 'msg', error)} / not valid JSON",
                         file=location, line=getattr(error, "lineno", None), rule="json") from None
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        return document["data"]
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and "id" in document:
        return [document]
    raise ParseError("ce n'est pas un export GoGoCarto (liste « data » d'éléments attendue) / "
                     "not a GoGoCarto export (expected a \"data\" list of elements)",
                     file=location, rule="gogocarto")


def read(source, rules: dict, *, lookups, source_name: str, progress: bool = False) -> Mapped:
    """Map every element of ``source``; nothing is written here."""
    mapped = Mapped()
    kind = rules.get("kind", KIND)
    klass = ox.NamedNode(expand(rules.get("class", "osc:Organisation"), rules))
    categories = {str(k): v for k, v in (rules.get("categories") or {}).items()}
    ignored = {str(v) for v in rules.get("ignore") or []}
    themes = _resolve_themes(categories, lookups, rules)
    same_as = rules.get("same_as")
    for element in tqdm(elements(source.data, source.location), desc="lecture", unit="élément",
                        disable=not progress, file=sys.stderr):
        if not isinstance(element, dict):
            mapped.rejections.append(Rejection("?", "", "élément qui n'est pas un objet JSON / "
                                               "element is not a JSON object"))
            continue
        try:
            if int(element.get("status", 1) or 0) < 0:
                continue
        except (TypeError, ValueError):
            pass
        entry = _entry(element, kind, klass, source_name, lookups, themes, ignored, mapped, same_as)
        if isinstance(entry, Rejection):
            mapped.rejections.append(entry)
        elif entry is not None:
            mapped.entries.append(entry)
    return mapped


def _resolve_themes(categories: dict, lookups, rules: dict) -> dict:
    """{category id or name: [theme IRIs]}; a theme the store does not know is a mapping error."""
    resolved = {}
    for key, value in categories.items():
        names = value if isinstance(value, list) else [value]
        iris = []
        for name in names:
            theme = lookups.theme(str(name))
            if theme is None:
                raise ParseError(f"thème inconnu « {name} » pour la catégorie « {key} » : "
                                 f"utilisez un thème de .../scheme/themes / unknown theme "
                                 f"{name!r} for category {key!r}", file=rules.get("_file"),
                                 rule="mapping")
            iris.append(theme)
        resolved[key] = iris
    return resolved


def _categories(element: dict) -> list[tuple[str, str]]:
    """(id, name) of each category an element carries, from the richest form the export has
    (``categoriesFull``, else ``optionValues``, else ``categories``: they repeat each other)."""
    found = []
    field = next((f for f in ("categoriesFull", "optionValues", "categories") if element.get(f)), None)
    if field:
        for item in element[field]:
            if isinstance(item, dict):
                key = item.get("id", item.get("optionId"))
                found.append((str(key) if key is not None else "", str(item.get("name") or "")))
            else:
                found.append((str(item), str(item)))
    return found


def _entry(element, kind, klass, source_name, lookups, themes, ignored, mapped, same_as):
    source_id = str(element.get("id") or "").strip()
    name = str(element.get("name") or element.get("title") or "").strip()
    if not source_id:
        return Rejection("?", name, "identifiant « id » manquant : l'élément ne pourrait pas "
                         "être retrouvé à la prochaine importation / missing \"id\"")
    iri = entry_iri(kind, source_name, source_id)
    if not name:
        return Rejection(source_id, "", "nom manquant (« name ») / missing name", iri=iri.value)
    triples = [ox.Triple(iri, RDF_TYPE, klass), ox.Triple(iri, P.rdfs.label, literal(name, "fr"))]
    text = "\n\n".join(t for t in (str(element.get(f) or "").strip()
                                   for f in ("description", "descriptionMore")) if t)
    optional = [(P.dcterms.description, literal(text, "fr")),
                (P.schema.url, url_literal(element.get("website"))),
                (P.schema.telephone, literal(element.get("telephone")))]
    email = str(element.get("email") or "").strip()
    if email.lower() not in HIDDEN:
        optional.append((P.schema.email, literal(email)))
    geo = element.get("geo") or {}
    try:
        optional += [(P.geo.lat, decimal_literal(geo.get("latitude"))),
                     (P.geo.long, decimal_literal(geo.get("longitude")))]
    except ValueError as error:
        return Rejection(source_id, name, f"coordonnées non numériques « {error} » / coordinates "
                         "are not numbers", iri=iri.value)
    address = element.get("address") or {}
    if isinstance(address, dict):
        triples += address_triples(iri, address)
        commune = lookups.commune(str(address.get("addressLocality") or ""),
                                  str(address.get("postalCode") or ""))
        optional.append((P.osc.commune, commune))
    for key, label in _categories(element):
        found = themes.get(key) or themes.get(label)
        if not found and key in lookups.theme_iris_text:  # our own export: theme IRIs as ids
            found = [lookups.theme(key)]
        if found:
            optional += [(P.osc.theme, theme) for theme in found]
        elif key not in ignored and label not in ignored:
            mapped.unmapped[label or key] = mapped.unmapped.get(label or key, 0) + 1
    if same_as:
        optional.append((P.owl.sameAs, ox.NamedNode(same_as.format(id=source_id))))
    triples += [ox.Triple(iri, p, o) for p, o in optional if o is not None]
    return Entry(source_id, iri, name, list(dict.fromkeys(triples)))
