"""Checks of the OSCARTES vocabulary, thesauri and dataset description against the term contract."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

REPO = Path(__file__).resolve().parents[1]
ONTOLOGY = REPO / "ontology"
THESAURI = ONTOLOGY / "thesauri"
#: The workplace's sample files (../shared/samples beside the repository, or where
#: OSCARTES_SAMPLES says; a clone elsewhere on this machine finds them at /work/shared/samples).
SAMPLES = next((p for p in (Path(os.environ.get("OSCARTES_SAMPLES", "/nonexistent")),
                            Path(__file__).resolve().parents[2] / "shared" / "samples",
                            Path("/work/shared/samples")) if p.is_dir()),
               Path(__file__).resolve().parents[2] / "shared" / "samples")

OSC = Namespace("https://w3id.org/oscartes/ns#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VANN = Namespace("http://purl.org/vocab/vann/")
ID = "https://w3id.org/oscartes/id/"
CC_BY_SA = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
PAIR = "http://virtual-assembly.org/ontologies/pair"
ESSGLOBAL = "http://purl.org/essglobal/"

SCHEME_KINDS = {
    "themes": "theme",
    "competences": "competence",
    "charter-criteria": "criterion",
    "actor-statuses": "status",
    "need-offer-kinds": "need-offer-kind",
}
CRITERIA = [
    "independance",
    "reponse-crise-systemique",
    "poursuite-des-communs",
    "refus-violence-discrimination",
    "ouverture-partage",
]
NEED_OFFER_KINDS = {"benevolat", "stage", "competences", "locaux", "materiel", "bonne-adresse", "partenaire-financier"}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TERM_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual, OWL.SymmetricProperty}

ALL_FILES = sorted(ONTOLOGY.glob("*.ttl")) + sorted(THESAURI.glob("*.ttl"))


def load(*paths: Path) -> Graph:
    """Parse Turtle files into one rdflib graph."""
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def vocab() -> Graph:
    """The vocabulary, oscartes.ttl."""
    return load(ONTOLOGY / "oscartes.ttl")


@pytest.fixture(scope="module")
def thesauri() -> Graph:
    """All concept schemes together."""
    return load(*(THESAURI / f"{name}.ttl" for name in SCHEME_KINDS))


def langs(graph: Graph, subject: URIRef, prop: URIRef) -> set[str | None]:
    """Return the language tags of the literal values of subject's prop."""
    return {o.language for o in graph.objects(subject, prop) if isinstance(o, Literal)}


def osc_terms(graph: Graph) -> set[URIRef]:
    """Return every osc: IRI typed as a class, property or named individual."""
    return {s for s, t in graph.subject_objects(RDF.type) if str(s).startswith(str(OSC)) and t in TERM_TYPES}


def test_every_file_is_expected() -> None:
    """The five thesauri, the vocabulary, the dataset description and the external labels exist."""
    names = {p.relative_to(ONTOLOGY).as_posix() for p in ALL_FILES}
    expected = {"oscartes.ttl", "dataset.ttl", "labels-external.ttl"} | {f"thesauri/{n}.ttl" for n in SCHEME_KINDS}
    assert expected <= names


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_file_parses_with_rdflib_and_pyoxigraph(path: Path) -> None:
    """Both RDF libraries of the stack read every file, with the same triple count."""
    graph = load(path)
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert len(graph) > 0
    assert len(graph) == len(quads)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_file_has_no_blank_nodes(path: Path) -> None:
    """Shipped data has no blank nodes, so dumps round-trip quad for quad (ontology/README.md)."""
    graph = load(path)
    blanks = [t for t in graph if isinstance(t[0], BNode) or isinstance(t[2], BNode)]
    assert blanks == []


