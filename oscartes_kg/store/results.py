"""Query results read to the end, which any thread may free (see :mod:`oscartes_kg.store`).

pyoxigraph's lazy ``QuerySolutions`` and ``QueryTriples`` are PyO3 "unsendable": freed on another
thread than their own (by the garbage collector, when a reference cycle holds them) they leak and
raise an unraisable RuntimeError. :class:`Solutions` and :class:`Triples` hold only rows
(``QuerySolution``), variables and terms, which any thread may free. They behave like
pyoxigraph's: iterable once, ``next()`` works, ``.variables``, and ``serialize``.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO, Union

from pyoxigraph import (
    BlankNode, Literal, NamedNode, QueryBoolean, QueryResultsFormat, QuerySolution,
    QuerySolutions, QueryTriples, RdfFormat, Triple, Variable, parse_query_results, serialize,
)

__all__ = ["Solutions", "Triples", "QueryResult", "LazyResult", "materialize",
           "solutions_json", "reserialize", "term_json"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"


class _ReadOnce:
    """Iterable once, like pyoxigraph's results: one list iterator, returned by ``__iter__``
    too, so ``for`` loops run at C speed and items read by ``next()`` are not read again."""

    __slots__ = ("_items",)

    def __init__(self, items: list):
        self._items = iter(items)

    def __iter__(self) -> Iterator:
        return self._items

    def __next__(self):
        return next(self._items)


class Solutions(_ReadOnce):
    """The rows of a SELECT, read to the end: iterable once, like pyoxigraph's ``QuerySolutions``.

    >>> from pyoxigraph import Store
    >>> rows = materialize(Store().query('SELECT ?a ?b WHERE { BIND("x" AS ?a) }'))
    >>> [v.value for v in rows.variables], [(row["a"].value, row[1]) for row in rows]
    (['a', 'b'], [('x', None)])
    """

    __slots__ = ("variables",)

    def __init__(self, variables: list[Variable], rows: list[QuerySolution]):
        super().__init__(rows)
        self.variables = list(variables)

    def __repr__(self) -> str:
        return f"<Solutions variables={[v.value for v in self.variables]}>"

    def serialize(self, output: BinaryIO | str | None = None,
                  format: QueryResultsFormat | None = None) -> bytes | None:
        """Write the rows not read yet, as ``QuerySolutions.serialize`` does (JSON, XML, CSV,
        TSV): bytes when ``output`` is None.

        >>> from pyoxigraph import Store
        >>> rows = materialize(Store().query('SELECT ?a WHERE { VALUES ?a { "x" 1 } }'))
        >>> rows.serialize(format=QueryResultsFormat.CSV)
        b'a\\r\\nx\\r\\n1\\r\\n'
        """
        document = solutions_json([variable.value for variable in self.variables], self._items)
        return reserialize(document, output, format)


class Triples(_ReadOnce):
    """The triples of a CONSTRUCT or DESCRIBE, read to the end: iterable once, like
    pyoxigraph's ``QueryTriples``.

    >>> from pyoxigraph import Store
    >>> triples = materialize(Store().query('CONSTRUCT { <http://e/s> <http://e/p> "x" } WHERE {}'))
    >>> triples.serialize(format=RdfFormat.N_TRIPLES)
    b'<http://e/s> <http://e/p> "x" .\\n'
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<Triples>"

    def serialize(self, output: BinaryIO | str | None = None,
                  format: RdfFormat | None = None) -> bytes | None:
        """Write the triples not read yet, as ``QueryTriples.serialize`` does: bytes when
        ``output`` is None."""
        return serialize(list(self._items), output, format)


def solutions_json(variables: list[str], rows) -> bytes:
    """SPARQL 1.1 Query Results JSON for ``rows`` (tuples of terms, or ``QuerySolution``; None
    for unbound).

    >>> solutions_json(["s", "n"], [(NamedNode("http://e/a"), Literal("é", language="fr"))])
    b'{"head":{"vars":["s","n"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://e/a"},"n":{"type":"literal","value":"\\xc3\\xa9","xml:lang":"fr"}}]}}'
    """
    bindings = [{name: term_json(term) for name, term in zip(variables, row) if term is not None}
                for row in rows]
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def reserialize(document: bytes, output: BinaryIO | str | None = None,
                format: QueryResultsFormat | None = None) -> bytes | None:
    """SPARQL JSON results written in another results format by pyoxigraph's own serializer.

    The pyoxigraph results made for it never leave this call (they are unsendable).
    """
    results = parse_query_results(document, QueryResultsFormat.JSON)
    try:
        return results.serialize(output, format)
    finally:
        del results


#: What ``Store.query`` returns; ``LazyResult`` is what it returns with ``lazy=True``.
QueryResult = Union[Solutions, QueryBoolean, Triples]
LazyResult = Union[QuerySolutions, QueryBoolean, QueryTriples]


def materialize(results: LazyResult) -> QueryResult:
    """Read pyoxigraph's lazy results to the end, on this thread, and let go of them.

    :raises OSError, SyntaxError, RuntimeError: as pyoxigraph does while reading (a failing
        ``SERVICE``, a cut answer); the lazy results are already let go of.
    """
    try:
        if isinstance(results, QuerySolutions):
            return Solutions(results.variables, list(results))
        if isinstance(results, QueryTriples):
            return Triples(list(results))
        return results
    finally:
        # An error's traceback keeps this frame: without this, it would keep the lazy results
        # too, and whoever ends up freeing the traceback would free them on its own thread.
        del results


def term_json(term) -> dict:
    """One term in SPARQL 1.1 Query Results JSON (with RDF 1.2 triple terms and directions)."""
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        found = {"type": "literal", "value": term.value}
        if term.language:
            found["xml:lang"] = term.language
            if term.direction is not None:
                found["its:dir"] = term.direction.value
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING, _RDF_DIR_LANG_STRING):
            found["datatype"] = term.datatype.value
        return found
    if isinstance(term, Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"unexpected term in a solution: {term!r}")
