"""Service description, /void and the public dumps, over a live HTTP server on 127.0.0.1.

Every count is checked against a direct count made here in Python from the store's quads, and a
private quad (``graphs.PRIVATE_CONTACTS``) must never show up, by value or by graph name.
"""
from __future__ import annotations

import gzip
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
import requests
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from app import create_app
from app.service import service_description
from oscartes_kg import bootstrap, dumps, graphs
from oscartes_kg.config import Settings
from oscartes_kg.statistics import ENTITY_SPACE, compute, namespace_of
from oscartes_kg.store import open_store

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
CC_BY_SA = rdflib.URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
SECRET_EMAIL = "secret@example.org"
SECRET = ox.Quad(ox.NamedNode("https://w3id.org/oscartes/id/person/secret"),
                 ox.NamedNode("http://schema.org/email"), ox.Literal(SECRET_EMAIL),
                 graphs.PRIVATE_CONTACTS)


def _demo_store(path):
    """A store on disk with the demo data and one private contact quad."""
    with open_store(data=path) as store:
        bootstrap.init_store(store, demo=True)
        store.insert([SECRET])


@pytest.fixture
def site(tmp_path, live_server):
    """(base URL, app) of the app on its own demo store: each test may change the data."""
    data = tmp_path / "kb"
    _demo_store(data)
    app = create_app(Settings(data=data))
    yield live_server(app), app
    app.extensions["oscartes_store"].close()


def _store(app):
    return app.extensions["oscartes_store"]


def _public_quads(store) -> set:
    return {q for g in graphs.public(store.graphs()) for q in store.quads(graph=g)}


def _direct_counts(store) -> dict:
    """VoID counts computed in Python from the quads of the public graphs, without SPARQL."""
    quads = _public_quads(store)
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    type_ = ox.NamedNode(str(RDF.type))
    return {
        "triples": len(triples),
        "entities": len({s for s, _, _ in triples
                         if isinstance(s, ox.NamedNode) and s.value.startswith(ENTITY_SPACE)}),
        "distinct_subjects": len({s for s, _, _ in triples}),
        "classes": {o.value for _, p, o in triples if p == type_ and isinstance(o, ox.NamedNode)},
        "properties": {p.value for _, p, _ in triples},
        "per_graph": {g.value: store.count(g) for g in graphs.public(store.graphs())},
    }


def _graph(response: requests.Response, format: str = "turtle") -> rdflib.Graph:
    return rdflib.Graph().parse(data=response.content, format=format)


def _integer(graph: rdflib.Graph, subject, predicate) -> int:
    return int(graph.value(subject, predicate))


# --- statistics -------------------------------------------------------------------------------

def test_statistics_equal_a_direct_count_on_both_backends(any_store):
    bootstrap.init_store(any_store, demo=True)
    any_store.insert([SECRET])
    # the same triple in two public graphs counts once in void:triples
    any_store.insert([ox.Quad(ox.NamedNode(ENTITY_SPACE + "organisation/x"),
                              ox.NamedNode("http://schema.org/name"), ox.Literal("X"), g)
                      for g in (graphs.DEMO, graphs.CONTRIBUTIONS)])
    stats = compute(any_store, graphs.public(any_store.graphs()))
    direct = _direct_counts(any_store)
    assert (stats.triples, stats.entities, stats.distinct_subjects) == (
        direct["triples"], direct["entities"], direct["distinct_subjects"])
    assert set(stats.classes) == direct["classes"] and set(stats.properties) == direct["properties"]
    assert {g.graph: g.triples for g in stats.graphs} == direct["per_graph"]
    assert "http://schema.org/email" not in stats.properties  # only the private quad uses it
    assert stats.vocabularies() == sorted({namespace_of(i) for i in direct["properties"] | direct["classes"]})


# --- service description ----------------------------------------------------------------------

