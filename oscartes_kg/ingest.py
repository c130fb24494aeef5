"""The only write path for files: parse -> validate with the stored context -> write, all or nothing.

Nothing reaches the store before the whole input has parsed and passed the shapes together
with the stored facts the shapes need (the types, schemes and memberships of what the input
refers to). A rejected input leaves the store exactly as it was.
"""
from __future__ import annotations

import sys
import xml.parsers.expat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from . import derived, dumps, formats, graphs, history
from .store import sparql_term
from .errors import NotFound, ParseError, RejectedInput
from .validation import Report, validator

__all__ = ["IngestResult", "parse", "check", "load", "CONTEXT_DEPTH", "REMOTE_CONTEXT_MESSAGE"]

#: How far from the input the stored context is fetched: initiative -> review -> reviewer ->
#: group -> collective is the longest path a shape follows (charter criterion check).
CONTEXT_DEPTH = 4

#: JSON-LD contexts are never fetched (DEVELOPERS.md: untrusted input must not make us call out).
REMOTE_CONTEXT_MESSAGE = (
    "contexte JSON-LD distant refusé : oscartes-kg ne télécharge jamais de « @context » ; "
    "remplacez son adresse par le contexte lui-même (un objet JSON) / remote JSON-LD @context "
    "refused: contexts are never fetched, put the context itself (a JSON object) in the file")


@dataclass(frozen=True)
class IngestResult:
    """What a load did: the quads written, per graph, and the warnings that did not block."""

    files: tuple[str, ...]
    quads: int
    graphs: dict = field(default_factory=dict)     # graph IRI -> quads written
    skipped_schema_quads: int = 0
    report: Report = field(default_factory=Report)
    entities: frozenset = frozenset()              # subjects written (for derived indexes)


def parse(paths: Sequence[str | Path], *, graph: ox.NamedNode | None = None,
          format: str | None = None, progress: bool = False) -> ox.Store:
    """Parse files into an in-memory store; triples outside a named graph go to ``graph``.

    Relative IRIs are refused (no base is guessed), and JSON-LD contexts are never fetched.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp(), "one.ttl")
    >>> _ = path.write_text('<https://e.org/a> <https://e.org/p> "x" .')
    >>> len(parse([path]))
    1

    :raises NotFound: a file does not exist.
    :raises UnknownFormat: a file's format cannot be told from its extension or ``format``.
    :raises ParseError: a file is not well-formed; the message names the file and line.
    """
    target = graph or graphs.CONTRIBUTIONS
    staging = ox.Store()
    for path in tqdm(paths, desc="lecture", unit="fichier", disable=not progress, file=sys.stderr):
        rdf_format = formats.by_name(format) if format else formats.guess(path)
        if not Path(path).exists():  # a directory exists: it gets "unreadable" below
            raise NotFound("fichier introuvable / file not found", file=str(path))
        try:
            staging.load(path=str(path), format=rdf_format, base_iri=None, to_graph=target)
        except SyntaxError as error:
            raise _parse_error(error, path, rdf_format) from None
        except (OSError, UnicodeDecodeError) as error:
            raise ParseError(f"fichier illisible ({error.__class__.__name__}) / unreadable file",
                             file=str(path), rule="read") from None
    return staging


_UNKNOWN = object()


def check(store, staging: ox.Store, removed: set | None = None, *, focus: set | None = None,
          stored=_UNKNOWN) -> Report:
    """Validate ``staging`` as if it were written to ``store``; ``staging`` is left as it was.

    Besides the entities the input describes, the stored entities that point to them are
    validated again: typing a stored carrier as a political party breaks the stored
    initiatives it carries (charter criterion 1), though the input never names them.
    ``removed``, for an edit, holds the stored quads it deletes: they are left out of the
    stored context, and their subjects are validated too (deleting a required label breaks them).
    """
    removed = removed or set()
    if stored is _UNKNOWN:
        stored = _nodes_of_fresh_store(store)
    focus = (set(focus) if focus is not None else _focus(staging)) | {
        q.subject for q in removed if isinstance(q.subject, ox.NamedNode)}
    focus |= _referrers(store, focus if stored is None else focus & stored[1])
    added = _add_context(store, staging, focus, None if stored is None else stored[0], removed)
    try:
        return validator().validate(staging, focus={n.value for n in focus})
    finally:
        for quad in added:
            staging.remove(quad)


