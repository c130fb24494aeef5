"""What curators decide about a probable duplicate, written through ``changes.apply``.

Decisions live in the public graph ``IDENTITY`` (``graph/identity``): an ``owl:sameAs`` link is
public data that partner maps federate on (issue 6 §4), and an ``owl:differentFrom`` decision
is a fact about two organisations, not personal data; publishing both lets other maps reuse
the curators' work. They are kept out of the import graphs, which a re-import rewrites.

- *link*: ``a owl:sameAs b``; both entries stay as they are.
- *distinct*: ``a owl:differentFrom b`` (OWL 2 §9.2): never proposed again.
- *merge*: the imported entry is folded into ours. Its triples, still in its import graph (so the
  source's provenance and re-imports keep applying to them), are re-pointed to our IRI; ours
  wins on single-valued properties (``sh:maxCount 1``: coordinates...) and on its types and
  name (the import's name becomes a ``skos:altLabel``). ``IDENTITY`` keeps
  ``ours owl:sameAs theirs`` and ``theirs dcterms:isReplacedBy ours``: the next import of that
  source rewrites the entry to our IRI the same way (:func:`rewrite_entries`), so it updates
  the merged entry instead of creating the duplicate again.
"""
from __future__ import annotations

import pyoxigraph as ox

from .. import changes, graphs, names
from ..errors import Forbidden, NotFound, UsageError
from .detect import DIFFERENT_FROM, IS_REPLACED_BY, RDF_TYPE, SAME_AS

__all__ = ["IDENTITY", "ACTIONS", "DECIDER_ROLES", "may_decide", "decide", "rewrite_entries",
           "merged_into"]

IDENTITY = ox.NamedNode(graphs.BASE + "identity")
ACTIONS = ("link", "merge", "distinct")
DECIDER_ROLES = ("curator", "admin")
CHANNEL = "dedup"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ALT_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
SH_MAX_COUNT = ox.NamedNode("http://www.w3.org/ns/shacl#maxCount")
SH_PATH = ox.NamedNode("http://www.w3.org/ns/shacl#path")
IMPORT_PREFIX = graphs.BASE + "import/"


def may_decide(role: str | None) -> bool:
    """Curators and admins decide about duplicates.

    >>> may_decide("curator"), may_decide("contributor"), may_decide(None)
    (True, False, False)
    """
    return role in DECIDER_ROLES


def decide(store, action: str, a: str, b: str, *, role: str | None, author: str | None = None):
    """Record ``action`` about the pair; for ``merge``, ``b`` is folded into ``a``.

    All or nothing (one ``changes.apply``, channel ``dedup``); the proposal is then forgotten.

    :raises Forbidden: ``role`` may not decide.
    :raises UsageError: an unknown action, the same entity twice, or a merge of an entry that
        does not come from an import.
    :raises NotFound: either entity is not in a public graph.
    :raises RejectedInput: the result would break a shape (nothing is written).
    """
    from . import proposals

    if not may_decide(role):
        raise Forbidden("seuls les curateurs et les administrateurs décident des doublons / only "
                        "curators and admins decide about duplicates", rule="role")
    if action not in ACTIONS:
        raise UsageError(f"décision inconnue « {action} » : {', '.join(ACTIONS)} / unknown "
                         f"decision {action!r}", rule="dedup")
    if a == b:
        raise UsageError(f"une entrée n'est pas le doublon d'elle-même / an entry is not its own "
                         f"duplicate: {a}", entity=a, rule="dedup")
    x, y = ox.NamedNode(a), ox.NamedNode(b)
    for node in (x, y):
        _require_public(store, node)
    if action == "merge":
        change, message = _merge(store, x, y), f"fusion / merge: {b} -> {a}"
    else:
        predicate = SAME_AS if action == "link" else DIFFERENT_FROM
        change = changes.Change(added=[ox.Quad(x, predicate, y, IDENTITY)], targets={IDENTITY})
        message = f"{'lien' if action == 'link' else 'distincts'} / {action}: {a} {b}"
    result = changes.apply(store, change, role=role, author=author, message=message,
                           channel=CHANNEL)
    proposals.remove(store, [(a, b)])
    if action == "merge":  # the folded entry is gone: its other proposals with it
        proposals.replace_for(store, [b], [])
    return result


def _require_public(store, node: ox.NamedNode) -> None:
    if not any(graphs.is_public(q.graph_name) for q in store.quads(node, RDF_TYPE, None, None)):
        raise NotFound(f"entrée introuvable / no such entry: {node.value}", entity=node.value)


