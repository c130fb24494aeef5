"""Writes that are not file loads: SPARQL Update and Graph Store requests, as a computed change.

A request is first turned into a ``Change`` (the quads it removes and adds) without writing
anything; ``apply`` then checks the role, validates the state after the change against the
shapes, and writes it all or nothing. This is the same rule as ``ingest.load``: a violating
update is refused with the report and the store is left exactly as it was.

How an update is computed: rdflib parses it (``update_text``); each WHERE clause runs as a
SELECT on our store with Oxigraph, over the graphs the caller may read (the endpoint's default
graph is their union); the templates are filled in here, with fresh blank nodes per solution.
Operations separated by ``;`` apply in sequence: each sees the quads the earlier ones removed or
added. For operations without WHERE this is computed exactly in Python. An operation with a
WHERE that follows one that changed something is evaluated on an in-memory copy of the graphs
it may read, with the earlier changes applied; past ``OVERLAY_LIMIT`` quads that copy is refused
(send the operations as separate requests). Limits: rdflib normalises literals it parses
("01"^^xsd:integer becomes "1"); a remote store cannot name stored blank nodes.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Literal as RdfLiteral, URIRef, Variable

from . import catalogue, dumps, graphs, history, ingest, roles
from .errors import Forbidden, NotFound, QueryError, RejectedInput
from .store import open_store, sparql_term
from .update_text import Operation, parse_update, where_group
from .validation import Report

__all__ = ["Change", "ChangeResult", "from_update", "replace_graph", "add_to_graph", "drop_graph",
           "apply", "OVERLAY_LIMIT"]

#: Largest readable dataset copied to memory to evaluate a WHERE after an earlier operation.
OVERLAY_LIMIT = 200_000


@dataclass
class Change:
    """What a request does: quads removed, quads added, the graphs it names as targets (a
    ``DROP GRAPH`` of an empty graph still needs the right to write it) and the graphs it drops
    (a store keeps an emptied graph's name until it is dropped)."""

    removed: list = field(default_factory=list)
    added: list = field(default_factory=list)
    targets: set = field(default_factory=set)
    dropped: set = field(default_factory=set)


@dataclass(frozen=True)
class ChangeResult:
    """What ``apply`` wrote: quads removed and added per graph IRI, and the warnings."""

    removed: dict
    added: dict
    report: Report

    @property
    def warnings(self) -> list:
        """Violations of severity Warning or Info: written anyway, worth showing."""
        return self.report.warnings


# --- the working state of a request --------------------------------------------------------------

class _Working:
    """The store as a request sees it so far: stored quads, minus ``removed``, plus ``added``."""

    def __init__(self, store, readable: Sequence[ox.NamedNode]):
        self.store = store
        self.readable = list(readable)
        self.removed: dict = {}   # insertion-ordered sets
        self.added: dict = {}

    def stored(self, quad: ox.Quad) -> bool:
        return any(True for _ in self.store.quads(quad.subject, quad.predicate, quad.object,
                                                  quad.graph_name))

    def holds(self, quad: ox.Quad) -> bool:
        if quad in self.added:
            return True
        return quad not in self.removed and self.stored(quad)

    def remove(self, quad: ox.Quad, *, known: bool = False) -> None:
        if quad in self.added:
            del self.added[quad]
        elif quad not in self.removed and (known or self.stored(quad)):
            self.removed[quad] = None

    def add(self, quad: ox.Quad) -> None:
        if quad in self.removed:
            del self.removed[quad]
        elif quad not in self.added and not self.stored(quad):
            self.added[quad] = None

    def graph(self, graph: ox.NamedNode) -> list[ox.Quad]:
        """The quads of ``graph`` now (nothing if the caller may not read it)."""
        if graph not in self.readable and graph not in {q.graph_name for q in self.added}:
            return []
        found = [q for q in self.store.quads(None, None, None, graph) if q not in self.removed]
        return found + [q for q in self.added if q.graph_name == graph]

    def holders(self, subject, predicate, object_, within: Sequence) -> list[ox.Quad]:
        """The quads of the triple in each graph of ``within`` that holds it now."""
        found = [q for q in self.store.quads(subject, predicate, object_, None)
                 if q.graph_name in within and q not in self.removed]
        return found + [q for q in self.added if q.graph_name in within
                        and (q.subject, q.predicate, q.object) == (subject, predicate, object_)]

    def changed(self) -> bool:
        return bool(self.removed or self.added)


# --- SPARQL Update ---------------------------------------------------------------------------------

def from_update(store, text: str, *, readable: list[ox.NamedNode],
                write_default: ox.NamedNode = graphs.CONTRIBUTIONS) -> Change:
    """Compute what the SPARQL 1.1 Update ``text`` would change, without writing anything.

    ``readable`` are the graphs the caller may read: WHERE clauses see only them (their union
    is the default graph), and a DELETE triple without GRAPH is removed from each of them that
    holds it. An INSERT triple without GRAPH goes to ``write_default`` (or the WITH graph).

    >>> store = open_store()
    >>> change = from_update(store, 'INSERT DATA { <http://e/a> <http://e/p> "x" }', readable=[])
    >>> [str(q.graph_name) for q in change.added]
    ['<https://w3id.org/oscartes/graph/contributions>']

    :raises QueryError: the update is malformed, uses LOAD or SERVICE, or cannot be evaluated.
    """
    working = _Working(store, readable)
    change = Change()
    for operation in parse_update(text):
        _apply_operation(working, operation, change, write_default)
    change.removed, change.added = list(working.removed), list(working.added)
    change.dropped -= {q.graph_name for q in change.added}  # dropped, then written again
    return change


def _apply_operation(working: _Working, operation: Operation, change: Change, write_default) -> None:
    """Fold one operation into the working state."""
    op = operation.algebra
    name = op.name
    if name == "Load":
        raise QueryError("LOAD est refusé : le serveur ne télécharge jamais une adresse pour un "
                         "client ; envoyez les données elles-mêmes (INSERT DATA ou Graph Store) / "
                         "LOAD is refused: the server never fetches a URL for a client; send the "
                         "data itself", rule="load")
    if name == "InsertData":
        blanks: dict = {}
        for quad in _instantiate(op, {}, blanks, default=write_default):
            working.add(quad)
            change.targets.add(quad.graph_name)
    elif name == "DeleteData":
        for graph, triple in _template(op):
            _delete(working, change, graph, triple, {}, None)
    elif name in ("DeleteWhere", "Modify"):
        _modify(working, operation, change, write_default)
    elif name in ("Clear", "Drop"):
        for graph in _graph_ref(working, op.graphiri, write_default):
            change.targets.add(graph)
            if name == "Drop":
                change.dropped.add(graph)
            for quad in working.graph(graph):
                working.remove(quad, known=True)
    elif name == "Create":
        graph = _named(op.graphiri)
        change.targets.add(graph)
        if not op.silent and working.graph(graph):
            raise QueryError(f"le graphe {graph.value} existe déjà / graph {graph.value} already "
                             "exists (CREATE SILENT accepts it)", entity=graph.value, rule="create")
    elif name in ("Add", "Move", "Copy"):
        _copy(working, change, op, write_default)
    else:  # pragma: no cover - rdflib knows no other operation
        raise QueryError(f"opération inconnue {name} / unknown operation {name}")


def _graph_ref(working: _Working, ref, write_default) -> list[ox.NamedNode]:
    """The graphs a CLEAR/DROP names: one IRI, DEFAULT (``write_default``), NAMED or ALL
    (every readable graph: the store's own default graph is always empty)."""
    if ref in ("DEFAULT",):
        return [write_default]
    if ref in ("NAMED", "ALL"):
        return list(working.readable)
    return [_named(ref)]


def _copy(working: _Working, change: Change, op, write_default) -> None:
    """ADD, MOVE and COPY (SPARQL 1.1 Update section 3.2.3-3.2.5); DEFAULT is ``write_default``."""
    source, target = (write_default if ref == "DEFAULT" else _named(ref) for ref in op.graph)
    change.targets |= {target} | ({source} if op.name == "Move" else set())
    if source == target:
        return
    quads = working.graph(source)
    if op.name in ("Move", "Copy"):
        for quad in working.graph(target):
            working.remove(quad, known=True)
    for quad in quads:
        working.add(ox.Quad(quad.subject, quad.predicate, quad.object, target))
    if op.name == "Move":
        change.dropped.add(source)
        for quad in quads:
            working.remove(quad, known=True)


def _modify(working: _Working, operation: Operation, change: Change, write_default) -> None:
    """DELETE WHERE and DELETE/INSERT ... WHERE: evaluate the WHERE, then fill the templates."""
    op = operation.algebra
    _refuse_service(op.where)
    with_graph = _named(op.withClause) if op.withClause is not None else None
    default, named = _dataset(working, op, with_graph)
    solutions = _solutions(working, operation, default, named)
    if op.name == "DeleteWhere":
        deletes, inserts = list(_template(op)), []
    else:
        deletes = list(_template(op.delete)) if op.delete else []
        inserts = op.insert
    for solution in solutions:
        for graph, triple in deletes:
            _delete(working, change, graph, triple, solution, with_graph)
    for solution in solutions:  # every deletion happens before any insertion (section 3.1.3)
        if inserts:
            for quad in _instantiate(inserts, solution, {}, default=with_graph or write_default):
                working.add(quad)
                change.targets.add(quad.graph_name)


def _dataset(working: _Working, op, with_graph) -> tuple[list, list]:
    """(default graphs, named graphs) a WHERE sees: USING/USING NAMED, else WITH, else every
    readable graph; a graph the caller may not read is never part of it."""
    readable = working.readable
    using = op.using or []
    if using:
        default = [_named(u.default) for u in using if u.default is not None]
        named = [_named(u.named) for u in using if u.named is not None]
        return [g for g in default if g in readable], [g for g in named if g in readable]
    if with_graph is not None:
        return [with_graph] if with_graph in readable else [], list(readable)
    return list(readable), list(readable)


def _solutions(working: _Working, operation: Operation, default: list, named: list) -> list[dict]:
    """The WHERE's solutions as ``{variable name: term}``, on the store or on an overlay."""
    prologue = "".join(f"PREFIX {prefix}: {sparql_term(ox.NamedNode(str(iri)))}\n"
                       for prefix, iri in operation.prefixes)
    if operation.base:
        prologue = f"BASE {sparql_term(ox.NamedNode(operation.base))}\n" + prologue
    sparql = f"{prologue}SELECT * WHERE {where_group(operation.text)}"
    target = working.store
    if working.changed():
        target = _overlay(working, set(default) | set(named))
    options: dict = {"default_graph": default, "named_graphs": named}
    if (target is working.store and target.backend == "embedded" and default == named
            and set(default) == set(target.graphs())):
        # every graph: much faster on the embedded store, and named graphs stay visible there
        # (not on a server, where listing default graphs hides the named ones)
        options = {"union_default_graph": True}
    results = target.query(sparql, **options)
    variables = [v.value for v in results.variables]
    return [{name: row[name] for name in variables if row[name] is not None} for row in results]


def _overlay(working: _Working, visible: set):
    """An in-memory store holding the ``visible`` graphs as the request has changed them."""
    size = sum(working.store.count(graph) for graph in visible if graph in working.store.graphs())
    if size > OVERLAY_LIMIT:
        raise QueryError(
            f"mise à jour trop grande : une opération avec WHERE suit une opération qui modifie "
            f"des données lisibles ({size} quads) ; envoyez-les en requêtes séparées / update too "
            f"large: send these operations as separate requests", rule="overlay")
    memory = open_store()
    memory.insert([q for graph in visible for q in working.graph(graph)])
    return memory


def _refuse_service(where) -> None:
    """SERVICE would make the server call out on a client's behalf (DEVELOPERS.md): refused."""
    if where is None:
        return
    pending = [where]
    while pending:
        node = pending.pop()
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise QueryError("SERVICE est refusé dans une mise à jour / SERVICE is refused in an "
                             "update", rule="service")
        if isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, (list, tuple)):
            pending.extend(node)


