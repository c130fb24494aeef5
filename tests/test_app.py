"""The placeholder app: home page, and /sparql answering queries on the public graphs only."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from app import create_app
from oscartes_kg import bootstrap, graphs
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

SECRET = ox.Quad(ox.NamedNode("https://w3id.org/oscartes/id/person/secret"),
                 ox.NamedNode("http://schema.org/email"), ox.Literal("secret@example.org"),
                 graphs.PRIVATE_CONTACTS)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data = tmp_path_factory.mktemp("app") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        store.insert([SECRET])
    app = create_app(Settings(data=data))
    yield app.test_client()
    app.extensions["oscartes_store"].close()


def test_home_page_is_french_and_lists_public_graphs(client):
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Base de connaissances OSCARTES" in text and '<html lang="fr">' in text
    assert graphs.DEMO.value in text and "private" not in text


def test_sparql_get_answers_json_results(client):
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?l WHERE { "
             "<https://w3id.org/oscartes/id/organisation/oscartes> rdfs:label ?l }")
    answer = client.get("/sparql", query_string={"query": query},
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    assert answer.mimetype == "application/sparql-results+json"
    labels = [b["l"]["value"] for b in answer.get_json()["results"]["bindings"]]
    assert any("OSCARTES" in label for label in labels)


def test_sparql_post_csv_and_construct_turtle(client):
    csv = client.post("/sparql", data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                      headers={"Accept": "text/csv"})
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).splitlines()[0] == "n"
    turtle = client.post("/sparql", data="CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 3",
                         content_type="application/sparql-query", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    assert len(list(ox.parse(turtle.get_data(), format=ox.RdfFormat.TURTLE))) == 3


@pytest.mark.parametrize("query", [
    "SELECT ?o WHERE { ?s <http://schema.org/email> ?o }",
    "SELECT ?o WHERE { GRAPH ?g { ?s <http://schema.org/email> ?o } }",
    f"SELECT ?o FROM <{graphs.PRIVATE_CONTACTS.value}> WHERE {{ ?s <http://schema.org/email> ?o }}",
    f"SELECT ?o WHERE {{ GRAPH <{graphs.PRIVATE_CONTACTS.value}> {{ ?s ?p ?o }} }}",
])
def test_private_graphs_are_invisible_from_sparql(client, query):
    answer = client.get("/sparql", query_string={"query": query},
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    assert "secret@example.org" not in answer.get_data(as_text=True)


def test_malformed_query_is_a_400_with_the_error_shape(client):
    answer = client.get("/sparql", query_string={"query": "SELEKT ?x WHERE {"},
                        headers={"Accept": "application/json"})
    assert answer.status_code == 400
    body = json.loads(answer.get_data(as_text=True))
    assert set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False and body["status"] == 400 and body["error"]


def test_sparql_without_query_shows_the_french_form(client):
    page = client.get("/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Point d'accès SPARQL" in page.get_data(as_text=True)


def test_update_without_a_token_is_refused(client):
    answer = client.post("/sparql", data={"update": "DROP ALL"}, headers={"Accept": "application/json"})
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                      headers={"Accept": "application/sparql-results+json"}).json["boolean"] is True
