"""The shipped demo data set: it parses, holds only sourced facts, and conforms to the shapes."""
from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
from pyshacl import validate
from rdflib import RDF, SKOS, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import ORG, RDFS, SH

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "oscartes_kg" / "demo"
DEMO_FILE = DEMO_DIR / "oscartes-demo.trig"
TERRITORIES_FILE = DEMO_DIR / "territories.trig"
ONTOLOGY_FILE = ROOT / "ontology" / "oscartes.ttl"
THESAURI_DIR = ROOT / "ontology" / "thesauri"
SHAPES_DIR = ROOT / "shapes"

OSC = Namespace("https://w3id.org/oscartes/ns#")
OSCID = Namespace("https://w3id.org/oscartes/id/")
SDO = Namespace("http://schema.org/")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
DEMO_GRAPH = URIRef("https://w3id.org/oscartes/graph/demo")
TERRITORIES_GRAPH = URIRef("https://w3id.org/oscartes/graph/territories")
THEMES_SCHEME = OSCID["scheme/themes"]
COLLECTIVE = OSCID["organisation/oscartes"]
COMMITTEE = OSCID["group/comite-de-pilotage"]

# Essonne's bounding box, with a little margin (ontology contract: centroids in WGS84).
ESSONNE_LAT = (48.28, 48.78)
ESSONNE_LONG = (1.91, 2.59)

WORKING_GROUPS = {
    "Gouvernance et pérennisation",
    "Outils et services",
    "Communication",
    "Direction collégiale",
    "Animation",
}
COMMITTEE_MEMBERS = {
    "PôleS NOE",
    "Communauté d'agglomération Paris-Saclay",
    "Territoires en liens / Nord-Est Essonne en transition",
    "ODASS",
    "Habitat & Tic",
    "Mon Epice'rit",
    "La Maison Cocagne",
    "OSE ZD",
    "ArchiPossible",
    "Union des Associations des Ulis",
}
CRITERIA = {
    OSCID["criterion/independance"],
    OSCID["criterion/reponse-crise-systemique"],
    OSCID["criterion/poursuite-des-communs"],
    OSCID["criterion/refus-violence-discrimination"],
    OSCID["criterion/ouverture-partage"],
}
# rdflib 7.6's own TriG parser builds a ConjunctiveGraph and sets Dataset.default_context, both
# deprecated by rdflib itself: these warnings come from inside rdflib, not from this code, so
# only these two messages are let through.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

DATA_IRI = re.compile(r"^https://w3id\.org/oscartes/id/[a-z-]+/[a-z0-9]+(-[a-z0-9]+)*$")


def load_dataset() -> Dataset:
    """Parse both demo TriG files into one rdflib Dataset."""
    dataset = Dataset()
    for path in (DEMO_FILE, TERRITORIES_FILE):
        dataset.parse(data=path.read_text(encoding="utf-8"), format="trig")
    return dataset


def union_graph(dataset: Dataset) -> Graph:
    """Return every triple of every named graph of the dataset as one Graph."""
    graph = Graph()
    for _s, _p, _o, _g in dataset.quads((None, None, None, None)):
        graph.add((_s, _p, _o))
    return graph


@pytest.fixture(scope="module")
def demo() -> Graph:
    """The union of the demo and territories graphs."""
    return union_graph(load_dataset())


def french_labels(graph: Graph, subject: URIRef) -> set[str]:
    """Return the French rdfs:label values of a subject."""
    labels = graph.objects(subject, RDFS.label)
    return {str(o) for o in labels if isinstance(o, Literal) and o.language == "fr"}


