"""Matches on the web (issue 7 §1-2): the « Correspondances » block of need and offer pages,
the JSON API ``/api/matches/<kind>/<slug>``, and a poster marking their need fulfilled."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from app import create_app
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store
from test_matching import SCENARIO
from web_helpers import csrf_from, log_in, make_site_data

COMPETENCE = "https://w3id.org/oscartes/id/competence/"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    data = tmp_path_factory.mktemp("matching-web") / "kb"
    iris = make_site_data(data)
    with open_store(data=data) as store:
        store.insert(list(ox.parse(path=str(SCENARIO), format=ox.RdfFormat.TRIG)))
    app = create_app(Settings(data=data))
    yield app, iris
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def test_matching_api_returns_ranked_offers_with_parts(web):
    app, _ = web
    reply = app.test_client().get("/api/matches/need/test-maraichage-massy")
    assert reply.status_code == 200 and reply.mimetype == "application/json"
    data = reply.get_json()
    assert [o["href"] for o in data["offers"]][:2] == ["/id/offer/test-a-identique",
                                                        "/id/offer/test-b-sans-fin-les-ulis"]
    assert data["offers"][0]["parts"]["period"]["fr"] == "périodes qui se recouvrent du 1er au 30 mai 2026"
    assert data["actors"][0]["href"] == "/id/organisation/test-ferme-palaiseau"
    limited = app.test_client().get("/api/matches/need/test-maraichage-massy?limit=1").get_json()
    assert len(limited["offers"]) == 1 and len(limited["actors"]) == 1


def test_matching_api_errors_name_the_problem(web):
    client = web[0].test_client()
    bad_limit = client.get("/api/matches/need/test-maraichage-massy?limit=0")
    assert bad_limit.status_code == 400 and "limit" in bad_limit.get_json()["error"]
    assert client.get("/api/matches/event/x").status_code == 404
    # a proposal waiting in a private graph is not reachable
    private = client.get("/api/matches/offer/test-z-proposition")
    assert private.status_code == 404 and private.get_json()["ok"] is False


def test_matching_block_on_need_and_offer_pages(web):
    client = web[0].test_client()
    page = client.get("/id/need/test-maraichage-massy").get_data(as_text=True)
    assert "Correspondances" in page
    block = page[page.index('id="entity-matches"'):]
    order = [block.index(f'href="/id/offer/{slug}"') for slug in (
        "test-a-identique", "test-b-sans-fin-les-ulis", "test-c-juillet", "test-d-etampes")]
    assert order == sorted(order)
    assert "compétence identique : Maraîchage" in block and "8,4 km (Massy → Les Ulis)" in block
    assert "test-x-permaculture" not in block and "test-z-proposition" not in block
    assert 'href="/id/person/test-camille"' in block and "test-dominique" not in block
    english = client.get("/id/need/test-maraichage-massy?lang=en").get_data(as_text=True)
    assert "same competence: Market gardening" in english
    offer = client.get("/id/offer/test-e-plus-large?lang=fr").get_data(as_text=True)
    assert 'href="/id/need/test-maraichage-massy"' in offer
    assert "compétence plus précise : Maraîchage" in offer


def test_poster_marks_a_posted_need_fulfilled(web):
    app, iris = web
    client = app.test_client()
    log_in(client, "contrib")
    token = csrf_from(client.get("/contribute/need").get_data(as_text=True))
    posted = client.post("/contribute/need", data={
        "csrf_token": token, "label": "Besoin test : un maraîcher pour Palaiseau",
        "needOfferKind": "https://w3id.org/oscartes/id/need-offer-kind/competences",
        "competence": COMPETENCE + "maraichage", "commune": "Palaiseau (91477)",
        "validFrom": "2026-05-05", "validThrough": "2026-05-25",
        "needOfferStatus": "https://w3id.org/oscartes/ns#open",
        "postedBy": "https://w3id.org/oscartes/id/organisation/test-jardin-massy"})
    assert posted.status_code == 303, posted.get_data(as_text=True)[:2000]
    path = posted.headers["Location"].split("?")[0]
    page = client.get(path).get_data(as_text=True)
    assert 'href="/id/offer/test-a-identique"' in page and "Marquer comme pourvu" in page
    # the form's dates and commune are what matching compares
    assert "périodes qui se recouvrent du 5 au 25 mai 2026" in page
    assert "(Palaiseau → Massy)" in page and "même commune : Palaiseau (0,1 km)" in page
    # another contributor may not mark it
    other = app.test_client()
    log_in(other, "contrib2")
    other_token = csrf_from(other.get(path).get_data(as_text=True))
    assert "Marquer comme pourvu" not in other.get(path).get_data(as_text=True)
    assert other.post(path + "/fulfilled", data={"csrf_token": other_token}).status_code == 403
    # the poster does; the need keeps its page and loses its matches
    assert f'action="{path}/fulfilled"' in page
    token = csrf_from(page)
    assert client.post(path + "/fulfilled", data={"csrf_token": token}).status_code == 303
    after = client.get(path).get_data(as_text=True)
    assert "Pourvu : plus de correspondances" in after and "test-a-identique" not in after
    assert client.get("/api/matches" + path[3:]).get_json()["open"] is False
    # and the offers no longer list it
    offers_of = client.get("/api/matches/offer/test-a-identique").get_json()["needs"]
    assert all(n["href"] != path for n in offers_of)


def test_needs_and_offers_are_on_the_map(web):
    """Issue 7 §1: needs and offers appear on the map (at their commune's centre), public only."""
    client = web[0].test_client()
    needs = client.get("/api/map.geojson?kind=need").get_json()["features"]
    offers = client.get("/api/map.geojson?kind=offer").get_json()["features"]
    assert "Besoin test : maraîchage à Massy" in [f["properties"]["label"] for f in needs]
    massy = next(f for f in offers if f["properties"]["label"] == "Offre test A : maraîchage à Massy")
    assert massy["geometry"]["coordinates"] == [2.275, 48.728]
    assert all("proposition privée" not in f["properties"]["label"] for f in offers)