def merged_into(store, iri: ox.NamedNode) -> ox.NamedNode | None:
    """The entry ``iri`` was merged into, if any."""
    for quad in store.quads(iri, IS_REPLACED_BY, None, IDENTITY):
        if isinstance(quad.object, ox.NamedNode):
            return quad.object
    return None


def _import_graph(store, node: ox.NamedNode) -> ox.NamedNode | None:
    found = {q.graph_name for q in store.quads(node, RDF_TYPE, None, None)
             if q.graph_name.value.startswith(IMPORT_PREFIX)}
    return next(iter(found)) if len(found) == 1 else None


def _merge(store, keep: ox.NamedNode, fold: ox.NamedNode) -> changes.Change:
    """Fold ``fold`` (an imported entry) into ``keep``: the change to apply."""
    graph = _import_graph(store, fold)
    if graph is None:
        raise UsageError(f"seule une entrée importée peut être fusionnée dans une autre : "
                         f"{fold.value} ne vient pas d'un import (liez-les plutôt) / only an "
                         f"imported entry can be merged into another; link them instead",
                         entity=fold.value, rule="dedup")
    if _import_graph(store, keep) == graph:
        raise UsageError("les deux entrées viennent du même import : elles ne peuvent pas être "
                         "fusionnées / both entries come from the same import", entity=keep.value,
                         rule="dedup")
    old = [q for q in store.quads(fold, None, None, graph)]
    parts = {q.object for q in old if isinstance(q.object, ox.NamedNode)
             and q.object.value.startswith(fold.value + "#")}
    for part in parts:
        old += list(store.quads(part, None, None, graph))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in old]
    new = _repoint(store, triples, fold, keep, graph)
    incoming = [q for q in store.quads(None, None, fold, None) if q.graph_name != graph
                and q.graph_name != IDENTITY and graphs.is_public(q.graph_name)]
    added = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in new]
    added += [ox.Quad(q.subject, q.predicate, keep, q.graph_name) for q in incoming]
    added += [ox.Quad(keep, SAME_AS, fold, IDENTITY), ox.Quad(fold, IS_REPLACED_BY, keep, IDENTITY)]
    return changes.Change(removed=old + incoming, added=list(dict.fromkeys(added)),
                          targets={graph, IDENTITY})


def _repoint(store, triples: list, fold: ox.NamedNode, keep: ox.NamedNode,
             graph: ox.NamedNode) -> list:
    """``triples`` of ``fold`` as ``keep``'s: subjects and objects renamed (``fold#address`` ->
    ``keep#<source>-address``), ours winning on types, names and single-valued properties."""
    source = graph.value[len(IMPORT_PREFIX):]
    singles = _single_valued(store)
    own = [q for q in store.quads(keep, None, None, None) if q.graph_name != graph]
    has = {q.predicate for q in own}
    own_names = {names.key(q.object.value) for q in own if q.predicate in (LABEL, ALT_LABEL)}

    def rename(term):
        if isinstance(term, ox.NamedNode):
            if term == fold:
                return keep
            if term.value.startswith(fold.value + "#"):
                return ox.NamedNode(f"{keep.value}#{source}-{term.value.split('#', 1)[1]}")
        return term

    result = []
    for t in triples:
        if t.subject == fold:
            if t.predicate == RDF_TYPE or (t.predicate in singles and t.predicate in has):
                continue
            if t.predicate == LABEL:
                if names.key(t.object.value) in own_names:
                    continue
                result.append(ox.Triple(keep, ALT_LABEL, t.object))
                continue
        result.append(ox.Triple(rename(t.subject), t.predicate, rename(t.object)))
    return list(dict.fromkeys(result))


def _single_valued(store) -> set:
    """Paths some shape allows once at most (``sh:maxCount 1``)."""
    found = set()
    for quad in store.quads(None, SH_MAX_COUNT, None, graphs.SHAPES):
        if quad.object.value == "1":
            found |= {q.object for q in store.quads(quad.subject, SH_PATH, None, graphs.SHAPES)}
    return found


def rewrite_entries(store, entries: list, graph: ox.NamedNode) -> int:
    """Rewrite, in place, the import entries that were merged into one of ours (a re-import
    then updates the merged entry); return how many."""
    count = 0
    for entry in entries:
        keep = merged_into(store, entry.iri)
        if keep is None:
            continue
        entry.triples = _repoint(store, entry.triples, entry.iri, keep, graph)
        entry.iri = keep
        count += 1
    return count
