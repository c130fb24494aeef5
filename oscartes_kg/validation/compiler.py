"""Compile SHACL shapes to SPARQL SELECT queries that find every violation at once.

Each targeted property shape becomes at most two queries: one over its value nodes (every
value-level constraint tested in a single scan, tagged by ``?k``) and one per focus-level
constraint (counts, ``sh:hasValue``, qualified shapes). The semantics follow SHACL 1.0 §4
constraint by constraint; ``tests/test_validation.py`` checks them against pySHACL.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from pyoxigraph import Literal as OxLiteral
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import SH, XSD

from ..errors import ConfigError
from .shapes import NodeShape, PropertyShape, Shapes

__all__ = ["Check", "compile_shapes"]

# Datatypes whose lexical form the store can check with an XSD cast (SPARQL 1.1 §17.5).
CASTABLE = {XSD.date, XSD.dateTime, XSD.decimal, XSD.integer, XSD.boolean, XSD.double,
            XSD.float, XSD.gYear, XSD.gYearMonth, XSD.time, XSD.duration}


@dataclass(frozen=True)
class Rule:
    """What one compiled constraint reports: the SHACL component and the shape it comes from."""

    component: URIRef
    shape: object
    path: object
    severity: URIRef
    messages: tuple
    with_value: bool


@dataclass(frozen=True)
class Check:
    """One SPARQL query and the rules its ``?k`` tags stand for."""

    sparql: str
    rules: tuple            # index ?k -> Rule
    public_only: bool
    tagged: bool = False    # whether rows carry ?k (else the single rule applies)
    classes: frozenset = frozenset()   # target classes (IRIs as text): skip when none present
    reads: frozenset = frozenset()     # every IRI the query names (predicates, classes, values)


def compile_shapes(shapes: Shapes, subclasses: dict) -> list[Check]:
    """Every check for the targeted shapes; ``subclasses`` maps a class to itself and its sub-classes."""
    names = itertools.count()
    checks: list[Check] = []
    value_tests: dict[tuple, list] = {}
    for node in shapes.targeted:
        focus = _focus(node, subclasses)
        classes = frozenset(str(c) for t in node.target_classes for c in subclasses.get(t, {t}))
        found = [_node_not_check(node, focus, subclasses)] if node.not_classes else []
        for prop in node.properties:
            if not prop.deactivated:
                other, tests = _property_checks(node, prop, focus, shapes, subclasses, names)
                found.extend(other)
                value_tests.setdefault((focus, prop.path, node.public_only, classes),
                                       []).extend(tests)
        checks.extend(replace(check, classes=classes) for check in found)
    # Value tests on the same path and targets share one scan, whatever shape they come from
    # (e.g. the maximum and the minimum length of a description, a Violation and a Warning).
    for (focus, path, public_only, classes), tests in value_tests.items():
        if tests:
            checks.append(_value_check(focus, path, public_only, classes, tests))
    return [replace(check, reads=frozenset(_IRI.findall(check.sparql))) for check in checks]


def _focus(node: NodeShape, subclasses: dict) -> str:
    classes = sorted({c for t in node.target_classes for c in subclasses.get(t, {t})}, key=str)
    return f"VALUES ?_cls {{ {' '.join(_term(c) for c in classes)} }} ?this a ?_cls ."


def _node_not_check(node: NodeShape, focus: str, subclasses: dict) -> Check:
    rules, branches = [], []
    for k, cls in enumerate(node.not_classes):
        rules.append(Rule(SH.NotConstraintComponent, node.id, None, node.severity,
                          node.messages, True))
        branches.append(f"(?k = {k} && EXISTS {{ {_instance('?this', cls, subclasses)} }})")
    sparql = (f"SELECT DISTINCT ?this (?this AS ?value) ?k WHERE {{ {focus} "
              f"VALUES ?k {{ {' '.join(map(str, range(len(rules))))} }} "
              f"FILTER({' || '.join(branches)}) }}")
    return Check(sparql, tuple(rules), node.public_only, tagged=True)


def _property_checks(node, prop: PropertyShape, focus, shapes, subclasses, names) -> tuple:
    """The checks of one property shape, and its value tests as (condition, rule) pairs."""
    checks, tests = [], []
    for param, values in sorted(prop.constraints.items(), key=lambda kv: str(kv[0])):
        for value in values:
            if param in (SH.minCount, SH.maxCount, SH.hasValue, SH.qualifiedValueShape):
                checks.append(_focus_check(node, prop, focus, param, value, subclasses))
            elif param == SH.node:
                checks.extend(_node_checks(node, prop, focus, value, shapes, subclasses, names))
            else:
                condition = _value_violation(param, value, "?value", prop, shapes, subclasses, names)
                tests.append((condition, _rule(node, prop, param, with_value=True)))
    return checks, tests


def _value_check(focus: str, path: str, public_only: bool, classes, tests: list) -> Check:
    """One scan of the values on ``path``; ``?k`` says which test a value failed.

    Filter the values first, then join the few survivors with the targets: on RocksDB this is
    ~1.6x faster than testing each target's values in a nested loop. Each test is written
    once and evaluated once per value (as a flag); only failing values are tagged by ``?k``
    (tagging every value, three tests on 220,000 descriptions took 3.6 s; this way, 2.1 s).
    Writing a test twice would compile its regex twice, which costs more than the whole scan
    when one entity is validated. A test that raises an error counts as passed, as before.
    """
    if len(tests) == 1:
        inner, tag = f"FILTER({tests[0][0]})", "VALUES ?k { 0 }"
    else:
        flags = [f"?_f{k}" for k in range(len(tests))]
        inner = " ".join(f"BIND(COALESCE({condition}, false) AS {flag})"
                         for (condition, _), flag in zip(tests, flags))
        inner += f" FILTER({' || '.join(flags)})"
        tag = (f"VALUES ?k {{ {' '.join(map(str, range(len(tests))))} }} FILTER("
               + " || ".join(f"(?k = {k} && {flag})" for k, flag in enumerate(flags)) + ")")
    projected = " ".join(f"?_f{k}" for k in range(len(tests))) if len(tests) > 1 else ""
    sparql = (f"SELECT DISTINCT ?this ?value ?k WHERE {{ {{ SELECT ?this ?value {projected} "
              f"WHERE {{ ?this {path} ?value . {inner} }} }} {tag} {focus} }}")
    return Check(sparql, tuple(rule for _, rule in tests), public_only, tagged=True,
                 classes=classes)


def _node_checks(node, prop, focus, shape_id, shapes, subclasses, names) -> list[Check]:
    """Values that do not conform to a nested node shape: one query per nested constraint.

    Each query repeats the join that binds ``?value``, so its filters never depend on EXISTS
    substitution (which Oxigraph evaluates slowly), and separate queries can run in parallel.
    As for value tests, the failing values are found first and only they are joined with the
    targets (themes at 100k: 2.0 s -> 0.4 s; review dates: 1.1 s -> 0.5 s). A body reads only
    ``?value`` and its own variables, so its MINUS or FILTER means the same in the sub-query.
    """
    link = f"?this {prop.path} ?value ."
    rule = _rule(node, prop, SH.node, with_value=True)
    bodies = _node_violation(shapes.node_shapes[shape_id], "?value", shapes, subclasses, names)
    return [Check(f"SELECT DISTINCT ?this ?value WHERE {{ {{ SELECT DISTINCT ?this ?value WHERE "
                  f"{{ {link} {body} }} }} {focus} }}", (rule,), node.public_only)
            for body in bodies]


def _rule(node: NodeShape, prop: PropertyShape, param, with_value: bool) -> Rule:
    component = SH[_COMPONENTS[param]]
    return Rule(component, prop.id, prop.path, prop.severity, prop.messages, with_value)


def _focus_check(node, prop, focus, param, value, subclasses) -> Check:
    path = prop.path
    if param == SH.minCount and int(value) == 1:
        where = f"MINUS {{ ?this {path} ?_v }}"
    elif param == SH.maxCount and int(value) == 0:
        where = f"FILTER EXISTS {{ ?this {path} ?_v }}"
    elif param == SH.maxCount:  # count values first, then join the few survivors with the
        # targets (criterion of 250,000 verdicts: 2.0 s counted per target, 0.9 s this way)
        sparql = (f"SELECT DISTINCT ?this WHERE {{ {{ SELECT ?this WHERE {{ ?this {path} ?_v }} "
                  f"GROUP BY ?this HAVING(COUNT(DISTINCT ?_v) > {int(value)}) }} {focus} }}")
        return Check(sparql, (_rule(node, prop, param, False),), node.public_only)
    elif param == SH.minCount:
        sparql = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?_v }} }} "
                  f"GROUP BY ?this HAVING(COUNT(DISTINCT ?_v) < {int(value)})")
        return Check(sparql, (_rule(node, prop, param, False),), node.public_only)
    elif param == SH.hasValue:
        where = f"MINUS {{ ?this {path} {_term(value)} }}"
    else:  # qualified value shape: some value carries every (predicate, value) pair
        pairs = " ".join(f"?_v {_term(p)} {_term(v)} ." for p, v in value)
        where = f"MINUS {{ ?this {path} ?_v . {pairs} }}"
    sparql = f"SELECT DISTINCT ?this WHERE {{ {focus} {where} }}"
    return Check(sparql, (_rule(node, prop, param, False),), node.public_only)


def _value_violation(param, value, var, prop, shapes, subclasses, names) -> str:
    """A SPARQL expression that is true when ``var`` violates the constraint."""
    if param == SH.datatype:
        return f"!({_datatype_ok(value, var)})"
    if param == SH["or"]:
        return "!(" + " || ".join(_datatype_ok(d, var) for d in value) + ")"
    if param == SH.nodeKind:
        return _NODE_KIND[value].format(v=var)
    if param == SH["class"]:
        return f"NOT EXISTS {{ {_instance(var, value, subclasses)} }}"
    if param == SH["not"]:
        return f"EXISTS {{ {_instance(var, value, subclasses)} }}"
    if param == SH["in"]:
        return "!(" + (" || ".join(f"sameTerm({var}, {_term(t)})" for t in value) or "false") + ")"
    if param == SH.pattern:
        pattern, flags = value
        return f"isBlank({var}) || !regex(str({var}), {_string(pattern)}, {_string(flags)})"
    if param == SH.minLength:
        return f"isBlank({var}) || strlen(str({var})) < {int(value)}"
    if param == SH.maxLength:
        return f"isBlank({var}) || strlen(str({var})) > {int(value)}"
    if param in _COMPARISONS:
        return f"!COALESCE({var} {_COMPARISONS[param]} {_term(value)}, false)"
    if param in (SH.lessThan, SH.lessThanOrEquals):
        other = f"?_o{next(names)}"
        test = "<" if param == SH.lessThan else "<="
        return (f"EXISTS {{ ?this {_term(value)} {other} . "
                f"FILTER(!COALESCE({var} {test} {other}, false)) }}")
    if param == SH.languageIn:
        return "!(" + " || ".join(f"langMatches(lang({var}), {_string(t)})" for t in value) + ")"
    raise AssertionError(param)


def _node_violation(node: NodeShape, var: str, shapes, subclasses, names) -> list[str]:
    """Group bodies, each matching when ``var`` (bound by the caller's preceding triple
    pattern in the same group) breaks one constraint of a nested node shape."""
    bodies = [f"FILTER EXISTS {{ {_instance(var, c, subclasses)} }}" for c in node.not_classes]
    fused, bodies_fused = _fused_qualified(node, var, names)
    bodies.extend(bodies_fused)
    for prop in node.properties:
        for param, values in prop.constraints.items():
            for value in values:
                if param == SH.qualifiedValueShape and (prop.id, value) in fused:
                    continue
                bodies.extend(_nested(param, value, var, prop, shapes, subclasses, names))
    return bodies


def _fused_qualified(node: NodeShape, var: str, names) -> tuple[set, list[str]]:
    """One body for qualified constraints that differ only in the value of one predicate.

    The charter's five criteria are such a family: a review passes them all when its
    affirmed verdicts name the five criteria, counted in one pass over the reviews (4.2 s at
    100k) instead of five anti-joins (1.7 s each). The nested shape reports one result for
    any failure, so nothing is lost by not saying which member failed.
    Returns the fused (property shape, pairs) and their bodies.
    """
    families: dict = {}
    for prop in node.properties:
        for pairs in prop.constraints.get(SH.qualifiedValueShape, []):
            for i, (predicate, value) in enumerate(pairs):
                key = (prop.path, predicate, pairs[:i] + pairs[i + 1:])
                families.setdefault(key, []).append(((prop.id, pairs), value))
    fused: set = set()
    bodies = []
    for (path, predicate, rest), members in sorted(families.items(), key=lambda kv: -len(kv[1])):
        members = [(member, value) for member, value in members if member not in fused]
        values = sorted({value for _, value in members}, key=str)
        if len(values) < 2:
            continue
        fused.update(member for member, _ in members)
        v, c = f"?_n{next(names)}", f"?_n{next(names)}"
        others = " ".join(f"{v} {_term(p)} {_term(o)} ." for p, o in rest)
        bodies.append(
            f"MINUS {{ {{ SELECT {var} WHERE {{ {var} {path} {v} . {others} "
            f"{v} {_term(predicate)} {c} . VALUES {c} {{ {' '.join(map(_term, values))} }} }} "
            f"GROUP BY {var} HAVING(COUNT(DISTINCT {c}) = {len(values)}) }} }}")
    return fused, bodies


def _nested(param, value, var, prop, shapes, subclasses, names) -> list[str]:
    path, v = prop.path, f"?_n{next(names)}"
    if param == SH.minCount and int(value) == 1:
        return [f"MINUS {{ {var} {path} {v} }}"]
    if param == SH.maxCount and int(value) == 0:
        return [f"{var} {path} {v} ."]
    if param == SH.maxCount and int(value) == 1:
        return [f"{var} {path} {v} . {var} {path} {v}b . FILTER(!sameTerm({v}, {v}b))"]
    if param == SH.hasValue:
        return [f"MINUS {{ {var} {path} {_term(value)} }}"]
    if param == SH.qualifiedValueShape:
        pairs = " ".join(f"{v} {_term(p)} {_term(o)} ." for p, o in value)
        return [f"MINUS {{ {var} {path} {v} . {pairs} }}"]
    if param == SH.node:
        inner = _node_violation(shapes.node_shapes[value], v, shapes, subclasses, names)
        return [f"{var} {path} {v} . {body}" for body in inner]
    if param in (SH.minCount, SH.maxCount, SH.lessThan, SH.lessThanOrEquals):
        raise ConfigError(f"{prop.id}: {param} is not supported inside sh:node", rule="sh:node")
    condition = _value_violation(param, value, v, prop, shapes, subclasses, names)
    return [f"{var} {path} {v} . FILTER({condition})"]


def _datatype_ok(datatype, var: str) -> str:
    test = f"isLiteral({var}) && sameTerm(datatype({var}), {_term(datatype)})"
    if datatype in CASTABLE:  # an ill-typed literal ("2021-13-45"^^xsd:date) violates sh:datatype
        test += f" && COALESCE(isLiteral({_term(datatype)}(str({var}))), false)"
    return test


def _instance(var: str, cls, subclasses: dict) -> str:
    classes = " ".join(_term(c) for c in sorted(subclasses.get(cls, {cls}), key=str))
    c = f"?_c{next(_CLASS_VARS)}"
    return f"VALUES {c} {{ {classes} }} {var} a {c} ."


def _term(term) -> str:
    """SPARQL syntax for an rdflib term (escaped by the library, never by hand)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, BNode):
        raise ValueError("blank nodes cannot be constants in a compiled shape")
    raise TypeError(term)


