"""The compiled SPARQL engine agrees with pySHACL, result for result and message for message."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from oscartes_kg import resources
from oscartes_kg.errors import ConfigError
from oscartes_kg.validation import build_validator, validator

DATA = Path(__file__).parent / "data"
ONTOLOGY_GRAPH = ox.NamedNode("https://w3id.org/oscartes/graph/ontology")


def _engine_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(DATA / "validation" / "engine-data.trig"), format=ox.RdfFormat.TRIG)
    return store


def _engine_validator():
    shapes = Graph().parse(DATA / "validation" / "engine-shapes.ttl")
    ontology = Graph()
    for quad in _engine_store().quads_for_pattern(None, None, None, ONTOLOGY_GRAPH):
        ontology.add((URIRef(quad.subject.value), URIRef(quad.predicate.value),
                      URIRef(quad.object.value)))
    return build_validator(shapes, ontology)


def _keys(report) -> set:
    return {v.key() for v in report.violations}


def test_compiled_engine_matches_pyshacl_on_every_constraint():
    store, checker = _engine_store(), _engine_validator()
    ours, reference = checker.validate(store), checker.validate_with_pyshacl(store)
    assert _keys(ours) == _keys(reference)
    components = {v.component for v in ours.violations}
    assert components >= {
        "MinCountConstraintComponent", "MaxCountConstraintComponent", "DatatypeConstraintComponent",
        "NodeKindConstraintComponent", "ClassConstraintComponent", "InConstraintComponent",
        "PatternConstraintComponent", "MinLengthConstraintComponent",
        "MaxLengthConstraintComponent", "MinInclusiveConstraintComponent",
        "MaxInclusiveConstraintComponent", "MinExclusiveConstraintComponent",
        "MaxExclusiveConstraintComponent", "LessThanOrEqualsConstraintComponent",
        "LanguageInConstraintComponent", "NodeConstraintComponent", "NotConstraintComponent",
        "OrConstraintComponent", "HasValueConstraintComponent",
        "QualifiedMinCountConstraintComponent"}


def test_good_entity_has_no_result_and_ill_typed_dates_are_caught():
    report = _engine_validator().validate(_engine_store())
    assert not [v for v in report.violations if v.focus == "http://example.org/ns#good"]
    bad_dates = {v.value for v in report.violations if v.path == "<http://example.org/ns#when>"}
    assert '"2021-13-45"^^<http://www.w3.org/2001/XMLSchema#date>' in bad_dates


def test_public_scope_ignores_private_graphs():
    report = _engine_validator().validate(_engine_store())
    phones = {v.focus for v in report.violations if v.path == "<http://example.org/ns#phone>"}
    # alice's phone is in a private graph, bob's in a public one.
    assert phones == {"http://example.org/ns#bob"}


def test_focus_keeps_only_the_given_entities():
    report = _engine_validator().validate(_engine_store(), focus={"http://example.org/ns#bob"})
    assert {v.focus for v in report.violations} == {"http://example.org/ns#bob"}


def test_warnings_do_not_block_and_report_reads_well():
    report = _engine_validator().validate(_engine_store())
    assert not report.conforms
    assert [w.component for w in report.warnings] == ["MaxCountConstraintComponent"]
    text = report.to_text("fr")
    assert text.splitlines()[0] == f"{len(report.errors)} erreur(s), 1 avertissement(s)"
    assert "ERREUR: « Bbb » <http://example.org/ns#bad> — propriété « nom » (rdfs:label)" in text
    assert "AVERTISSEMENT:" in text.splitlines()[-1]
    as_json = report.to_json()
    assert as_json["conforms"] is False and len(as_json["warnings"]) == 1
    assert {"entity", "label", "property", "value", "severity", "rule", "message"} <= set(
        as_json["errors"][0])
    graph = Graph().parse(data=report.to_graph().serialize(format="turtle"), format="turtle")
    assert len(list(graph.subjects(URIRef("http://www.w3.org/ns/shacl#focusNode"), None))) == len(
        report.violations)


@pytest.mark.parametrize("extra", [
    "sh:closed true",
    "sh:sparql [ sh:select \"SELECT $this WHERE { }\" ]",
    "sh:property [ sh:path ex:p ; sh:equals ex:q ]",
])
def test_shapes_outside_the_subset_are_refused(extra):
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; {extra} .""", format="turtle")
    with pytest.raises(ConfigError, match="does not support|not support"):
        build_validator(shapes, Graph())


def _scenarios() -> list[Path]:
    return sorted((DATA / "shapes").glob("*.ttl"))


