"""The duplicates curation pages (``app/duplicates.py``): roles, CSRF, the side-by-side view,
and link / merge / distinct decided from the forms, then respected by a re-import."""
from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from duplicates_scenario import CARTE_A, ID, a, b, import_both, pair, write_carte_a
from web_helpers import csrf_from, log_in, site

from oscartes_kg import importers
from oscartes_kg.duplicates import IDENTITY, merged_into, proposals

SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
DIFFERENT = ox.NamedNode("http://www.w3.org/2002/07/owl#differentFrom")


@pytest.fixture
def scenario(tmp_path):
    with site(tmp_path) as (app, iris):
        store = app.extensions["oscartes_store"]
        import_both(store, tmp_path)
        yield app, store, tmp_path


def client_as(app, login):
    client = app.test_client()
    if login:
        assert log_in(client, login).status_code == 303
    return client


def pair_path(x, y):
    return "/curation/duplicates/pair?" + urlencode({"a": x, "b": y})


def pairs(store):
    return {(p.a, p.b) for p in proposals.page(store, limit=1000)[0]}


def post_decision(client, x, y, action):
    token = csrf_from(client.get(pair_path(x, y)).text)
    return client.post("/curation/duplicates/decide",
                       data={"csrf_token": token, "a": x, "b": y, "action": action})


def test_only_curators_and_admins_see_the_duplicates(scenario):
    app, store, _ = scenario
    assert client_as(app, None).get("/curation/duplicates").status_code == 401
    assert client_as(app, "contrib").get("/curation/duplicates").status_code == 403
    assert client_as(app, "contrib").get(pair_path(a("a1"), b("b1"))).status_code == 403
    page = client_as(app, "root").get("/curation/duplicates")
    assert page.status_code == 200
    curator = client_as(app, "cura@example.org")
    page = curator.get("/curation/duplicates")
    assert page.status_code == 200 and "Poles Noe" in page.text and "même site web" in page.text
    assert 'href="/curation/duplicates"' in curator.get("/curation").text


def test_the_pair_page_shows_both_sides_with_their_sources(scenario):
    app, store, _ = scenario
    page = client_as(app, "cura@example.org").get(pair_path(a("a1"), b("b1")))
    assert page.status_code == 200
    assert "import : carte-a" in page.text and "import : tableur" in page.text
    assert "https://poles-noe.example.org" in page.text and "http://www.poles-noe.example.org/" in page.text
    assert 'value="merge"' in page.text and "même site web (poles-noe.example.org)" in page.text
    outside = client_as(app, "cura@example.org").get(pair_path("https://example.org/x", b("b1")))
    assert outside.status_code == 404


def test_a_decision_without_csrf_token_or_by_a_contributor_writes_nothing(scenario):
    app, store, _ = scenario
    before = set(store.quads())
    curator = client_as(app, "cura@example.org")
    response = curator.post("/curation/duplicates/decide",
                            data={"a": a("a1"), "b": b("b1"), "action": "link"})
    assert response.status_code == 400
    contributor = client_as(app, "contrib")
    token = csrf_from(contributor.get("/contribute/organisation").text)  # a valid session token
    response = contributor.post("/curation/duplicates/decide",
                                data={"csrf_token": token, "a": a("a1"), "b": b("b1"), "action": "link"})
    assert response.status_code == 403
    assert set(store.quads()) == before


def test_link_from_the_page_then_reimport(scenario):
    app, store, tmp_path = scenario
    response = post_decision(client_as(app, "cura@example.org"), a("a1"), b("b1"), "link")
    assert response.status_code == 303 and response.location.endswith("done=link")
    assert list(store.quads(ox.NamedNode(a("a1")), SAME_AS, ox.NamedNode(b("b1")), IDENTITY))
    importers.import_source(store, "gogocarto", str(write_carte_a(tmp_path)), source_name="carte-a")
    assert pair(a("a1"), b("b1")) not in pairs(store)
    assert list(store.quads(ox.NamedNode(a("a1")), SAME_AS, ox.NamedNode(b("b1")), IDENTITY))


def test_distinct_from_the_page_then_reimport(scenario):
    app, store, tmp_path = scenario
    response = post_decision(client_as(app, "root"), a("a2"), b("b2"), "distinct")
    assert response.status_code == 303
    assert list(store.quads(ox.NamedNode(a("a2")), DIFFERENT, ox.NamedNode(b("b2")), IDENTITY))
    importers.import_source(store, "gogocarto", str(write_carte_a(tmp_path)), source_name="carte-a")
    assert pair(a("a2"), b("b2")) not in pairs(store)


def test_merge_from_the_page_then_reimport(scenario):
    app, store, tmp_path = scenario
    ours = ID + "poles-noe"
    response = post_decision(client_as(app, "cura@example.org"), ours, a("a1"), "merge")
    assert response.status_code == 303
    assert merged_into(store, ox.NamedNode(a("a1"))) == ox.NamedNode(ours)
    summary = importers.import_source(store, "gogocarto", str(write_carte_a(tmp_path)),
                                      source_name="carte-a")
    assert ours in summary.unchanged and not summary.created
    assert len(summary.unchanged) == len(CARTE_A)


def test_a_refused_merge_shows_the_reason_and_writes_nothing(scenario):
    app, store, _ = scenario
    before = set(store.quads())
    response = post_decision(client_as(app, "cura@example.org"), a("a1"), ID + "poles-noe", "merge")
    assert response.status_code == 400 and "seule une entrée importée" in response.text
    assert set(store.quads()) == before