def load(store, paths: Sequence[str | Path], *, graph: ox.NamedNode | None = None,
         format: str | None = None, progress: bool = False, author: str | None = None,
         message: str | None = None, channel: str = "load") -> IngestResult:
    """Parse, validate and write ``paths`` into ``store`` in one all-or-nothing write.

    ``author``, ``message`` and ``channel`` (``load`` or ``import``) describe the write for the
    history (issue 5, section 4).

    Quads for the graphs ``init`` manages (ontology, thesauri, shapes, metadata) are left out:
    those graphs come from the shipped files, so a dump loads back without duplicating them.

    :raises ParseError, NotFound, UnknownFormat: before anything is written.
    :raises RejectedInput: the data break a shape of severity Violation; carries the report.
    """
    with tqdm(total=3, desc="lecture", unit="étape", disable=not progress,
              file=sys.stderr) as steps:
        staging = parse(paths, graph=graph, format=format, progress=progress)
        skipped = _drop_schema_graphs(staging)
        steps.update()
        steps.set_description("validation")
        recording = history.start_load(store, staging, author=author, channel=channel,
                                       message=message or ", ".join(Path(p).name for p in paths))
        entities = frozenset(_focus(staging))
        stored = _nodes_of_fresh_store(store)  # before anything is written
        per_graph = {row[0].value: int(row[1].value) for row in staging.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
        writing = _begin_first_load(store, staging, stored)
        try:
            report = check(store, staging, focus=entities, stored=stored)
        except BaseException:
            _refused(recording, writing)
            raise
        steps.update()
        if not report.conforms:
            _refused(recording, writing)
            raise RejectedInput(
                f"{len(report.errors)} erreur(s) : rien n'a été enregistré / "
                f"{len(report.errors)} error(s): nothing was written", report=report,
                rule="shapes")
        steps.set_description("écriture")
        changeset = recording.finish(entities)  # written with the data, in the same load
        if writing is not None:
            try:
                writing.keep(changeset.quads)
            except BaseException:
                changeset.discard()  # a delta file no changeset will name
                raise
            written = len(staging)
        else:
            staging.extend(changeset.quads)
            # the listing keys of what is written: with it on a first load, else just after it
            keyed = derived.add_to_first_load(store, staging)
            try:
                written = store.insert(staging) - len(changeset.quads)
            except BaseException:
                changeset.discard()
                raise
            if not keyed:
                derived.refresh(store, entities)
        store.flush()
        dumps.stamp_change(store)  # a new data version: dumps, counts and caches are made again
        steps.update()
    return IngestResult(tuple(map(str, paths)), written, per_graph, skipped, report, entities)


def _begin_first_load(store, staging: ox.Store, stored):
    """On a first bulk load into an embedded store (it holds only the schema graphs: ``stored``
    is known), start writing ``staging`` with its derived keys while it is validated; else None.

    The write is journaled: a refusal, or a killed process, removes it (see
    ``EmbeddedStore.begin_first_load``). On two cores this overlaps the ~35 s of validation with
    the ~40 s of writing at 100,000 organisations.
    """
    begin = getattr(store, "begin_first_load", None)
    if (stored is None or begin is None or getattr(store, "path", None) is None
            or len(staging) < store.bulk_threshold or staging.contains_named_graph(graphs.PRIVATE_HISTORY)):
        return None
    derived.add_to_first_load(store, staging)  # the keys go in with the data
    return begin(staging, [*staging.named_graphs(), graphs.PRIVATE_HISTORY])


def _refused(recording, writing) -> None:
    """Undo what a refused load started: its delta file, its speculative write."""
    recording.discard()
    if writing is not None:
        writing.undo()


def _focus(staging: ox.Store) -> set:
    """Entities the input describes (its subjects). Adding triples cannot break the entities it
    merely points to, as long as no shape counts values through an inverse path."""
    return _distinct(staging, "SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x ?p ?o } FILTER(isIRI(?x)) }")


def _pointed_to(staging: ox.Store) -> set:
    """The IRIs the input points to."""
    return _distinct(staging, "SELECT DISTINCT ?x WHERE { GRAPH ?g { ?s ?p ?x } FILTER(isIRI(?x)) }")


def _distinct(staging: ox.Store, sparql: str) -> set:
    return {row[0] for row in staging.query(sparql)}


def _referrers(store, nodes: Iterable, batch: int = 500) -> set:
    """Stored entities with a link to one of ``nodes`` (one hop: what ``sh:class``, ``sh:not``
    and ``sh:node`` read on a linked value), changesets aside. Batched: one query per ``batch``
    nodes."""
    ordered = sorted(nodes, key=lambda n: n.value)
    found = set()
    for start in range(0, len(ordered), batch):
        values = " ".join(sparql_term(n) for n in ordered[start:start + batch])
        found |= {row[0] for row in store.query(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?o {{ {values} }} ?s ?p ?o FILTER(isIRI(?s)) }}",
            union_default_graph=True)}
    # changesets link every entity they changed (osc:changed): history, not data to validate
    return {node for node in found if not history.is_changeset(node)}


