"""pySHACL, the reference engine: slow on big graphs, but the yardstick of every verdict.

``oscartes-kg validate --engine pyshacl`` and the equivalence tests use it. Shapes scoped to
public graphs are checked on the union of the public graphs only, as the compiled engine does.
"""
from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH

from .report import Report, Violation
from .shapes import Shapes

__all__ = ["validate_with_pyshacl"]


def validate_with_pyshacl(shapes: Shapes, all_data: Graph, public_data: Graph,
                          names: dict | None = None) -> Report:
    """Validate with pySHACL: unscoped shapes on ``all_data``, public-only ones on ``public_data``."""
    from pyshacl import validate

    found: list[Violation] = []
    paths = {p.id: p.path for n in shapes.node_shapes.values() for p in n.properties}
    for data, public_only in ((all_data, False), (public_data, True)):
        shapes_graph = _only(shapes, public_only)
        _conforms, results, _text = validate(
            data, shacl_graph=shapes_graph, inference="none", advanced=False, meta_shacl=False,
            allow_warnings=True)
        found.extend(_violations(results, paths, names or {}))
    labels = {str(s): str(o) for s, o in all_data.subject_objects(
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    from dataclasses import replace
    return Report(tuple(sorted({replace(v, label=labels.get(v.focus)) for v in found},
                              key=Violation.sort_key)))


def _only(shapes: Shapes, public_only: bool) -> Graph:
    """A copy of the shapes graph where only the targets of the selected shapes remain."""
    graph = Graph()
    for triple in shapes.graph:
        graph.add(triple)
    for node in shapes.node_shapes.values():
        if node.public_only != public_only:
            graph.remove((node.id, SH.targetClass, None))
    return graph


def _violations(results: Graph, paths: dict, names: dict) -> list[Violation]:
    found = []
    # Only top-level results: pySHACL also types the nested ones (sh:detail) as results.
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        value = results.value(result, SH.value)
        component = results.value(result, SH.sourceConstraintComponent)
        source = results.value(result, SH.sourceShape)
        messages = tuple(sorted((m.language or "", str(m))
                                for m in results.objects(result, SH.resultMessage)))
        found.append(Violation(
            focus=f"_:{focus}" if isinstance(focus, BNode) else str(focus),
            path=paths.get(source),
            value=_value_text(value),
            severity=str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            component=str(component).rsplit("#", 1)[-1],
            messages=messages,
            path_label=names.get(source),
        ))
    return found


def _value_text(value) -> str | None:
    """The value in N-Triples syntax, written the way pyoxigraph writes it (to compare)."""
    if value is None:
        return None
    from pyoxigraph import Literal as OxLiteral, NamedNode
    from rdflib import Literal
    if isinstance(value, URIRef):
        return str(NamedNode(str(value)))
    if isinstance(value, Literal):
        if value.language:
            return str(OxLiteral(str(value), language=value.language))
        if value.datatype:
            return str(OxLiteral(str(value), datatype=NamedNode(str(value.datatype))))
        return str(OxLiteral(str(value)))
    return f"_:{value}"
