"""A query's result as plain cells for an HTML table: text, an optional link, a tooltip.

Cells carry text, never markup: Jinja escapes them. Only http(s) IRIs become links, so a
``javascript:`` IRI in the data is shown, never followed.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

__all__ = ["Cell", "Table", "table"]

LINKABLE = ("http://", "https://")


@dataclass(frozen=True)
class Cell:
    """One value: ``href`` is set for IRIs a browser may follow (their page: the IRI for now)."""

    text: str = ""
    href: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Table:
    """Column names and rows of cells; ``boolean`` is set for an ASK answer instead."""

    columns: list[str]
    rows: list[list[Cell]]
    boolean: bool | None = None


def table(outcome, graph_columns: tuple[str, str, str]) -> Table:
    """Rows of a SELECT, the answer of an ASK, or the triples of a CONSTRUCT/DESCRIBE, from a
    finished query (``oscartes_kg.limits.Outcome``)."""
    if outcome.kind == "boolean":
        return Table([], [], outcome.boolean)
    if outcome.kind == "solutions":
        return Table(list(outcome.variables), [[cell(term) for term in row] for row in outcome.rows])
    return Table(list(graph_columns),
                 [[cell(t.subject), cell(t.predicate), cell(t.object)] for t in outcome.rows])


def cell(term) -> Cell:
    """The text of one RDF term (or of an unbound variable: empty)."""
    if term is None:
        return Cell()
    if isinstance(term, ox.NamedNode):
        return Cell(term.value, term.value if term.value.startswith(LINKABLE) else None)
    if isinstance(term, ox.BlankNode):
        return Cell("_:" + term.value)
    if isinstance(term, ox.Literal):
        return Cell(term.value, None, term.language or term.datatype.value)
    return Cell(str(term))
