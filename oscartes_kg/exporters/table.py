"""CSV of public entries, in the columns of a CSV import mapping (French headers): what the
export writes, the ``csv`` importer reads back. Also the example row of the import templates."""
from __future__ import annotations

import csv
import io
from collections import defaultdict

import pyoxigraph as ox

from .. import graphs
from ..importers.columns import columns_of, write_cell
from ..importers.lookup import Lookups

__all__ = ["serialize", "rows", "MEDIA_TYPE"]

MEDIA_TYPE = "text/csv; charset=utf-8"


def rows(store, iris: list, rules: dict) -> list[list[str]]:
    """Header and one row per IRI, from the public quads only."""
    columns = columns_of(rules)
    codes = Lookups(store).commune_codes
    codes = {iri.value: code for iri, code in codes.items()}
    values: dict = defaultdict(lambda: defaultdict(list))
    for quad in store.outgoing([ox.NamedNode(i) for i in iris]):
        if isinstance(quad.graph_name, ox.NamedNode) and graphs.is_public(quad.graph_name):
            values[quad.subject.value][quad.predicate.value].append(quad.object)
    table = [[c.header for c in columns]]
    for iri in iris:
        own = values[iri]
        table.append([iri.rsplit("/", 1)[-1] if c.type == "id" else
                      write_cell(c, _preferred(c, own.get(c.property, [])), {}, codes)
                      for c in columns])
    return table


def _preferred(column, terms: list) -> list:
    """French first for a language-tagged text column; the most specific class for a type."""
    if column.language:
        same = [t for t in terms if isinstance(t, ox.Literal) and t.language == column.language]
        return same or terms
    if column.type == "class":
        return sorted(terms, key=lambda t: t.value.endswith("#Organisation"))[:1]
    return sorted(terms, key=lambda t: t.value)


def serialize(store, iris: list, rules: dict) -> bytes:
    """UTF-8 with a byte-order mark and ``;``: what French spreadsheets open without a question."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows(store, iris, rules))
    return ("\ufeff" + out.getvalue()).encode()