def test_service_description_has_the_required_terms(site):
    url, app = site
    with app.app_context():
        triples = service_description(_store(app), url + "/sparql")
    graph = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.TURTLE), format="turtle")
    service = graph.value(None, RDF.type, SD.Service)
    assert service is not None
    assert graph.value(service, SD.endpoint) == rdflib.URIRef(url + "/sparql")
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query, SD.SPARQL11Update}
    assert set(graph.objects(service, SD.resultFormat)) == {
        FORMATS[name] for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")}
    assert set(graph.objects(service, SD.feature)) == {SD.UnionDefaultGraph}  # no partner endpoint
    dataset = graph.value(service, SD.defaultDataset)
    default_graph = graph.value(dataset, SD.defaultGraph)
    direct = _direct_counts(_store(app))
    assert _integer(graph, default_graph, VOID.triples) == direct["triples"]
    assert _integer(graph, default_graph, VOID.entities) == direct["entities"]
    assert _integer(graph, default_graph, VOID.classes) == len(direct["classes"])
    assert _integer(graph, default_graph, VOID.properties) == len(direct["properties"])
    named = {graph.value(n, SD.name): _integer(graph, graph.value(n, SD.graph), VOID.triples)
             for n in graph.objects(dataset, SD.namedGraph)}
    assert {str(g): n for g, n in named.items()} == direct["per_graph"]
    assert graphs.PRIVATE_PREFIX not in graph.serialize(format="nt")


def test_service_description_states_federation_when_allowed(site):
    url, app = site
    with app.app_context():
        triples = service_description(_store(app), url + "/sparql", federation=True)
    features = {t.object.value for t in triples if t.predicate.value == str(SD.feature)}
    assert features == {str(SD.UnionDefaultGraph), str(SD.BasicFederatedQuery)}


def test_service_description_is_served_at_the_endpoint(site):
    """GET /sparql without a query, asking for RDF, gets the description (SPARQL 1.1 SD, 2)."""
    url, _ = site
    answer = requests.get(url + "/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/turtle")
    graph = _graph(answer)
    service = graph.value(None, RDF.type, SD.Service)
    assert graph.value(service, SD.endpoint) == rdflib.URIRef(url + "/sparql")
    assert graphs.PRIVATE_PREFIX not in answer.text


# --- /void ------------------------------------------------------------------------------------

def test_void_licence_publisher_counts_and_links(site):
    url, app = site
    answer = requests.get(url + "/void", timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/turtle")
    graph = _graph(answer)
    dataset = rdflib.URIRef("https://w3id.org/oscartes/id/dataset/oscartes")
    assert (dataset, RDF.type, VOID.Dataset) in graph and (dataset, RDF.type, DCAT.Dataset) in graph
    assert graph.value(dataset, DCTERMS.license) == CC_BY_SA
    assert graph.value(dataset, DCTERMS.publisher) == rdflib.URIRef(
        "https://w3id.org/oscartes/id/organisation/oscartes")
    assert graph.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef(url + "/sparql")
    assert set(graph.objects(dataset, VOID.dataDump)) == {
        rdflib.URIRef(url + "/dumps/public.nq.gz"), rdflib.URIRef(url + "/dumps/public.ttl")}
    for dump in graph.objects(dataset, VOID.dataDump):
        assert requests.head(str(dump), timeout=30).status_code == 200
    direct = _direct_counts(_store(app))
    assert _integer(graph, dataset, VOID.triples) == direct["triples"]
    assert _integer(graph, dataset, VOID.entities) == direct["entities"]
    assert _integer(graph, dataset, VOID.classes) == len(direct["classes"])
    assert _integer(graph, dataset, VOID.properties) == len(direct["properties"])
    assert {str(v) for v in graph.objects(dataset, VOID.vocabulary)} == {
        namespace_of(i) for i in direct["properties"] | direct["classes"]}
    subsets = {str(graph.value(s, SD.name)): _integer(graph, s, VOID.triples)
               for s in graph.objects(dataset, VOID.subset) if graph.value(s, SD.name)}
    assert subsets == direct["per_graph"]
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert {str(graph.value(d, DCAT.downloadURL)) for d in distributions} == {
        url + "/dumps/public.nq.gz", url + "/dumps/public.ttl"}
    assert all(graph.value(d, DCTERMS.license) == CC_BY_SA for d in distributions)


def test_void_names_no_private_graph(site):
    url, _ = site
    for accept in ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"):
        text = requests.get(url + "/void", headers={"Accept": accept}, timeout=30).text
        assert graphs.PRIVATE_PREFIX not in text and SECRET_EMAIL not in text
        assert "http://schema.org/email" not in text  # used by the private graph only


@pytest.mark.parametrize("accept, format", [
    ("application/ld+json", "json-ld"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
])
def test_void_content_negotiation_gives_the_same_graph(site, accept, format):
    url, _ = site
    turtle = requests.get(url + "/void", timeout=30)
    other = requests.get(url + "/void", headers={"Accept": accept}, timeout=30)
    assert other.headers["Content-Type"].startswith(accept)
    assert "Accept" in other.headers["Vary"]
    assert isomorphic(_graph(turtle), _graph(other, format))


def test_void_uses_the_public_url_setting(tmp_path, live_server):
    data = tmp_path / "kb"
    _demo_store(data)
    app = create_app(Settings(data=data, public_url="https://donnees.example.org/kg/"))
    try:
        graph = _graph(requests.get(live_server(app) + "/void", timeout=30))
    finally:
        _store(app).close()
    dataset = rdflib.URIRef("https://w3id.org/oscartes/id/dataset/oscartes")
    assert graph.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef("https://donnees.example.org/kg/sparql")


# --- dumps ------------------------------------------------------------------------------------

def test_nquads_dump_holds_exactly_the_public_graphs(site):
    url, app = site
    answer = requests.get(url + "/dumps/public.nq.gz", timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/gzip"
    assert answer.headers["Content-Disposition"] == "attachment; filename=oscartes-public.nq.gz"
    assert answer.headers["ETag"] and answer.headers["Last-Modified"]
    assert int(answer.headers["Content-Length"]) == len(answer.content)
    body = gzip.decompress(answer.content)  # raises on a broken gzip stream
    quads = set(ox.parse(body, format=ox.RdfFormat.N_QUADS))
    assert quads == _public_quads(_store(app))
    assert SECRET not in quads and SECRET_EMAIL.encode() not in body
    assert graphs.PRIVATE_PREFIX.encode() not in body


def test_turtle_dump_is_the_union_of_the_public_graphs(site):
    url, app = site
    answer = requests.get(url + "/dumps/public.ttl", timeout=60)
    assert answer.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert answer.headers["Content-Disposition"] == "attachment; filename=oscartes-public.ttl"
    triples = {ox.Triple(q.subject, q.predicate, q.object)
               for q in ox.parse(answer.content, format=ox.RdfFormat.TURTLE)}
    expected = {ox.Triple(q.subject, q.predicate, q.object) for q in _public_quads(_store(app))}
    assert triples == expected
    assert SECRET_EMAIL not in answer.text


def test_conditional_get_answers_304(site):
    url, _ = site
    for name in dumps.DUMPS:
        first = requests.get(f"{url}/dumps/{name}", timeout=60)
        again = requests.get(f"{url}/dumps/{name}", headers={"If-None-Match": first.headers["ETag"]},
                             timeout=60)
        assert again.status_code == 304 and again.content == b""
        since = requests.get(f"{url}/dumps/{name}", timeout=60,
                             headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304
        other = requests.get(f"{url}/dumps/{name}", headers={"If-None-Match": '"other"'}, timeout=60)
        assert other.status_code == 200 and other.content == first.content


def test_dumps_and_counts_are_made_again_after_a_change(site):
    url, app = site
    store = _store(app)
    before = requests.get(url + "/dumps/public.nq.gz", timeout=60)
    triples_before = _integer(_graph(requests.get(url + "/void", timeout=30)),
                              rdflib.URIRef("https://w3id.org/oscartes/id/dataset/oscartes"), VOID.triples)
    added = ox.Quad(ox.NamedNode(ENTITY_SPACE + "organisation/nouvelle"),
                    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                    ox.Literal("Nouvelle association", language="fr"), graphs.CONTRIBUTIONS)
    store.insert([added, ox.Quad(SECRET.subject, SECRET.predicate, ox.Literal("other@example.org"),
                                 graphs.PRIVATE_CONTACTS)])
    dumps.stamp_change(store)  # what every write path does after writing

    after = requests.get(url + "/dumps/public.nq.gz",
                         headers={"If-None-Match": before.headers["ETag"]}, timeout=60)
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    quads = set(ox.parse(gzip.decompress(after.content), format=ox.RdfFormat.N_QUADS))
    assert added in quads and quads == _public_quads(store)
    assert b"other@example.org" not in gzip.decompress(after.content)
    void = _graph(requests.get(url + "/void", timeout=30))
    dataset = rdflib.URIRef("https://w3id.org/oscartes/id/dataset/oscartes")
    assert _integer(void, dataset, VOID.triples) == triples_before + 1 == _direct_counts(store)["triples"]
    turtle = requests.get(url + "/dumps/public.ttl", timeout=60)
    assert "Nouvelle association" in turtle.text


def test_concurrent_requests_share_one_generation(site):
    """Many requests right after a change: one file is made (one ETag), all bodies are whole."""
    url, app = site
    dumps.stamp_change(_store(app))
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: requests.get(url + "/dumps/public.nq.gz", timeout=120), range(12)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.headers["ETag"] for a in answers}) == 1
    assert len({a.content for a in answers}) == 1
    assert set(ox.parse(gzip.decompress(answers[0].content), format=ox.RdfFormat.N_QUADS)) == \
        _public_quads(_store(app))
    folder = _store(app).path / "dumps"
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_unknown_dump_is_404(site):
    url, _ = site
    assert requests.get(url + "/dumps/private.nq.gz", timeout=30).status_code == 404


# --- remote store: files in the cache folder, made again by age -------------------------------

def test_remote_store_dumps_expire_by_age(remote_store, tmp_path, oxigraph_server, live_server):
    remote_store.insert([SECRET, ox.Quad(ox.NamedNode(ENTITY_SPACE + "organisation/a"),
                                         ox.NamedNode("http://schema.org/name"), ox.Literal("A"),
                                         graphs.DEMO)])
    cache = dumps.open_cache(remote_store, cache_dir=tmp_path / "cache", max_age=3600)
    first = cache.dump("public.nq.gz")
    assert first.parent.parent == tmp_path / "cache"
    added = ox.Quad(ox.NamedNode(ENTITY_SPACE + "organisation/b"), ox.NamedNode("http://schema.org/name"),
                    ox.Literal("B"), graphs.DEMO)
    remote_store.insert([added])
    dumps.stamp_change(remote_store)  # no folder of ours: nothing to stamp, no error
    kept = set(ox.parse(gzip.decompress(cache.dump("public.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS))
    assert added not in kept  # still within the max age
    aged = dumps.open_cache(remote_store, cache_dir=tmp_path / "cache", max_age=0)
    remade = set(ox.parse(gzip.decompress(aged.dump("public.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS))
    assert remade == _public_quads(remote_store) and added in remade and SECRET not in remade

    app = create_app(Settings(remote_url=f"{oxigraph_server}/query", dumps_cache=str(tmp_path / "app-cache"),
                              dumps_max_age=0))
    answer = requests.get(live_server(app) + "/dumps/public.nq.gz", timeout=60)
    served = set(ox.parse(gzip.decompress(answer.content), format=ox.RdfFormat.N_QUADS))
    assert served == _public_quads(remote_store)
    void = _graph(requests.get(live_server(app) + "/void", timeout=30))
    dataset = rdflib.URIRef("https://w3id.org/oscartes/id/dataset/oscartes")
    assert _integer(void, dataset, VOID.triples) == _direct_counts(remote_store)["triples"]
