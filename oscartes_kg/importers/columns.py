"""Cells <-> RDF terms for a CSV column mapping: the importer reads cells, the CSV export and
the templates write them back, with the same rules (mappings/csv-*.yaml)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from .mapping import expand
from .model import decimal_literal, literal, url_literal

__all__ = ["Column", "columns_of", "read_cell", "write_cell", "date_value"]

XSD = "http://www.w3.org/2001/XMLSchema#"
OSC = "https://w3id.org/oscartes/ns#"
TYPES = {"id", "text", "url", "email", "decimal", "integer", "date", "class", "theme", "commune",
         "need-offer-kind", "reference"}


@dataclass(frozen=True)
class Column:
    """One mapped column: its header, the property it fills and how a cell is read."""

    header: str
    property: str | None
    type: str = "text"
    language: str | None = None
    split: str | None = None
    required: bool = False


def columns_of(rules: dict) -> list[Column]:
    """The columns of a mapping, checked (a wrong key is a mapping error, not a row error)."""
    from ..errors import ParseError

    found = []
    for header, spec in (rules.get("columns") or {}).items():
        spec = {"property": spec} if isinstance(spec, str) else dict(spec or {})
        kind = spec.get("type", "text")
        if kind not in TYPES:
            raise ParseError(f"colonne « {header} » : type inconnu « {kind} » ({', '.join(sorted(TYPES))}) "
                             f"/ column {header!r}: unknown type {kind!r}", file=rules.get("_file"),
                             rule="mapping")
        prop = expand(spec["property"], rules) if spec.get("property") else None
        if prop is None and kind != "id":
            raise ParseError(f"colonne « {header} » : « property » manque / column {header!r}: "
                             "missing property", file=rules.get("_file"), rule="mapping")
        found.append(Column(str(header), prop, kind, spec.get("language"), spec.get("split"),
                            bool(spec.get("required"))))
    return found


def read_cell(column: Column, text: str, lookups, rules: dict) -> list:
    """The terms a cell holds; ValueError (French / English) names what is wrong with it."""
    parts = [text] if not column.split else text.split(column.split)
    return [term for part in parts if part.strip()
            for term in [_one(column, part.strip(), lookups, rules)]]


def _one(column: Column, text: str, lookups, rules: dict):
    kind = column.type
    if kind == "text":
        return literal(text, column.language)
    if kind == "url":
        return url_literal(text)
    if kind == "email":
        return ox.Literal(text.removeprefix("mailto:"))
    if kind == "decimal":
        try:
            return decimal_literal(text)
        except ValueError:
            raise ValueError(f"« {text} » n'est pas un nombre décimal / is not a decimal number") from None
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError(f"« {text} » n'est pas un nombre entier / is not an integer")
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer"))  # canonical
    if kind == "date":
        value, datatype = date_value(text)
        return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))
    if kind == "class":
        name = text if ":" in text else f"osc:{text}"
        try:
            return ox.NamedNode(expand(name, rules))
        except Exception:
            raise ValueError(f"type inconnu « {text} » / unknown type") from None
    if kind in ("theme", "need-offer-kind", "commune"):
        found = {"theme": lookups.theme, "need-offer-kind": lookups.need_offer_kind,
                 "commune": lookups.commune}[kind](text)
        if found is None:
            word = {"theme": "thème", "need-offer-kind": "type de besoin ou d'offre",
                    "commune": "commune (code INSEE ou nom)"}[kind]
            raise ValueError(f"{word} inconnu(e) « {text} » / unknown {kind} {text!r}")
        return found
    if kind == "reference":
        if not re.match(r"^https?://\S+$", text):
            raise ValueError(f"« {text} » n'est pas une IRI (https://...) / is not an IRI")
        return ox.NamedNode(text)
    raise ValueError(kind)  # pragma: no cover - columns_of checks the types


def date_value(text: str) -> tuple[str, str]:
    """(value, XSD datatype) at the precision written: YYYY, YYYY-MM, YYYY-MM-DD (or DD/MM/YYYY
    as French spreadsheets write it), or a date and time YYYY-MM-DDTHH:MM[:SS]."""
    patterns = ((r"\d{4}", "gYear"), (r"\d{4}-\d{2}", "gYearMonth"), (r"\d{4}-\d{2}-\d{2}", "date"),
                (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?", "dateTime"))
    for pattern, datatype in patterns:
        if re.fullmatch(pattern, text):
            if datatype == "dateTime" and text.count(":") == 1:
                text = text + ":00"
            return text, datatype
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}", "date"
    raise ValueError(f"date illisible « {text} » : écrivez AAAA-MM-JJ ou JJ/MM/AAAA / unreadable "
                     "date, write YYYY-MM-DD or DD/MM/YYYY")


def write_cell(column: Column, terms: list, labels: dict, codes: dict) -> str:
    """The cell for ``terms`` (the inverse of ``read_cell``): themes by slug, communes by INSEE
    code, classes by local name; several values joined with the column's separator."""
    out = []
    for term in terms:
        if column.type == "class":
            value = term.value.removeprefix(OSC)
        elif column.type == "commune":
            value = codes.get(term.value, term.value)
        elif column.type in ("theme", "need-offer-kind"):
            value = term.value.rsplit("/", 1)[-1]
        else:
            value = term.value
        out.append(value)
    return (column.split or " ").join(out) if column.split else (out[0] if out else "")
