"""SPARQL Update text: parsed by rdflib with no implicit prefixes, and cut into its operations.

rdflib gives the operations and their templates; Oxigraph evaluates each WHERE clause. The WHERE
is handed to Oxigraph as the client wrote it, cut out of the request text by a small scanner,
rather than written back from rdflib's algebra: ``translateAlgebra`` was measured to drop a
FILTER inside an OPTIONAL and to move BINDs, which changes the solutions.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pyparsing import ParseException
from rdflib import Graph
from rdflib.namespace import NamespaceManager
from rdflib.plugins.sparql import algebra
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Prologue

from .errors import QueryError

__all__ = ["Operation", "parse_update", "split_operations", "where_group"]

# What the scanner steps over whole: comments, long and short strings, IRIs (SPARQL 1.1 grammar
# section 19.8: IRIREF, STRING_LITERAL*), so that braces, semicolons and WHERE inside them
# do not count.
_SKIP = re.compile(r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                   r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>', re.S)
_WHERE = re.compile(r"(?<![\w:?$])WHERE(?![\w:])", re.I)


@dataclass
class Operation:
    """One operation of an update: rdflib's algebra, the prefixes in scope, its own text."""

    algebra: CompValue
    prefixes: list
    base: str | None
    text: str = ""


def parse_update(text: str) -> list[Operation]:
    """Parse ``text`` into its operations; only declared prefixes resolve (no rdflib defaults).

    >>> [op.algebra.name for op in parse_update("PREFIX e: <http://e/> INSERT DATA { e:a e:b 1 } ; CLEAR ALL")]
    ['InsertData', 'Clear']

    :raises QueryError: the update is malformed or uses an undeclared prefix (with line and column).
    """
    try:
        parsed = parseUpdate(text)
    except ParseException as error:
        raise QueryError(f"mise à jour SPARQL mal formée, ligne {error.lineno}, colonne {error.col} "
                         f"/ malformed SPARQL update, line {error.lineno}, column {error.col}: "
                         f"{error.msg}", line=error.lineno, rule="syntax") from None
    prologue = Prologue()
    prologue.base = ""
    prologue.namespace_manager = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    operations = []
    try:
        for declarations, request in zip(parsed.prologue, parsed.request):
            prologue = algebra.translatePrologue(declarations, None, None, prologue)
            request = algebra.traverse(request, visitPost=functools.partial(
                algebra.translatePName, prologue=prologue))
            request = algebra._traverse(request, algebra._simplifyFilters)
            request = algebra.traverse(request, visitPost=algebra.translatePath)
            operations.append(Operation(algebra.translateUpdate1(request, prologue),
                                        list(prologue.namespace_manager.namespaces()),
                                        prologue.base or None))
    except Exception as error:  # rdflib raises bare Exceptions for unknown prefixes
        raise QueryError(f"mise à jour SPARQL refusée / SPARQL update refused: {error}",
                         rule="syntax") from None
    texts = [chunk for chunk in split_operations(text) if _has_operation(chunk)]
    if len(texts) != len(operations):
        raise QueryError("mise à jour SPARQL illisible / cannot split the SPARQL update into "
                         "its operations", rule="syntax")
    for operation, chunk in zip(operations, texts):
        operation.text = chunk
    return operations


def _scan(text: str):
    """Yield (position, character) for the characters outside comments, strings and IRIs."""
    position = 0
    while position < len(text):
        skipped = _SKIP.match(text, position)
        if skipped and skipped.end() > position:
            position = skipped.end()
            continue
        yield position, text[position]
        position += 1


def split_operations(text: str) -> list[str]:
    """Cut an update at its top-level ``;`` (those inside braces separate predicates).

    >>> split_operations('INSERT DATA { <a:x> <a:p> "1;2" ; <a:q> 3 } ; CLEAR ALL')
    ['INSERT DATA { <a:x> <a:p> "1;2" ; <a:q> 3 } ', ' CLEAR ALL']
    """
    chunks, depth, start = [], 0, 0
    for position, char in _scan(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == ";" and depth == 0:
            chunks.append(text[start:position])
            start = position + 1
    chunks.append(text[start:])
    return chunks


def _outside(text: str) -> str:
    """``text`` with comments, strings and IRIs blanked out (same length, same positions)."""
    kept = [" "] * len(text)
    for position, char in _scan(text):
        kept[position] = char
    return "".join(kept)


_DECLARATION = re.compile(r"\s*(?:PREFIX\s+[^\s:]*:\s*|BASE\s*)", re.I)


def _has_operation(chunk: str) -> bool:
    """Whether a chunk holds an operation, not only PREFIX/BASE declarations (and comments)."""
    rest = _outside(chunk)
    while (found := _DECLARATION.match(rest)) is not None:
        rest = rest[found.end():].lstrip()  # the IRI itself was blanked out
    return bool(rest.strip())


def where_group(chunk: str) -> str:
    """The ``{ ... }`` group after the top-level WHERE of one operation, as the client wrote it.

    >>> where_group('DELETE { ?s <p:x> ?o } WHERE { ?s <p:x> ?o FILTER(?o != "}") }')
    '{ ?s <p:x> ?o FILTER(?o != "}") }'
    """
    outside = _outside(chunk)
    depth, found = 0, None
    for position, char in enumerate(outside):
        if char == "{":
            if depth == 0 and found is not None:
                return chunk[position:_closing(outside, position) + 1]
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and found is None and _WHERE.match(outside, position):
            found = position
    raise QueryError("clause WHERE introuvable / no WHERE clause found", rule="syntax")


def _closing(outside: str, start: int) -> int:
    """Position of the brace closing the one at ``start``."""
    depth = 0
    for position in range(start, len(outside)):
        depth += {"{": 1, "}": -1}.get(outside[position], 0)
        if depth == 0:
            return position
    raise QueryError("accolade non fermée / unclosed brace", rule="syntax")