def _string(text: str) -> str:
    return str(OxLiteral(text))


_NODE_KIND = {
    SH.IRI: "!isIRI({v})", SH.Literal: "!isLiteral({v})", SH.BlankNode: "!isBlank({v})",
    SH.BlankNodeOrIRI: "isLiteral({v})", SH.IRIOrLiteral: "isBlank({v})",
    SH.BlankNodeOrLiteral: "isIRI({v})",
}
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
                SH.maxExclusive: "<"}
_COMPONENTS = {
    SH.datatype: "DatatypeConstraintComponent", SH.nodeKind: "NodeKindConstraintComponent",
    SH["class"]: "ClassConstraintComponent", SH["in"]: "InConstraintComponent",
    SH.pattern: "PatternConstraintComponent", SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH.lessThan: "LessThanConstraintComponent",
    SH.lessThanOrEquals: "LessThanOrEqualsConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent", SH.node: "NodeConstraintComponent",
    SH["not"]: "NotConstraintComponent", SH["or"]: "OrConstraintComponent",
    SH.minCount: "MinCountConstraintComponent", SH.maxCount: "MaxCountConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH.qualifiedValueShape: "QualifiedMinCountConstraintComponent",
}

_CLASS_VARS = itertools.count()
# An IRI as the compiler writes it (``_term``); other matches only make ``Check.reads`` larger.
_IRI = re.compile(r"<([^<>\"{}|^`\\\s]*)>")
