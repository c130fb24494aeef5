"""Tests of the benchmark data generator (bench/generate.py) on 200 organisations."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
ORGS = 200
BENCH = ox.NamedNode("https://w3id.org/oscartes/graph/bench")
CONTACTS = ox.NamedNode("https://w3id.org/oscartes/graph/private/contacts")
OSC = "https://w3id.org/oscartes/ns#"
EMAIL = ox.NamedNode("http://schema.org/email")
ORG_CLASSES = ["Association", "Cooperative", "SocialEconomyEnterprise", "LocalAuthority",
               "PublicBody", "Company", "InformalCollective"]


def _load_generator():
    """Import bench/generate.py by path (bench/ is not an installed package)."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _run(seed: int = 42, fmt: str = "nquads") -> tuple[str, dict]:
    """Generate the 200-organisation dataset into a string."""
    out = io.StringIO()
    counts = gen.generate(ORGS, seed, out, fmt)
    return out.getvalue(), counts


@pytest.fixture(scope="module")
def generated() -> tuple[str, dict]:
    """One generated dataset shared by the tests of this module."""
    return _run()


@pytest.fixture(scope="module")
def store(generated) -> ox.Store:
    """The generated N-Quads parsed into an in-memory pyoxigraph store."""
    s = ox.Store()
    s.load(generated[0].encode(), format=ox.RdfFormat.N_QUADS)
    return s


def _select(store: ox.Store, query: str) -> list:
    """Run a SELECT over the union of all graphs and return the rows."""
    return list(store.query(query, use_default_graph_as_union=True))


def test_same_seed_gives_identical_bytes(generated):
    text, counts = generated
    again, counts_again = _run()
    assert again == text
    assert counts_again == counts


def test_other_seed_gives_other_data(generated):
    other, _ = _run(seed=7)
    assert other != generated[0]


def test_total_quads_counted_and_parsed(generated, store):
    text, counts = generated
    assert counts["quads"] == len(store) == text.count("\n")
    # ~35-40 triples per organisation once the fixed 200 communes are left out
    per_org = (counts["quads"] - 6 * counts["osc:Commune"]) / ORGS
    assert 30 <= per_org <= 45


def test_trig_holds_the_same_quads(generated, store):
    trig, counts = _run(fmt="trig")
    s = ox.Store()
    s.load(trig.encode(), format=ox.RdfFormat.TRIG)
    assert set(s) == set(store)
    assert counts == generated[1]


def test_counts_follow_the_ratios(generated):
    counts = generated[1]
    assert sum(counts.get(f"osc:{c}", 0) for c in ORG_CLASSES) == ORGS + 1  # + the collective
    assert all(counts.get(f"osc:{c}", 0) > 0 for c in ORG_CLASSES)
    assert counts["osc:Association"] > counts["osc:Company"] > counts["osc:LocalAuthority"]
    assert counts["osc:Person"] == counts["osc:Consent"] == round(0.3 * ORGS)
    assert counts["osc:Initiative"] == counts["osc:CharterReview"] == round(0.5 * ORGS)
    assert counts["osc:CriterionVerdict"] == 5 * counts["osc:Initiative"]
    assert counts["osc:Event"] == round(0.3 * ORGS)
    assert counts["osc:CallForProjects"] == round(0.02 * ORGS)
    assert counts["osc:Need"] == counts["osc:Offer"] == round(0.2 * ORGS)
    assert counts["osc:Commune"] == 200
    assert counts["private_quads"] == counts["osc:Person"]


def test_emails_only_in_private_graph(store):
    emails = list(store.quads_for_pattern(None, EMAIL, None))
    assert len(emails) == len(list(store.quads_for_pattern(
        None, ox.NamedNode(OSC + "consent"), None)))
    assert emails and all(q.graph_name == CONTACTS for q in emails)
    assert all(re.fullmatch(r"[a-z.0-9]+@example\.org", q.object.value) for q in emails)
    assert all(q.predicate == EMAIL for q in store.quads_for_pattern(None, None, None, CONTACTS))
    graphs = {q.graph_name for q in store}
    assert graphs == {BENCH, CONTACTS}


def test_every_person_has_a_consent(store):
    rows = _select(store, f"""
        PREFIX osc: <{OSC}> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?p WHERE {{ ?p a osc:Person .
          FILTER NOT EXISTS {{ ?p osc:consent ?c . ?c a osc:Consent ; dcterms:date ?d ;
                               osc:consentScope ?s ; osc:consentMethod ?m ;
                               }} }}""")
    assert rows == []


def test_coordinates_inside_essonne(generated, store):
    rows = _select(store, """
        PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
        SELECT ?lat ?long WHERE { ?s geo:lat ?lat ; geo:long ?long }""")
    assert len(rows) > ORGS
    for row in rows:
        lat, lon = row["lat"], row["long"]
        assert lat.datatype.value.endswith("#decimal")
        assert 48.28 <= float(lat.value) <= 48.78
        assert 1.91 <= float(lon.value) <= 2.59
    # pyoxigraph canonicalises decimals, so read the written form from the file itself
    written = re.findall(r'wgs84_pos#(?:lat|long)> "([^"]*)"', generated[0])
    assert len(written) == 2 * len(rows)
    assert all(re.fullmatch(r"\d+\.\d{5}", value) for value in written)


