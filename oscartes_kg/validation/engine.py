"""Run the compiled checks inside a store (embedded, remote or in memory) and collect results."""
from __future__ import annotations

from collections.abc import Collection, Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, Variable

from .compiler import Check
from .report import Report, Violation

__all__ = ["run_checks", "node_text"]

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def run_checks(store, checks: Sequence[Check], *, data_graphs: list, public_graphs: list,
               focus: Collection[str] | None = None, names: dict | None = None) -> Report:
    """Evaluate every check; shapes scoped to public graphs see only ``public_graphs``.

    ``store`` is anything with pyoxigraph's ``query(sparql, default_graph=...)`` signature.
    ``focus``, when given, keeps only results on those entities (IRIs as text).
    ``names`` maps a property shape id to its French ``sh:name`` for readable reports.
    """
    found = []
    for check in checks:
        graphs = public_graphs if check.public_only else data_graphs
        if not graphs:
            continue
        for row in store.query(check.sparql, default_graph=graphs):
            this = node_text(row[Variable("this")])
            if focus is not None and this not in focus:
                continue
            rule = check.rules[int(row[Variable("k")].value) if check.tagged else 0]
            value = row[Variable("value")] if rule.with_value else None
            found.append(Violation(
                focus=this,
                path=rule.path,
                value=str(value) if value is not None else None,
                severity=str(rule.severity).rsplit("#", 1)[-1],
                component=str(rule.component).rsplit("#", 1)[-1],
                messages=tuple(sorted((m.language or "", str(m)) for m in rule.messages)),
                path_label=(names or {}).get(rule.shape),
            ))
    return Report(tuple(sorted(set(_labelled(store, found, data_graphs)), key=Violation.sort_key)))


def node_text(term) -> str:
    """An entity's identifier as text: the IRI, or ``_:id`` for a blank node."""
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return str(term)


def _labelled(store, found: list[Violation], graphs: list) -> list[Violation]:
    """Attach each entity's label (French first) so that reports name things, not only IRIs."""
    iris = sorted({v.focus for v in found if not v.focus.startswith("_:")})
    if not iris or not graphs:
        return found
    labels: dict[str, tuple] = {}
    for start in range(0, len(iris), 500):
        values = " ".join(f"<{iri}>" for iri in iris[start:start + 500])
        query = f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s <{LABEL}> ?l }}"
        for row in store.query(query, default_graph=graphs):
            label = row[Variable("l")]
            if not isinstance(label, Literal):
                continue
            rank = {"fr": 0, "": 1}.get(getattr(label, "language", None) or "", 2)
            current = labels.get(row[Variable("s")].value)
            if current is None or rank < current[0]:
                labels[row[Variable("s")].value] = (rank, label.value)
    return [_with_label(v, labels.get(v.focus, (0, None))[1]) for v in found]


def _with_label(violation: Violation, label: str | None) -> Violation:
    from dataclasses import replace
    return replace(violation, label=label) if label else violation
