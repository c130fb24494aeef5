"""Read SHACL shapes into a small model the compiler understands, refusing what it does not.

Only the subset documented in ``shapes/README.md`` is accepted, so that pySHACL (the reference)
and the SPARQL compiler give the same verdicts. Anything else is a ``ConfigError`` naming the
shape and the constraint, raised when the shapes are loaded, never silently ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from ..errors import ConfigError

__all__ = ["Shapes", "NodeShape", "PropertyShape", "OSCSH", "read_shapes"]

OSCSH = "https://w3id.org/oscartes/shapes#"
PUBLIC_SCOPE = URIRef(OSCSH + "PublicGraphs")
SCOPE = URIRef(OSCSH + "scope")

# Constraint parameters a property shape may carry (SHACL §4); each maps to one compiler rule.
VALUE_PARAMS = {
    SH.datatype, SH.nodeKind, SH["class"], SH["in"], SH.pattern, SH.minLength, SH.maxLength,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.lessThan,
    SH.lessThanOrEquals, SH.languageIn, SH.node, SH["not"], SH["or"],
}
FOCUS_PARAMS = {SH.minCount, SH.maxCount, SH.hasValue, SH.qualifiedValueShape}
IGNORED = {
    RDF.type, SH.path, SH.name, SH.description, SH.order, SH.group, SH.message, SH.severity,
    SH.flags, SH.qualifiedMinCount, SH.defaultValue, SH.deactivated, RDFS.label, RDFS.comment,
    SH.property, SH.targetClass, SCOPE, URIRef("http://purl.org/dc/terms/description"),
}


@dataclass
class PropertyShape:
    """One ``sh:property`` shape: a path and the constraints on its values."""

    id: URIRef | BNode
    path: str                              # SPARQL property-path text
    path_node: object                      # the rdflib path term, for reports
    constraints: dict = field(default_factory=dict)   # SHACL parameter -> value(s)
    severity: URIRef = SH.Violation
    messages: tuple = ()                   # rdflib Literals
    deactivated: bool = False


@dataclass
class NodeShape:
    """A node shape: its targets, property shapes and node-level constraints."""

    id: URIRef | BNode
    target_classes: tuple = ()
    properties: list = field(default_factory=list)
    not_classes: tuple = ()                # sh:not [ sh:class C ] at node level
    severity: URIRef = SH.Violation
    messages: tuple = ()
    public_only: bool = False
    deactivated: bool = False


@dataclass
class Shapes:
    """Every shape, by id, plus the graph they came from (pySHACL reads the same graph)."""

    graph: Graph
    node_shapes: dict
    targeted: list                         # node shapes with targets, in a stable order


def read_shapes(graph: Graph) -> Shapes:
    """Build the model from a shapes graph.

    :raises ConfigError: when a shape uses something outside the supported subset.
    """
    node_shapes: dict = {}
    ids = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(SH.targetClass, None))
    ids |= {o for o in graph.objects(None, SH.node)}
    ids -= set(graph.objects(None, SH["not"])) - set(graph.subjects(SH.targetClass, None))
    for shape_id in sorted(ids, key=str):
        node_shapes[shape_id] = _node_shape(graph, shape_id)
    targeted = [s for s in node_shapes.values() if s.target_classes and not s.deactivated]
    return Shapes(graph=graph, node_shapes=node_shapes, targeted=targeted)


def _node_shape(graph: Graph, shape_id) -> NodeShape:
    unknown = {p for p in graph.predicates(shape_id) if p not in IGNORED | {SH["not"]}}
    if unknown:
        _refuse(shape_id, unknown)
    nots = tuple(_single_class(graph, shape_id, n) for n in graph.objects(shape_id, SH["not"]))
    return NodeShape(
        id=shape_id,
        target_classes=tuple(sorted(graph.objects(shape_id, SH.targetClass), key=str)),
        properties=[_property_shape(graph, p) for p in
                    sorted(graph.objects(shape_id, SH.property), key=str)],
        not_classes=nots,
        severity=graph.value(shape_id, SH.severity) or SH.Violation,
        messages=tuple(sorted(graph.objects(shape_id, SH.message), key=str)),
        public_only=(shape_id, SCOPE, PUBLIC_SCOPE) in graph,
        deactivated=_true(graph.value(shape_id, SH.deactivated)),
    )


def _property_shape(graph: Graph, shape_id) -> PropertyShape:
    constraints: dict = {}
    for param, value in graph.predicate_objects(shape_id):
        if param in IGNORED:
            continue
        if param not in VALUE_PARAMS | FOCUS_PARAMS:
            _refuse(shape_id, {param})
        if param == SH["in"] or param == SH.languageIn:
            value = tuple(Collection(graph, value))
        elif param == SH["or"]:
            value = tuple(_single_datatype(graph, shape_id, s) for s in Collection(graph, value))
        elif param == SH["not"]:
            value = _single_class(graph, shape_id, value)
        elif param == SH.pattern:
            value = (str(value), str(graph.value(shape_id, SH.flags) or ""))
        elif param == SH.qualifiedValueShape:
            value = _qualified(graph, shape_id, value)
        constraints.setdefault(param, []).append(value)
    path_node = graph.value(shape_id, SH.path)
    if path_node is None:
        raise ConfigError(f"property shape {shape_id} has no sh:path", rule="sh:path")
    return PropertyShape(
        id=shape_id, path=sparql_path(graph, path_node), path_node=path_node,
        constraints=constraints,
        severity=graph.value(shape_id, SH.severity) or SH.Violation,
        messages=tuple(sorted(graph.objects(shape_id, SH.message), key=str)),
        deactivated=_true(graph.value(shape_id, SH.deactivated)),
    )


def sparql_path(graph: Graph, node) -> str:
    """The SPARQL 1.1 property path for a SHACL path (SHACL §2.3.1)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in graph:
        return "(" + "/".join(sparql_path(graph, n) for n in Collection(graph, node)) + ")"
    for param, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                            (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(node, param)
        if inner is not None:
            return "(" + template.format(sparql_path(graph, inner)) + ")"
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(graph, n) for n in Collection(graph, alternatives)) + ")"
    raise ConfigError(f"unsupported sh:path {node}", rule="sh:path")