def test_labels_and_codes_are_unique(store):
    labels = [r["l"].value for r in _select(store, f"""
        PREFIX osc: <{OSC}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?l WHERE {{ VALUES ?c {{ {" ".join(f"osc:{c}" for c in ORG_CLASSES)} }}
                          ?o a ?c ; rdfs:label ?l }}""")]
    assert len(labels) == ORGS + 1 == len(set(labels))
    codes = [r["code"].value for r in _select(store, f"""
        PREFIX osc: <{OSC}> SELECT ?code WHERE {{ ?c a osc:Commune ; osc:inseeCode ?code }}""")]
    assert len(codes) == len(set(codes)) == 200
    assert all(re.fullmatch(r"91\d{3}", c) for c in codes)


def test_events_end_after_start(store):
    rows = _select(store, """
        PREFIX schema: <http://schema.org/>
        SELECT ?s ?e WHERE { ?x schema:startDate ?s ; schema:endDate ?e }""")
    assert len(rows) == round(0.3 * ORGS)
    upcoming = 0
    for row in rows:
        start = datetime.fromisoformat(row["s"].value)
        end = datetime.fromisoformat(row["e"].value)
        assert row["s"].datatype.value.endswith("#dateTime")
        assert end >= start and 2024 <= start.year <= 2028
        upcoming += start.year >= 2027
    assert upcoming > 0


def test_reviews_affirm_the_five_criteria_by_members(store):
    rows = _select(store, f"""
        PREFIX osc: <{OSC}> PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?i (COUNT(DISTINCT ?crit) AS ?n) WHERE {{
          ?i a osc:Initiative ; osc:hasCharterReview ?r .
          ?r osc:reviewOutcome osc:approved ; osc:reviewer ?who ; osc:criterionVerdict ?v .
          ?who org:memberOf <https://w3id.org/oscartes/id/organisation/oscartes> .
          ?v osc:criterion ?crit ; osc:verdict osc:affirmed .
        }} GROUP BY ?i""")
    assert len(rows) == round(0.5 * ORGS)
    assert all(int(r["n"].value) == 5 for r in rows)


def test_descriptions_are_40_to_300_characters(store):
    rows = _select(store, f"""
        PREFIX osc: <{OSC}> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?d WHERE {{ ?o dcterms:description ?d }}""")
    assert rows and all(40 <= len(r["d"].value) <= 300 for r in rows)


def test_literal_escaping_round_trips():
    text = 'Le "Repair Café"\nd\'Étampes \\ fin\r'
    line = f"<http://ex.org/s> <http://ex.org/p> {gen.nquad_literal(text, lang='fr')} .\n"
    s = ox.Store()
    s.load(line.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    assert next(iter(s)).object == ox.Literal(text, language="fr")
    assert gen.nquad_literal("12", datatype="http://www.w3.org/2001/XMLSchema#integer") == \
        '"12"^^<http://www.w3.org/2001/XMLSchema#integer>'


def test_fake_sirens_fail_the_luhn_check():
    rng = gen.Random(1)
    for _ in range(200):
        siren = gen.fake_siren(rng)
        digits = [int(c) * (2 if i % 2 else 1) for i, c in enumerate(reversed(siren))]
        assert len(siren) == 9 and sum(d - 9 if d > 9 else d for d in digits) % 10 != 0


def _graph_as_ntriples(nquads: str, graph: ox.NamedNode) -> str:
    """The lines of one named graph, as N-Triples (the generator writes one quad per line)."""
    suffix = f" <{graph.value}> .\n"
    return "".join(line[: -len(suffix)] + " .\n"
                   for line in nquads.splitlines(keepends=True) if line.endswith(suffix))


THESAURI = sorted((ROOT / "ontology" / "thesauri").glob("*.ttl"))
SHAPES = sorted((ROOT / "shapes").glob("*.ttl"))


@pytest.mark.skipif(not (THESAURI and SHAPES), reason="needs ontology/thesauri/*.ttl and shapes/*.ttl")
def test_conforms_to_the_shapes(generated):
    """No sh:Violation: the public graph against every shape, all graphs against unscoped ones."""
    import pyshacl
    from rdflib import Graph, Literal, Namespace
    from rdflib.namespace import RDF, SH

    oscsh = Namespace("https://w3id.org/oscartes/shapes#")
    background = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")) + THESAURI:
        background.parse(path, format="turtle")
    shapes = Graph()
    for path in SHAPES:
        shapes.parse(path, format="turtle")
    public = Graph() + background
    public.parse(data=_graph_as_ntriples(generated[0], BENCH), format="nt")
    everything = Graph() + public
    everything.parse(data=_graph_as_ntriples(generated[0], CONTACTS), format="nt")
    unscoped = Graph() + shapes
    for shape in shapes.subjects(oscsh.scope, oscsh.PublicGraphs):
        unscoped.add((shape, SH.deactivated, Literal(True)))
    for data, shape_graph in ((public, shapes), (everything, unscoped)):
        _, report, text = pyshacl.validate(data, shacl_graph=shape_graph, inference="none")
        violations = list(report.subjects(SH.resultSeverity, SH.Violation))
        assert violations == [], text[:3000]
        assert (None, RDF.type, SH.ValidationReport) in report