def _template(clause) -> Iterable[tuple]:
    """(graph or None, triple) for each triple of a template or data block."""
    for triple in clause.triples or []:
        yield None, triple
    for graph, triples in (clause.quads or {}).items():
        for triple in triples:
            yield graph, triple


def _delete(working: _Working, change: Change, graph, triple, solution: dict, with_graph) -> None:
    """Remove one instantiated DELETE triple: from its graph, else the WITH graph, else every
    readable graph that holds it."""
    terms = [_term(t, solution, None) for t in triple]
    if any(t is None for t in terms) or not _valid(*terms):
        return
    if working.store.backend != "embedded" and any(isinstance(t, ox.BlankNode) for t in terms):
        raise QueryError("impossible de supprimer un nœud anonyme sur un serveur SPARQL distant "
                         "/ cannot delete a blank node on a remote SPARQL server", rule="blank-node")
    if graph is not None:
        target = _term(graph, solution, None)
        if not isinstance(target, ox.NamedNode):
            return
        within = [target]
        change.targets.add(target)
    else:
        within = [with_graph] if with_graph is not None else working.readable
    for quad in working.holders(*terms, within):
        working.remove(quad, known=True)


def _instantiate(clause, solution: dict, blanks: dict, *, default) -> list[ox.Quad]:
    """The quads of an INSERT template or data block for one solution; a triple with an unbound
    variable or an impossible term (a literal subject...) is left out (section 3.1.3)."""
    quads = []
    for graph, triple in _template(clause):
        terms = [_term(t, solution, blanks) for t in triple]
        target = default if graph is None else _term(graph, solution, blanks)
        if any(t is None for t in terms) or not isinstance(target, ox.NamedNode) or not _valid(*terms):
            continue
        quads.append(ox.Quad(*terms, target))
    return quads