@pytest.mark.parametrize(
    ("path", "graph_name"), [(DEMO_FILE, DEMO_GRAPH), (TERRITORIES_FILE, TERRITORIES_GRAPH)]
)
def test_trig_parses_with_rdflib_into_its_named_graph(path: Path, graph_name: URIRef) -> None:
    """rdflib reads the file, and every triple lands in the file's one named graph."""
    dataset = Dataset()
    dataset.parse(data=path.read_text(encoding="utf-8"), format="trig")
    graphs = {g for _s, _p, _o, g in dataset.quads((None, None, None, None))}
    assert graphs == {graph_name}
    assert len(dataset.graph(graph_name)) > 50


@pytest.mark.parametrize(
    ("path", "graph_name"), [(DEMO_FILE, DEMO_GRAPH), (TERRITORIES_FILE, TERRITORIES_GRAPH)]
)
def test_trig_parses_with_pyoxigraph_into_its_named_graph(path: Path, graph_name: URIRef) -> None:
    """pyoxigraph reads the file, and every quad is in the file's one named graph."""
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TRIG))
    assert len(quads) > 50
    assert {q.graph_name.value for q in quads} == {str(graph_name)}


def test_no_blank_nodes(demo: Graph) -> None:
    """Shipped data has no blank nodes, so dumps round-trip quad for quad."""
    blanks = [t for t in demo if any(isinstance(term, BNode) for term in t)]
    assert blanks == []


def test_pyoxigraph_store_round_trips_quad_for_quad(tmp_path: Path) -> None:
    """Loaded into an on-disk store and dumped as N-Quads, the demo comes back quad for quad."""
    parsed = set()
    store = pyoxigraph.Store(str(tmp_path / "store"))
    for path in (DEMO_FILE, TERRITORIES_FILE):
        quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TRIG))
        parsed.update(quads)
        store.extend(quads)
    dumped = store.dump(format=pyoxigraph.RdfFormat.N_QUADS)
    assert set(pyoxigraph.parse(dumped, format=pyoxigraph.RdfFormat.N_QUADS)) == parsed
    assert len(store) == len(parsed)


def test_data_iris_follow_the_contract(demo: Graph) -> None:
    """Every subject is an oscid: IRI of the form .../id/{kind}/{slug} with an ASCII slug."""
    subjects = set(demo.subjects())
    assert subjects
    bad = sorted(str(s) for s in subjects if not DATA_IRI.match(str(s)))
    assert bad == []


def test_every_linked_data_resource_is_described() -> None:
    """Every oscid: IRI used as an object is described in the demo, territories or thesauri."""
    graph = union_graph(load_dataset())
    for path in sorted(THESAURI_DIR.glob("*.ttl")):
        graph.parse(data=path.read_text(encoding="utf-8"), format="turtle")
    linked = {o for o in graph.objects() if isinstance(o, URIRef) and o.startswith(str(OSCID))}
    dangling = sorted(str(o) for o in linked if (o, RDF.type, None) not in graph)
    assert dangling == []


def test_themes_exist_in_the_themes_thesaurus(demo: Graph) -> None:
    """Every osc:theme value is a concept of ontology/thesauri/themes.ttl."""
    themes_text = (THESAURI_DIR / "themes.ttl").read_text(encoding="utf-8")
    themes = Graph().parse(data=themes_text, format="turtle")
    used = set(demo.objects(None, OSC.theme))
    assert used, "the demo data set should use at least one theme"
    for theme in used:
        assert (theme, RDF.type, SKOS.Concept) in themes, theme
        assert (theme, SKOS.inScheme, THEMES_SCHEME) in themes, theme


def test_communes_have_insee_code_and_coordinates_in_essonne(demo: Graph) -> None:
    """Each commune has a 5-character INSEE code of Essonne and a centroid inside Essonne."""
    communes = set(demo.subjects(RDF.type, OSC.Commune))
    assert {OSCID["territory/commune-91692"], OSCID["territory/commune-91377"]} <= communes
    for commune in communes:
        code = str(demo.value(commune, OSC.inseeCode))
        assert re.fullmatch(r"91\d{3}", code), commune
        assert commune == OSCID[f"territory/commune-{code}"]
        lat, long = demo.value(commune, WGS84.lat), demo.value(commune, WGS84.long)
        assert isinstance(lat, Literal) and isinstance(long, Literal), commune
        assert ESSONNE_LAT[0] <= float(lat) <= ESSONNE_LAT[1], commune
        assert ESSONNE_LONG[0] <= float(long) <= ESSONNE_LONG[1], commune
        assert (commune, OSC.partOf, OSCID["territory/departement-91"]) in demo