def test_ontology_header(vocab: Graph) -> None:
    """The ontology carries version, licence, creator, prefix, titles and a changelog."""
    onto = URIRef("https://w3id.org/oscartes/ns")
    assert (onto, RDF.type, OWL.Ontology) in vocab
    version = str(vocab.value(onto, OWL.versionInfo))
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert (onto, OWL.versionIRI, URIRef(f"https://w3id.org/oscartes/ns/{version}")) in vocab
    assert (onto, DCTERMS.hasVersion, URIRef(f"https://w3id.org/oscartes/ns/{version}")) in vocab
    assert (onto, DCTERMS.license, CC_BY_SA) in vocab
    assert (onto, DCTERMS.creator, Literal("Collectif OSCARTES")) in vocab
    assert (onto, VANN.preferredNamespacePrefix, Literal("osc")) in vocab
    assert {"fr", "en"} <= langs(vocab, onto, DCTERMS.title)
    assert {"fr", "en"} <= langs(vocab, onto, DCTERMS.description)
    notes = [str(n) for n in vocab.objects(onto, SKOS.changeNote)]
    assert any(n.startswith("0.1.0") for n in notes)
    assert any(n.startswith(version) for n in notes)  # every version says what it changed


def test_every_osc_term_has_french_and_english_label_and_comment(vocab: Graph) -> None:
    """Forms and pages show labels and help texts in French, with English available."""
    terms = osc_terms(vocab)
    assert len(terms) > 60
    missing = [
        (str(t), prop.n3(vocab.namespace_manager))
        for t in sorted(terms)
        for prop in (RDFS.label, RDFS.comment)
        if not {"fr", "en"} <= langs(vocab, t, prop)
    ]
    assert missing == []


def test_every_osc_iri_used_in_the_vocabulary_is_defined(vocab: Graph) -> None:
    """No osc: IRI is used in oscartes.ttl without being declared there (typos show up here)."""
    used = {n for triple in vocab for n in triple if isinstance(n, URIRef) and str(n).startswith(str(OSC))}
    assert used - osc_terms(vocab) == set()


def test_every_osc_term_of_the_readme_is_defined(vocab: Graph) -> None:
    """Every `osc:Xxx` named in the term contract exists with that exact spelling."""
    readme = (ONTOLOGY / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w-])osc:([A-Za-z][A-Za-z0-9_]*)", readme))
    assert len(named) > 50
    undefined = sorted(n for n in named if OSC[n] not in osc_terms(vocab))
    assert undefined == []


def test_properties_and_individuals_are_typed_as_the_contract_says(vocab: Graph) -> None:
    """partnerOf is symmetric; statuses, outcomes and verdicts are individuals of their classes."""
    assert (OSC.partnerOf, RDF.type, OWL.SymmetricProperty) in vocab
    assert (OSC.partnerOf, RDF.type, OWL.ObjectProperty) in vocab
    individuals = {
        OSC.open: OSC.NeedOfferStatus,
        OSC.fulfilled: OSC.NeedOfferStatus,
        OSC.approved: OSC.ReviewOutcome,
        OSC.rejected: OSC.ReviewOutcome,
        OSC.affirmed: OSC.Verdict,
        OSC.notAffirmed: OSC.Verdict,
    }
    for individual, cls in individuals.items():
        assert (individual, RDF.type, cls) in vocab
        assert (individual, RDF.type, OWL.NamedIndividual) in vocab
    for prop in vocab.subjects(RDF.type, OWL.DatatypeProperty):
        assert (prop, RDF.type, OWL.ObjectProperty) not in vocab