def _nodes_of_fresh_store(store) -> tuple[set, set] | None:
    """(subject IRIs, object IRIs) of a store holding only the graphs ``init`` writes, else None.

    A first import into a fresh store can then skip looking up each of its (possibly
    hundreds of thousands of) entities: only those the schema graphs mention have context.
    """
    if any(g not in graphs.SCHEMA_GRAPHS for g in store.graphs()):
        return None
    return tuple(_distinct_in(store, f"SELECT DISTINCT ?x WHERE {{ {pattern} FILTER(isIRI(?x)) }}")
                 for pattern in ("?x ?p ?o", "?s ?p ?x"))


def _distinct_in(store, sparql: str) -> set:
    return {row[0] for row in store.query(sparql, union_default_graph=True)}


def _add_context(store, staging: ox.Store, focus: Iterable, stored: set | None = None,
                 removed: set | None = None) -> list:
    """Copy into ``staging`` the stored quads the shapes may read; return those added.

    The focus entities get every stored quad (a load adds to what is stored). From there,
    only the predicates the shapes read are followed, up to ``CONTEXT_DEPTH`` links away: a
    theme's scheme, a reviewer's membership, not the whole thesaurus. ``stored``, when given,
    holds every subject the store has: nothing else is looked up. Quads in ``removed`` (an
    edit deletes them) are never copied.
    """
    removed = removed or set()
    needed = validator().read_predicates
    added: list = []

    def add(quad) -> None:
        if quad not in staging and quad not in removed:
            staging.add(quad)
            added.append(quad)

    def lookup(nodes: set) -> list:
        nodes = nodes if stored is None else nodes & stored
        return store.outgoing(sorted(nodes, key=lambda n: n.value))

    for quad in lookup(set(focus)):
        add(quad)
    seen = set(focus)
    frontier = _pointed_to(staging) - seen
    for _depth in range(CONTEXT_DEPTH):
        if not frontier:
            break
        seen |= frontier
        following = set()
        for quad in lookup(frontier):
            if quad.predicate.value in needed:
                add(quad)
                if isinstance(quad.object, ox.NamedNode):
                    following.add(quad.object)
        frontier = following - seen
    return added


def _drop_schema_graphs(staging: ox.Store) -> int:
    skipped = 0
    for graph in graphs.SCHEMA_GRAPHS:
        skipped += len(list(staging.quads_for_pattern(None, None, None, graph)))
        staging.remove_graph(graph) if staging.contains_named_graph(graph) else None
    return skipped


def _parse_error(error: SyntaxError, path, rdf_format: ox.RdfFormat) -> ParseError:
    """A ParseError naming the file and, whenever it can be found, the line."""
    text = str(error.msg if hasattr(error, "msg") else error)
    if "LoadDocumentCallback" in text or "remote context" in text.lower():
        return ParseError(REMOTE_CONTEXT_MESSAGE, file=str(path), rule="jsonld-remote-context")
    line = getattr(error, "lineno", None)
    if line is None and rdf_format == ox.RdfFormat.RDF_XML:
        line = _xml_error_line(path)  # pyoxigraph's RDF/XML errors carry no position
    return ParseError(f"erreur de syntaxe : {text} / syntax error", file=str(path), line=line,
                      rule="syntax")


def _xml_error_line(path) -> int | None:
    """The line of the first XML well-formedness error in ``path`` (expat fetches nothing)."""
    parser = xml.parsers.expat.ParserCreate()
    try:
        with open(path, "rb") as source:
            parser.ParseFile(source)
    except xml.parsers.expat.ExpatError as error:
        return error.lineno
    return None