def test_no_contact_data_and_no_person(demo: Graph) -> None:
    """Nothing invented: no e-mail, no phone, no person anywhere in the demo data."""
    assert list(demo.triples((None, SDO.email, None))) == []
    assert list(demo.triples((None, SDO.telephone, None))) == []
    assert list(demo.subjects(RDF.type, OSC.Person)) == []
    assert not any(str(s).startswith(str(OSCID["person/"])) for s in demo.subjects())


def test_five_working_groups_with_their_french_names(demo: Graph) -> None:
    """The five working groups of the founding text hang off the collective."""
    groups = set(demo.subjects(RDF.type, OSC.WorkingGroup))
    names = set().union(*(french_labels(demo, g) for g in groups))
    assert names == WORKING_GROUPS
    assert all((g, ORG.subOrganizationOf, COLLECTIVE) in demo for g in groups)


def test_ten_steering_committee_members_with_their_french_names(demo: Graph) -> None:
    """The ten members of the steering committee are there under their exact names."""
    assert (COMMITTEE, RDF.type, OSC.SteeringCommittee) in demo
    assert (COMMITTEE, ORG.subOrganizationOf, COLLECTIVE) in demo
    members = set(demo.subjects(ORG.memberOf, COMMITTEE))
    names = set().union(*(french_labels(demo, m) for m in members))
    assert names == COMMITTEE_MEMBERS
    assert len(members) == 10


def test_charter_lists_the_five_criteria(demo: Graph) -> None:
    """The charter links the five criterion concepts of the term contract."""
    charter = OSCID["charter/oscartes"]
    assert (charter, RDF.type, OSC.Charter) in demo
    assert set(demo.objects(charter, OSC.criterion)) == CRITERIA


def test_public_initiative_has_an_approved_review_affirming_all_criteria(demo: Graph) -> None:
    """'Agissons pour le climat' carries an approved review with the five criteria affirmed."""
    review = demo.value(OSCID["initiative/agissons-pour-le-climat"], OSC.hasCharterReview)
    assert review == OSCID["review/agissons-pour-le-climat"]
    assert demo.value(review, OSC.reviewOutcome) == OSC.approved
    assert demo.value(review, OSC.reviewer) == COMMITTEE
    verdicts = set(demo.objects(review, OSC.criterionVerdict))
    assert {demo.value(v, OSC.criterion) for v in verdicts} == CRITERIA
    assert {demo.value(v, OSC.verdict) for v in verdicts} == {OSC.affirmed}


def shapes_graph() -> Graph:
    """Parse every shapes file into one graph."""
    shapes = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        shapes.parse(data=path.read_text(encoding="utf-8"), format="turtle")
    return shapes


def validation_data() -> Graph:
    """The ontology, the thesauri and both demo graphs, merged into one graph."""
    data = union_graph(load_dataset())
    data.parse(data=ONTOLOGY_FILE.read_text(encoding="utf-8"), format="turtle")
    for path in sorted(THESAURI_DIR.glob("*.ttl")):
        data.parse(data=path.read_text(encoding="utf-8"), format="turtle")
    return data


def test_demo_conforms_to_the_shapes() -> None:
    """pySHACL finds no violation in the demo data (warnings are allowed)."""
    shapes = shapes_graph()
    assert len(shapes) > 0, "no shapes found in shapes/"
    _conforms, report, text = validate(
        validation_data(), shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    violations = list(report.subjects(SH.resultSeverity, SH.Violation))
    assert violations == [], text