def test_class_hierarchy_follows_the_contract(vocab: Graph) -> None:
    """The sub-class axioms the shapes rely on (targets follow rdfs:subClassOf) are present."""
    axioms = {
        OSC.Organisation: OSC.Actor,
        OSC.Person: OSC.Actor,
        OSC.Association: OSC.Organisation,
        OSC.Cooperative: OSC.SocialEconomyEnterprise,
        OSC.SocialEconomyEnterprise: OSC.Organisation,
        OSC.InformalCollective: OSC.Organisation,
        OSC.Need: OSC.NeedOrOffer,
        OSC.Offer: OSC.NeedOrOffer,
        OSC.Commune: OSC.Territory,
        OSC.EPCI: OSC.Territory,
        OSC.Departement: OSC.Territory,
        OSC.Region: OSC.Territory,
        OSC.Guide: OSC.KnowledgeResource,
        OSC.Training: OSC.KnowledgeResource,
        OSC.MethodSheet: OSC.KnowledgeResource,
    }
    for sub, sup in axioms.items():
        assert (sub, RDFS.subClassOf, sup) in vocab, (sub, sup)


@pytest.mark.parametrize("name", sorted(SCHEME_KINDS))
def test_scheme_is_described(name: str) -> None:
    """Each scheme has labels and titles in French and English, a licence and its top concepts."""
    graph = load(THESAURI / f"{name}.ttl")
    scheme = URIRef(f"{ID}scheme/{name}")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert {"fr", "en"} <= langs(graph, scheme, SKOS.prefLabel)
    assert {"fr", "en"} <= langs(graph, scheme, DCTERMS.title)
    assert (scheme, DCTERMS.license, CC_BY_SA) in graph
    tops = set(graph.objects(scheme, SKOS.hasTopConcept))
    assert tops and tops == set(graph.subjects(SKOS.topConceptOf, scheme))


@pytest.mark.parametrize("name", sorted(SCHEME_KINDS))
def test_every_concept_is_labelled_placed_and_well_named(name: str) -> None:
    """Concepts have prefLabel fr+en, their scheme, a place in the tree and a stable slug IRI."""
    graph = load(THESAURI / f"{name}.ttl")
    scheme = URIRef(f"{ID}scheme/{name}")
    prefix = f"{ID}{SCHEME_KINDS[name]}/"
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert concepts
    for concept in concepts:
        assert str(concept).startswith(prefix), concept
        assert SLUG.match(str(concept)[len(prefix):]), concept
        assert {"fr", "en"} <= langs(graph, concept, SKOS.prefLabel), concept
        assert (concept, SKOS.inScheme, scheme) in graph, concept
        placed = (concept, SKOS.topConceptOf, scheme) in graph or any(graph.objects(concept, SKOS.broader))
        assert placed, concept
        for parent in graph.objects(concept, SKOS.broader):
            assert parent in concepts, (concept, parent)


def closure(graph: Graph) -> set[tuple[URIRef, URIRef]]:
    """Compute the transitive closure of skos:broader."""
    parents: dict[URIRef, set[URIRef]] = {}
    for child, parent in graph.subject_objects(SKOS.broader):
        parents.setdefault(child, set()).add(parent)
    pairs = set()
    for start in parents:
        todo, seen = list(parents[start]), set()
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(parents.get(node, ()))
        pairs |= {(start, ancestor) for ancestor in seen}
    return pairs


def test_broader_transitive_is_the_materialised_closure(thesauri: Graph) -> None:
    """skos:broaderTransitive holds every ancestor and nothing else, so queries need no paths."""
    materialised = set(thesauri.subject_objects(SKOS.broaderTransitive))
    assert materialised == closure(thesauri)
    assert all(child != parent for child, parent in materialised)


def test_hierarchies_are_two_to_three_levels(thesauri: Graph) -> None:
    """Themes go three levels deep at most; competences two; both have sub-concepts."""
    depth = {}
    for child, _ in thesauri.subject_objects(SKOS.broader):
        depth[child] = len(list(thesauri.objects(child, SKOS.broaderTransitive)))
    themes = {c: d for c, d in depth.items() if str(c).startswith(f"{ID}theme/")}
    competences = {c: d for c, d in depth.items() if str(c).startswith(f"{ID}competence/")}
    assert themes and max(themes.values()) == 2
    assert competences and max(competences.values()) == 1


