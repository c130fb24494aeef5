"""CSV spreadsheets read through a column mapping (mappings/csv-*.yaml): one entry per row.

French spreadsheets export UTF-8 with a byte-order mark, or Windows-1252, and separate cells
with ``;``: all are read. Rows are numbered as the spreadsheet shows them (the header is
line 1), and every error names the row and the column: « ligne 12, colonne « Site web » : ... ».
"""
from __future__ import annotations

import csv
import io
import sys

import pyoxigraph as ox
from tqdm import tqdm

from ..errors import ParseError
from .columns import columns_of, read_cell
from .identity import entry_iri
from .mapping import expand, shipped
from .model import RDF_TYPE
from .records import Entry, Mapped, Rejection

__all__ = ["read", "default_mapping", "decode", "table"]


def default_mapping() -> dict:
    """The shipped organisations mapping (the columns of /import/templates/organisation.csv)."""
    return shipped("csv-organisation.yaml")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (older French spreadsheets)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def table(text: str, location: str) -> tuple[list, list]:
    """(header, rows) of a CSV text whose separator is ``;``, ``,`` or a tab."""
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ParseError(f"CSV illisible : {error} / unreadable CSV", file=location,
                         rule="csv") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ParseError("le fichier CSV est vide (une ligne d'en-têtes est attendue) / the CSV "
                         "file is empty (a header line is expected)", file=location, line=1,
                         rule="csv")
    return [cell.strip() for cell in rows[0]], rows[1:]


def read(source, rules: dict, *, lookups, source_name: str, progress: bool = False) -> Mapped:
    """Map every row of ``source``; nothing is written here."""
    columns = columns_of(rules)
    id_header = rules.get("id") or next((c.header for c in columns if c.type == "id"), None)
    header, rows = table(decode(source.data), source.location)
    missing = [c.header for c in columns if c.header not in header
               and (c.required or c.header == id_header)]
    if id_header is None or missing:
        raise ParseError(f"colonne(s) absente(s) de la ligne d'en-têtes : « {'», «'.join(missing or ['id'])} » "
                         f"/ missing column(s) in the header line", file=source.location, line=1,
                         rule="csv-header")
    position = {name: index for index, name in enumerate(header)}
    kind = rules.get("kind", "organisation")
    default_class = ox.NamedNode(expand(rules.get("class", "osc:Organisation"), rules))
    mapped, seen = Mapped(), {}
    for number, row in tqdm(enumerate(rows, start=2), total=len(rows), desc="lecture",
                            unit="ligne", disable=not progress, file=sys.stderr):
        if not any(cell.strip() for cell in row):
            continue
        cells = {c.header: (row[position[c.header]].strip() if c.header in position
                            and position[c.header] < len(row) else "") for c in columns}
        result = _row(number, cells, columns, id_header, kind, default_class, source_name,
                      lookups, rules, seen)
        (mapped.rejections if isinstance(result, Rejection) else mapped.entries).append(result)
    return mapped


def _row(number, cells, columns, id_header, kind, default_class, source_name, lookups, rules, seen):
    origin = f"ligne {number}"
    source_id = cells.get(id_header, "")
    label = next((cells[c.header] for c in columns if c.property and c.property.endswith("#label")), "")
    if not source_id:
        return Rejection("?", label, f"colonne « {id_header} » : identifiant manquant / missing "
                         "identifier", origin)
    iri = entry_iri(kind, source_name, source_id)
    if source_id in seen:
        return Rejection(source_id, label, f"colonne « {id_header} » : identifiant en double (déjà "
                         f"ligne {seen[source_id]}) / duplicate identifier", origin)
    seen[source_id] = number
    triples, where = [], {}
    for column in columns:
        if column.type == "id":
            continue
        text = cells[column.header]
        if not text:
            if column.required:
                return Rejection(source_id, label, f"colonne « {column.header} » : valeur "
                                 "obligatoire manquante / required value missing", origin, iri.value)
            continue
        try:
            terms = read_cell(column, text, lookups, rules)
        except ValueError as error:
            return Rejection(source_id, label, f"colonne « {column.header} » : {error}", origin,
                             iri.value)
        triples += [ox.Triple(iri, ox.NamedNode(column.property), term) for term in terms]
        where[column.property] = column.header
    if not any(t.predicate == RDF_TYPE for t in triples):
        triples.insert(0, ox.Triple(iri, RDF_TYPE, default_class))
    return Entry(source_id, iri, label, list(dict.fromkeys(triples)), origin, where)