def _single_class(graph: Graph, owner, shape) -> URIRef:
    classes = list(graph.objects(shape, SH["class"]))
    others = {p for p in graph.predicates(shape) if p not in IGNORED | {SH["class"]}}
    if len(classes) != 1 or others:
        raise ConfigError(f"{owner}: sh:not must hold exactly one sh:class", rule="sh:not")
    return classes[0]


def _single_datatype(graph: Graph, owner, shape) -> URIRef:
    datatypes = list(graph.objects(shape, SH.datatype))
    others = {p for p in graph.predicates(shape) if p not in IGNORED | {SH.datatype}}
    if len(datatypes) != 1 or others:
        raise ConfigError(f"{owner}: each sh:or member must hold one sh:datatype", rule="sh:or")
    return datatypes[0]


def _qualified(graph: Graph, owner, shape) -> tuple:
    """A qualified value shape as ((predicate, value), ...) that a value node must all carry."""
    pairs = []
    for prop in graph.objects(shape, SH.property):
        path, value = graph.value(prop, SH.path), graph.value(prop, SH.hasValue)
        if not isinstance(path, URIRef) or value is None:
            raise ConfigError(f"{owner}: a qualified value shape may only hold property shapes "
                              "with a predicate path and sh:hasValue", rule="sh:qualifiedValueShape")
        pairs.append((path, value))
    count = graph.value(owner, SH.qualifiedMinCount)
    if count is None or int(count) != 1 or graph.value(owner, SH.qualifiedMaxCount) is not None:
        raise ConfigError(f"{owner}: only sh:qualifiedMinCount 1 is supported",
                          rule="sh:qualifiedMinCount")
    return tuple(sorted(pairs))


def _refuse(shape_id, params) -> None:
    names = ", ".join(sorted(str(p).replace(str(SH), "sh:") for p in params))
    raise ConfigError(f"shape {shape_id} uses {names}, which the SPARQL compiler does not "
                      "support (see shapes/README.md)", rule="shapes subset")


def _true(value) -> bool:
    return isinstance(value, Literal) and value.toPython() is True