def test_the_five_charter_criteria(thesauri: Graph) -> None:
    """The charter scheme holds exactly the five criteria of the contract, defined and numbered."""
    scheme = URIRef(f"{ID}scheme/charter-criteria")
    expected = {URIRef(f"{ID}criterion/{slug}") for slug in CRITERIA}
    assert set(thesauri.subjects(SKOS.inScheme, scheme)) == expected
    for number, slug in enumerate(CRITERIA, start=1):
        criterion = URIRef(f"{ID}criterion/{slug}")
        assert (criterion, SKOS.notation, Literal(str(number))) in thesauri
        assert {"fr", "en"} <= langs(thesauri, criterion, SKOS.definition)


def test_need_offer_kinds_are_the_contract_ones(thesauri: Graph) -> None:
    """The need and offer kinds are exactly the seven of the contract."""
    scheme = URIRef(f"{ID}scheme/need-offer-kinds")
    slugs = {str(c).rsplit("/", 1)[1] for c in thesauri.subjects(SKOS.inScheme, scheme)}
    assert slugs == NEED_OFFER_KINDS


def test_actor_statuses_point_to_defined_classes(vocab: Graph, thesauri: Graph) -> None:
    """Each status refers (rdfs:seeAlso) to the osc: class it corresponds to."""
    scheme = URIRef(f"{ID}scheme/actor-statuses")
    for status in thesauri.subjects(SKOS.inScheme, scheme):
        targets = [t for t in thesauri.objects(status, RDFS.seeAlso) if str(t).startswith(str(OSC))]
        assert targets, status
        for target in targets:
            assert (target, RDF.type, OWL.Class) in vocab, (status, target)
            assert (target, RDFS.subClassOf, OSC.Organisation) in vocab or target == OSC.Cooperative


def test_external_labels_are_french_and_english() -> None:
    """The external properties the pages show have a French and an English label, and no osc: term."""
    graph = load(ONTOLOGY / "labels-external.ttl")
    subjects = set(graph.subjects(RDFS.label, None))
    assert len(subjects) >= 20
    for prop in subjects:
        assert not str(prop).startswith(str(OSC))
        assert {"fr", "en"} <= langs(graph, prop, RDFS.label), prop


def test_dataset_description() -> None:
    """The VoID/DCAT description names licence, publisher, URI space and vocabulary."""
    graph = load(ONTOLOGY / "dataset.ttl")
    dataset = URIRef(f"{ID}dataset/oscartes")
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert {"fr", "en"} <= langs(graph, dataset, DCTERMS.title)
    assert (dataset, DCTERMS.license, CC_BY_SA) in graph
    assert (dataset, DCTERMS.publisher, URIRef(f"{ID}organisation/oscartes")) in graph
    assert (dataset, VOID.uriSpace, Literal(ID)) in graph
    assert (dataset, VOID.vocabulary, URIRef(str(OSC))) in graph
    assert not list(graph.objects(None, VOID.sparqlEndpoint))


def aligned_external_terms() -> set[URIRef]:
    """Return every PAIR or ESSGlobal IRI our files mention."""
    graph = load(*ALL_FILES)
    nodes = {n for triple in graph for n in triple if isinstance(n, URIRef)}
    return {n for n in nodes if str(n).startswith((PAIR, ESSGLOBAL))}


def test_aligned_pair_and_essglobal_terms_exist_in_the_samples() -> None:
    """Alignments only name PAIR and ESSGlobal terms that their published files define."""
    if not SAMPLES.is_dir():
        pytest.skip(f"sample vocabularies not found at {SAMPLES}: cannot check PAIR/ESSGlobal alignments")
    samples = load(
        SAMPLES / "pair" / "pair.ttl",
        *sorted((SAMPLES / "essglobal").glob("*.ttl")),
    )
    defined = set(samples.subjects(RDF.type, None))
    terms = aligned_external_terms()
    assert len(terms) >= 10
    assert sorted(str(t) for t in terms - defined) == []
