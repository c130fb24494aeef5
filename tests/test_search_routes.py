"""/search and /search.json: results, facets, pages, language, escaping, errors, private data."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from app import create_app
from oscartes_kg import bootstrap, graphs, ingest
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

DATA = Path(__file__).parent / "data"
ID = "https://w3id.org/oscartes/id/"
XSS = '</script><script>alert("x")</script>'
HOSTILE = ox.NamedNode(ID + "organisation/hostile")
SECRET = ox.NamedNode(ID + "organisation/secret-search")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("search") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        ingest.load(store, [DATA / "catalogue.trig"])
        label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        store.insert([
            ox.Quad(HOSTILE, label, ox.Literal(f"Hostile {XSS}"), graphs.CONTRIBUTIONS),
            ox.Quad(HOSTILE, ox.NamedNode("http://purl.org/dc/terms/description"),
                    ox.Literal(f"Zéphyr {XSS} <b>gras</b>"), graphs.CONTRIBUTIONS),
            ox.Quad(SECRET, label, ox.Literal("Zéphyr secret"), graphs.PRIVATE_CONTACTS)])
    app = create_app(Settings(data=data))
    yield app
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


@pytest.fixture
def client(site):
    return site.test_client()


def html(client, url: str) -> str:
    answer = client.get(url, headers={"Accept": "text/html"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/html"
    return answer.get_data(as_text=True)


def result_links(text: str) -> list[tuple[str, str]]:
    return [(href, unescape(label)) for href, label in
            re.findall(r'<li class="search-hit[^"]*">\s*<h3><a href="([^"]+)">([^<]+)</a>', text)]


def test_search_page_in_french_links_to_entity_pages(client):
    text = html(client, "/search?q=fete+des+possibles")
    assert '<html lang="fr">' in text and "Rechercher" in text and "résultat" in text
    assert result_links(text)[0] == ("/id/event/fete-des-possibles-2021", "Fête des possibles 2021")
    assert "<mark>" in text


def test_search_page_in_english(client):
    text = html(client, "/search?q=zephyr&lang=en")
    assert '<html lang="en">' in text and "4 results" in text and "Refine" in text
    assert "Cooperative" in text or "Organisation" in text


def test_json_has_the_same_results_as_the_page(client):
    data = client.get("/search.json?q=zephyr").get_json()
    page = html(client, "/search?q=zephyr")
    assert [r["url"] for r in data["results"]] == [href for href, _ in result_links(page)]
    assert data["total"] == 4  # the three test entities and the hostile one
    assert data["results"][0]["label"] == "Zéphyr coopérative"
    assert set(data["facets"]) == {"kind", "theme", "commune", "status", "competence"}
    by_accept = client.get("/search?q=zephyr", headers={"Accept": "application/json"})
    assert by_accept.mimetype == "application/json" and by_accept.get_json() == data


def test_facets_narrow_and_follow_the_hierarchy(client):
    data = client.get("/search.json").get_json()
    themes = {v["value"]: v for v in data["facets"]["theme"]}
    food = themes[ID + "theme/alimentation"]
    assert food["count"] == 2 and not food["selected"]
    narrowed = client.get(food["url"].replace("/search?", "/search.json?")).get_json()
    assert narrowed["total"] == 2 and narrowed["filters"]["theme"] == [ID + "theme/alimentation"]
    children = {v["value"]: v for v in narrowed["facets"]["theme"]}
    assert children[ID + "theme/circuits-courts"]["parent"] == ID + "theme/alimentation"
    deeper = client.get(children[ID + "theme/circuits-courts"]["url"].replace("/search?", "/search.json?")).get_json()
    assert [r["label"] for r in deeper["results"]] == ["Zéphyr coopérative"]
    # The page shows the tree: a narrower theme is nested under its parent, with its count.
    text = html(client, "/search?theme=" + ID + "theme/alimentation")
    nested = re.search(r'>Alimentation</a>\s*<span class="facet-count">2</span>\s*<ul class="facet-values">'
                       r'(.*?)</ul>', text, re.S)
    assert nested and "Circuits courts" in nested.group(1)
    assert "retirer" in text  # the chosen filter can be removed


def test_kind_status_territory_competence_filters(client):
    def total(query):
        return client.get("/search.json?" + query).get_json()["total"]
    assert total("kind=event") == 5
    assert total(f"kind=organisation&status={ID}status/cooperative") == 1
    assert total(f"commune={ID}territory/commune-91477") == 1
    assert total(f"competence={ID}competence/maraichage-jardinage") == 1
    assert total("kind=event&kind=initiative") == 6


def test_pages_have_rel_next_and_prev(client):
    first = client.get("/search.json").get_json()
    assert first["pages"] > 2 and first["prev"] is None and first["next"] == "/search?page=2"
    text = html(client, "/search?page=2")
    assert '<link rel="prev" href="/search?page=1">' in text
    assert '<link rel="next" href="/search?page=3">' in text
    assert 'rel="next">Suivante' in text and 'aria-current="page">2<' in text
    second = client.get("/search.json?page=2").get_json()
    assert not {r["iri"] for r in first["results"]} & {r["iri"] for r in second["results"]}
    assert len(second["results"]) == 20


def test_user_strings_are_escaped(client):
    text = html(client, "/search?q=hostile")
    assert XSS not in text and "<b>gras</b>" not in text
    assert "&lt;/script&gt;&lt;script&gt;" in text
    query_echo = html(client, "/search?q=" + requests.utils.quote(XSS))
    assert XSS not in query_echo


def test_private_data_is_not_found(client):
    data = client.get("/search.json?q=secret").get_json()
    assert data["total"] == 0
    assert SECRET.value not in client.get("/search.json?q=zephyr").get_data(as_text=True)


def test_bad_parameters_are_clear_errors(client):
    bad_page = client.get("/search.json?page=zero")
    assert bad_page.status_code == 400
    assert bad_page.get_json()["error"].startswith("numéro de page invalide")
    bad_kind = client.get("/search?kind=spaceship", headers={"Accept": "text/html"})
    assert bad_kind.status_code == 400 and "type inconnu" in bad_kind.get_data(as_text=True)
    far = client.get("/search.json?page=999999").get_json()
    assert far["results"] == [] or far["page"] < 999999  # capped, never an error


def test_search_over_live_http(site, live_server):
    url = live_server(site)
    answer = requests.get(url + "/search", params={"q": "FÊTE des possibles"}, timeout=10)
    assert answer.status_code == 200 and "Fête des possibles 2021" in answer.text
    data = requests.get(url + "/search.json", params={"q": "fete"}, timeout=10).json()
    assert data["results"][0]["url"] == "/id/event/fete-des-possibles-2021"


def test_a_write_through_the_app_is_searchable_at_once_on_a_remote_store(oxigraph_server, tmp_path):
    """The Graph Store write refreshes the catalogue in the configured folder, even before any
    search opened it (the remote store's index is otherwise only rebuilt after max age)."""
    from oscartes_kg import catalogue, tokens

    with open_store(remote_url=oxigraph_server + "/query") as store:
        store.update("DROP ALL")
        bootstrap.init_store(store, demo=True)
        secret = tokens.create(store, "curator")[1]
        catalogue.rebuild(store, cache_dir=tmp_path)
    app = create_app(Settings(remote_url=oxigraph_server + "/query", catalogue_cache=str(tmp_path)))
    try:
        client = app.test_client()
        body = (f'<{ID}organisation/quintessence-des-tests> a <https://w3id.org/oscartes/ns#Organisation> ; '
                f'<http://www.w3.org/2000/01/rdf-schema#label> "Quintessence des tests"@fr .')
        written = client.post(f"/graph-store?graph={graphs.CONTRIBUTIONS.value}", data=body.encode(),
                              headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {secret}"})
        assert written.status_code in (200, 201, 204), written.get_data(as_text=True)
        found = client.get("/search.json?q=quintessence").get_json()
        assert [r["label"] for r in found["results"]] == ["Quintessence des tests"]
    finally:
        app.extensions["oscartes_runner"].shutdown()
        app.extensions["oscartes_store"].close()