def _valid(subject, predicate, object_) -> bool:
    return isinstance(subject, (ox.NamedNode, ox.BlankNode)) and isinstance(predicate, ox.NamedNode)


def _term(term, solution: dict, blanks: dict | None):
    """A pyoxigraph term for an rdflib one: variables from ``solution``, a template's blank
    nodes fresh for each solution (``blanks``), None when a variable is unbound."""
    if isinstance(term, Variable):
        return solution.get(str(term))
    if isinstance(term, BNode):
        if blanks is None:  # DELETE templates may not hold blank nodes (SPARQL 1.1 Update 3.1.3)
            raise QueryError("nœud anonyme interdit dans une suppression / blank node in a DELETE "
                             "template", rule="syntax")
        return blanks.setdefault(term, ox.BlankNode())
    if isinstance(term, URIRef):
        return _named(term)
    if isinstance(term, RdfLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise QueryError(f"terme inattendu / unexpected term {term!r}")


def _named(iri) -> ox.NamedNode:
    try:
        return ox.NamedNode(str(iri))
    except ValueError:
        raise QueryError(f"IRI invalide ou relative « {iri} » / invalid or relative IRI {str(iri)!r}",
                         rule="iri") from None


# --- Graph Store Protocol ----------------------------------------------------------------------------

def replace_graph(store, graph: ox.NamedNode, quads: Iterable) -> Change:
    """PUT: ``graph`` holds exactly ``quads`` afterwards (their own graph names are ignored)."""
    new = {ox.Quad(q.subject, q.predicate, q.object, graph): None for q in quads}
    old = list(store.quads(None, None, None, graph))
    return Change([q for q in old if q not in new], [q for q in new if q not in set(old)], {graph})


def add_to_graph(graph: ox.NamedNode, quads: Iterable) -> Change:
    """POST: add ``quads`` to ``graph`` (their own graph names are ignored)."""
    added = {ox.Quad(q.subject, q.predicate, q.object, graph): None for q in quads}
    return Change([], list(added), {graph})


def drop_graph(store, graph: ox.NamedNode) -> Change:
    """DELETE: remove ``graph`` and its quads.

    :raises NotFound: the store has no such graph (the Graph Store Protocol answers 404).
    """
    if graph not in store.graphs():
        raise NotFound(f"graphe introuvable / graph not found: {graph.value}", entity=graph.value)
    return Change(list(store.quads(None, None, None, graph)), [], {graph}, {graph})


# --- writing a change --------------------------------------------------------------------------------

def apply(store, change: Change, *, role: str | None, author: str | None = None,
          message: str | None = None, channel: str = "update",
          reverts: str | None = None) -> ChangeResult:
    """Check ``role``, validate the store as the change would leave it, then write it at once.

    ``author`` (IRI of the user account or API token), ``message`` and ``channel`` (``form``,
    ``api``, ``graph-store``, ``update``, ``review``, ``revert``, ``gdpr``...) describe the write
    for the history (issue 5, section 4); ``reverts`` is the id of the changeset a revert undoes.
    The changeset (``oscartes_kg.history``) is written in the same store write as the change.

    All or nothing: on refusal nothing is written. After the write, derived data (search
    index, closures) is refreshed for the entities the change touched.

    :raises Forbidden: the change writes a graph ``role`` may not write (the message names it).
    :raises RejectedInput: the result would break a shape of severity Violation; carries the report.
    """
    touched = {q.graph_name for q in change.removed} | {q.graph_name for q in change.added}
    for graph in sorted(touched | set(change.targets), key=str):
        if not roles.can_write_graph(role, graph):
            name = graph.value if isinstance(graph, ox.NamedNode) else "graphe par défaut / default graph"
            raise Forbidden(f"le rôle « {role} » ne peut pas écrire dans le graphe {name} / role "
                            f"{role!r} may not write graph {name}", entity=name, rule="role")
    history.guard(touched | set(change.targets))
    staging = ox.Store()
    staging.extend(change.added)
    report = ingest.check(store, staging, removed=set(change.removed))
    if not report.conforms:
        raise RejectedInput(
            f"{len(report.errors)} erreur(s) : rien n'a été enregistré / "
            f"{len(report.errors)} error(s): nothing was written", report=report, rule="shapes")
    recording = history.record(store, change.removed, change.added, author=author,
                               message=message, channel=channel, reverts=reverts)
    try:
        store.apply(change.removed, list(change.added) + recording.quads,
                    sorted(change.dropped, key=str))
    except BaseException:
        recording.discard()
        raise
    store.flush()
    _refresh_derived(store, change)
    dumps.stamp_change(store)
    catalogue.refresh(store, _touched(change))  # after the stamp: the index records that version
    return ChangeResult(_per_graph(change.removed), _per_graph(change.added), report)


def _per_graph(quads: list) -> dict:
    return dict(Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)))


def _touched(change: Change) -> set:
    """The entities a change wrote about (its subjects)."""
    return {q.subject for q in change.removed + change.added if isinstance(q.subject, ox.NamedNode)}


def _refresh_derived(store, change: Change) -> None:
    """Refresh derived data for the changed entities, once ``oscartes_kg.derived`` exists
    (another part of issue 3 builds it; until then there is nothing to refresh)."""
    try:
        from . import derived
    except ImportError:
        return
    entities = {q.subject for q in change.removed + change.added if isinstance(q.subject, ox.NamedNode)}
    derived.refresh(store, entities)