def _shipped_store(scenario: Path) -> ox.Store:
    """Ontology, thesauri and one scenario (in the public demo graph), as ``init`` lays them out."""
    store = ox.Store()
    for path in resources.ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
    for path in resources.thesauri_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode("https://w3id.org/oscartes/graph/thesauri"))
    store.load(path=str(scenario), format=ox.RdfFormat.TURTLE, to_graph=DEMO_GRAPH)
    return store


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda p: p.stem)
def test_shipped_shapes_give_pyshacl_results_on_every_scenario(scenario):
    store = _shipped_store(scenario)
    checker = validator()
    assert _keys(checker.validate(store)) == _keys(checker.validate_with_pyshacl(store))


OSC = "https://w3id.org/oscartes/ns#"
ID = "https://w3id.org/oscartes/id/"
DEMO_GRAPH = ox.NamedNode("https://w3id.org/oscartes/graph/demo")
PROPOSALS = ox.NamedNode("https://w3id.org/oscartes/graph/private/proposals")
FIFTH_VERDICT = ox.Quad(ox.NamedNode(ID + "review/jardin-partage-ouverture-partage"),
                        ox.NamedNode(OSC + "verdict"), ox.NamedNode(OSC + "affirmed"))


@pytest.mark.parametrize("private, moved, held, failing", [
    # contact data only: nothing the charter shape reads, so all its checks read the union
    ([(ID + "person/camille-exemple", "http://schema.org/email", ox.Literal("c@exemple.fr"))],
     False, "http://schema.org/email", set()),
    # an unpublished proposal: in the union it would be a target without a review
    ([(ID + "initiative/brouillon", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
       ox.NamedNode(OSC + "Initiative"))], False, OSC + "Initiative", set()),
    # the fifth verdict kept private: the public review does not affirm criterion 5
    ([], True, OSC + "verdict", {ID + "initiative/jardin-partage"}),
], ids=["contacts", "private-initiative", "private-verdict"])
def test_public_only_checks_read_the_union_only_when_other_graphs_hold_nothing_they_read(
        private, moved, held, failing):
    from oscartes_kg.validation.engine import widened as widened_checks

    store = _shipped_store(DATA / "shapes" / "charter-approval-ok.ttl")
    for s, p, o in private:
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, PROPOSALS))
    if moved:
        store.remove(ox.Quad(*FIFTH_VERDICT.triple, DEMO_GRAPH))
        store.add(ox.Quad(*FIFTH_VERDICT.triple, PROPOSALS))
    checker = validator()
    graphs = list(store.named_graphs())
    public = [graph for graph in graphs if graph != PROPOSALS]
    charter = [i for i, check in enumerate(checker.checks)
               if check.public_only and OSC + "hasCharterReview" in check.reads]
    assert charter
    chosen = widened_checks(store, checker.checks, charter, public, graphs)
    assert chosen == {i for i in charter if held not in checker.checks[i].reads}
    ours = checker.validate(store)
    assert _keys(ours) == _keys(checker.validate_with_pyshacl(store))
    assert {v.focus for v in ours.errors if "hasCharterReview" in v.path} == failing


@pytest.mark.parametrize("update, fails", [
    # five affirmed verdicts, but two on criterion 4 and none on criterion 5
    ("DELETE DATA { GRAPH graph:demo { review:jardin-partage-ouverture-partage osc:criterion "
     "criterion:ouverture-partage } } ; INSERT DATA { GRAPH graph:demo { "
     "review:jardin-partage-ouverture-partage osc:criterion criterion:refus-violence-discrimination } }",
     True),
    # criterion 5 affirmed only by a verdict the review does not link
    ("DELETE DATA { GRAPH graph:demo { review:jardin-partage osc:criterionVerdict "
     "review:jardin-partage-ouverture-partage } }", True),
    # a sixth verdict, not affirmed, on a criterion already affirmed: still all five
    ("INSERT DATA { GRAPH graph:demo { review:jardin-partage osc:criterionVerdict review:extra . "
     "review:extra a osc:CriterionVerdict ; osc:criterion criterion:independance ; "
     "osc:verdict osc:notAffirmed } }", False),
], ids=["same-criterion-twice", "unlinked-verdict", "extra-verdict"])
def test_criteria_counted_in_one_pass_agree_with_pyshacl(update, fails):
    store = _shipped_store(DATA / "shapes" / "charter-approval-ok.ttl")
    store.update(
        "PREFIX graph: <https://w3id.org/oscartes/graph/> PREFIX osc: <https://w3id.org/oscartes/ns#> "
        f"PREFIX review: <{ID}review/> PREFIX criterion: <{ID}criterion/> "
        + update)
    checker = validator()
    ours = checker.validate(store)
    assert _keys(ours) == _keys(checker.validate_with_pyshacl(store))
    nodes = {v.focus for v in ours.errors if v.component == "NodeConstraintComponent"}
    assert nodes == ({ID + "initiative/jardin-partage"} if fails else set())
