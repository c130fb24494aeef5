"""/reconcile driven the way OpenRefine drives it, over a live HTTP server with ``requests``: the
manifest (JSON and JSONP), batches of queries as form-encoded POST and as GET, properties
(commune, website, SIREN), suggest, preview, flyout and data extension; and nothing private
reachable through any of them. Data: the demo set (real names) and a few fictional actors."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import requests

from oscartes_kg import bootstrap, graphs
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

ID = "https://w3id.org/oscartes/id/"
FICTIONAL = """
@prefix osc: <https://w3id.org/oscartes/ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <https://w3id.org/oscartes/id/organisation/> .
@prefix territory: <https://w3id.org/oscartes/id/territory/> .
<https://w3id.org/oscartes/graph/import/test-reconcile> {
  org:atelier-velo-massy a osc:Association ; rdfs:label "Atelier Vélo de Massy"@fr ;
      osc:commune territory:commune-91377 ; osc:siren "123456782" ;
      schema:url "https://atelier-velo-massy.example/"^^xsd:anyURI .
  org:atelier-velo-palaiseau a osc:Association ; rdfs:label "Atelier Vélo de Palaiseau"@fr ;
      osc:commune territory:commune-91477 ;
      schema:url "https://www.atelier-velo-palaiseau.example"^^xsd:anyURI .
  <https://w3id.org/oscartes/id/person/camille-sansconsentement> a osc:Person ;
      rdfs:label "Camille Sansconsentement"@fr .
  org:collectif-balise a osc:InformalCollective ;
      rdfs:label "<script>alert('x')</script> Collectif Balise"@fr .
}
"""
PRIVATE_MARKER = ID + "organisation/zorglub-prive"
PRIVATE_SIREN = "987654321"
PRIVATE_SITE = "https://zorglub-prive.example/"


@pytest.fixture(scope="module")
def site(tmp_path_factory, module_live_server):
    """The app over HTTP on an embedded store: demo data, fictional actors, private markers."""
    from app import create_app

    data = tmp_path_factory.mktemp("reconcile") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        store.insert(list(ox.parse(FICTIONAL, format=ox.RdfFormat.TRIG)))
        marker, massy = ox.NamedNode(PRIVATE_MARKER), ox.NamedNode(ID + "organisation/atelier-velo-massy")
        store.insert([
            ox.Quad(marker, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                    ox.Literal("Zorglub marqueur privé", language="fr"), graphs.PRIVATE_PROPOSALS),
            ox.Quad(marker, ox.NamedNode("https://w3id.org/oscartes/ns#siren"),
                    ox.Literal(PRIVATE_SIREN), graphs.PRIVATE_PROPOSALS),
            ox.Quad(massy, ox.NamedNode("http://schema.org/url"), ox.Literal(PRIVATE_SITE),
                    graphs.PRIVATE_CONTACTS),
        ])
    app = create_app(Settings(data=data))
    yield module_live_server(app)
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def _batch(site, queries: dict, method: str = "post") -> dict:
    """A batch as OpenRefine sends it: ``queries=`` holding a JSON string, form-encoded."""
    if method == "post":
        answer = requests.post(site + "/reconcile", data={"queries": json.dumps(queries)}, timeout=30)
    else:
        answer = requests.get(site + "/reconcile", params={"queries": json.dumps(queries)}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    return answer.json()


def _ids(result: dict) -> list[str]:
    return [c["id"] for c in result["result"]]


def _features(candidate: dict) -> dict:
    return {f["id"]: f["value"] for f in candidate["features"]}


# --- manifest -------------------------------------------------------------------------------

def test_manifest_names_the_service_its_spaces_types_and_services(site):
    manifest = requests.get(site + "/reconcile", timeout=30).json()
    assert "0.2" in manifest["versions"] and "OSCARTES" in manifest["name"]
    assert manifest["identifierSpace"] == ID
    assert manifest["schemaSpace"] == "https://w3id.org/oscartes/ns#"
    assert {"organisation", "initiative", "person", "event", "commons"} <= {
        t["id"] for t in manifest["defaultTypes"]}
    assert manifest["view"]["url"] == site + "/id/{{id}}"
    assert manifest["preview"]["url"] == site + "/reconcile/preview?id={{id}}"
    for kind in ("entity", "type", "property"):
        assert manifest["suggest"][kind] == {**manifest["suggest"][kind], "service_url": site + "/reconcile",
                                             "service_path": f"/suggest/{kind}"}
    assert manifest["extend"]["propose_properties"]["service_path"] == "/propose_properties"
    # The view URL pattern leads to our entity page.
    page = requests.get(manifest["view"]["url"].replace("{{id}}", "organisation/poles-noe"), timeout=30)
    assert page.status_code == 200 and "PôleS NOE" in page.text


def test_manifest_as_jsonp_and_a_bad_callback_refused(site):
    answer = requests.get(site + "/reconcile", params={"callback": "jQuery123_456"}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/javascript")
    body = answer.text
    assert body.startswith("/**/jQuery123_456(") and body.endswith(");")
    assert json.loads(body[len("/**/jQuery123_456("):-2])["identifierSpace"] == ID
    refused = requests.get(site + "/reconcile", params={"callback": "alert(1)//"}, timeout=30)
    assert refused.status_code == 400 and refused.json()["ok"] is False


# --- queries --------------------------------------------------------------------------------

def test_batch_matches_demo_actors_by_name_whatever_the_spelling(site):
    found = _batch(site, {"q0": {"query": "Poles Noé", "type": "organisation"},
                          "q1": {"query": "Association Maison Cocagne"},
                          "q2": {"query": "LES ULIS", "type": "territory", "limit": 3}})
    assert set(found) == {"q0", "q1", "q2"}
    best = found["q0"]["result"][0]
    assert best["id"] == "organisation/poles-noe" and best["name"] == "PôleS NOE" and best["match"]
    assert best["type"] == [{"id": "organisation", "name": "Organisation"}]
    assert best["score"] == 100 and _features(best) == {"name": 1.0}
    assert found["q1"]["result"][0]["id"] == "organisation/maison-cocagne"
    assert found["q1"]["result"][0]["match"]
    assert _ids(found["q2"])[0] == "territory/commune-91692" and len(found["q2"]["result"]) <= 3


def test_get_and_post_batches_answer_the_same(site):
    queries = {"q0": {"query": "Massy en transition"}, "q1": {"query": "Ville des Ulis"}}
    assert _batch(site, queries, "get") == _batch(site, queries, "post")


def test_commune_property_by_name_insee_code_or_departement(site):
    def best(commune):
        found = _batch(site, {"q": {"query": "Atelier vélo", "type": "organisation",
                                    "properties": [{"pid": "commune", "v": commune}]}})["q"]["result"]
        return found
    massy = best("Massy")
    assert massy[0]["id"] == "organisation/atelier-velo-massy"
    assert _features(massy[0])["commune"] == 1.0 and _features(massy[1])["commune"] == 0.0
    assert best("91477")[0]["id"] == "organisation/atelier-velo-palaiseau"
    # Essonne holds both communes (osc:partOf): no commune decides, so neither is a match.
    essonne = best("Essonne")
    assert {_features(c)["commune"] for c in essonne[:2]} == {1.0}
    assert not any(c["match"] for c in essonne)


def test_website_and_siren_find_and_score_an_actor(site):
    found = _batch(site, {
        "web": {"query": "Atelier", "properties": [{"pid": "website", "v": "http://atelier-velo-palaiseau.example/"}]},
        "web_only": {"query": "", "properties": [{"pid": "website", "v": "atelier-velo-massy.example"}]},
        "siret": {"query": "", "properties": [{"pid": "siren", "v": "123 456 782 00017"}]},
        "wrong": {"query": "Atelier Vélo de Massy", "properties": [{"pid": "siren", "v": "111111111"}]},
    })
    web = found["web"]["result"][0]
    assert web["id"] == "organisation/atelier-velo-palaiseau" and _features(web)["website"] == 1.0
    assert _ids(found["web_only"]) == ["organisation/atelier-velo-massy"]
    siret = found["siret"]["result"]
    assert _ids(found["siret"]) == ["organisation/atelier-velo-massy"] and siret[0]["score"] == 100
    wrong = found["wrong"]["result"][0]
    assert _features(wrong) == {"name": 1.0, "siren": 0.0} and wrong["score"] == 50 and not wrong["match"]


def test_single_query_parameter_of_api_0_1(site):
    answer = requests.get(site + "/reconcile", params={"query": "Maison Cocagne"}, timeout=30)
    assert answer.status_code == 200 and _ids(answer.json())[0] == "organisation/maison-cocagne"


@pytest.mark.parametrize("queries, named", [
    ("{not json", "JSON"),
    (json.dumps({"q0": {"query": "x", "type": "planet"}}), "q0"),
    (json.dumps({"q7": {"query": "x", "limit": -2}}), "q7"),
    (json.dumps({"q1": {"query": "x", "properties": [{"pid": "shoe size", "v": "42"}]}}), "q1"),
    (json.dumps(["q0"]), "queries"),
])
def test_malformed_batches_get_a_clear_error(site, queries, named):
    answer = requests.post(site + "/reconcile", data={"queries": queries}, timeout=30)
    assert answer.status_code == 400
    body = answer.json()
    assert body["ok"] is False and named in body["error"] and " / " in body["error"]


# --- suggest, preview, flyout ---------------------------------------------------------------

def test_suggest_entity_type_and_property(site):
    entity = requests.get(site + "/reconcile/suggest/entity", params={"prefix": "maison coc"}, timeout=30)
    assert [r["id"] for r in entity.json()["result"]] == ["organisation/maison-cocagne"]
    typed = requests.get(site + "/reconcile/suggest/entity",
                         params={"prefix": "ulis", "type": "territory"}, timeout=30).json()["result"]
    assert [r["id"] for r in typed] == ["territory/commune-91692"]
    types = requests.get(site + "/reconcile/suggest/type", params={"prefix": "org"}, timeout=30)
    assert types.json()["result"][0]["id"] == "organisation"
    props = requests.get(site + "/reconcile/suggest/property", params={"prefix": "site"}, timeout=30)
    assert "website" in [p["id"] for p in props.json()["result"]]
    jsonp = requests.get(site + "/reconcile/suggest/entity", params={"prefix": "poles", "callback": "cb"},
                         timeout=30)
    assert jsonp.text.startswith("/**/cb(") and "organisation/poles-noe" in jsonp.text


def test_preview_is_a_small_escaped_french_card(site):
    card = requests.get(site + "/reconcile/preview", params={"id": "organisation/union-des-associations-des-ulis"},
                        timeout=30)
    assert card.status_code == 200 and card.headers["Content-Type"].startswith("text/html")
    assert 'lang="fr"' in card.text and "Union des Associations des Ulis" in card.text
    assert "Les Ulis" in card.text and "/id/organisation/union-des-associations-des-ulis" in card.text
    hostile = requests.get(site + "/reconcile/preview", params={"id": "organisation/collectif-balise"},
                           timeout=30)
    assert hostile.status_code == 200 and "<script>alert" not in hostile.text
    assert "&lt;script&gt;" in hostile.text
    flyout = requests.get(site + "/reconcile/flyout/entity", params={"id": "organisation/poles-noe"},
                          timeout=30).json()
    assert flyout["id"] == "organisation/poles-noe" and "PôleS NOE" in flyout["html"]
    missing = requests.get(site + "/reconcile/preview", params={"id": "organisation/nobody"}, timeout=30)
    assert missing.status_code == 404


# --- data extension -------------------------------------------------------------------------

def test_propose_properties_per_type(site):
    answer = requests.get(site + "/reconcile/propose_properties", params={"type": "organisation"},
                          timeout=30).json()
    ids = [p["id"] for p in answer["properties"]]
    assert answer["type"] == "organisation"
    assert {"label", "website", "commune", "siren", "coordinates", "themes"} <= set(ids)
    event = requests.get(site + "/reconcile/propose_properties", params={"type": "event", "limit": 3},
                         timeout=30).json()
    assert "siren" not in [p["id"] for p in event["properties"]] and len(event["properties"]) == 3


def test_extend_returns_values_and_entities(site):
    request = {"ids": ["organisation/ville-des-ulis", "organisation/atelier-velo-massy",
                       "initiative/agissons-pour-le-climat", "organisation/nobody"],
               "properties": [{"id": p} for p in ("label", "commune", "insee", "siren", "website",
                                                  "coordinates", "themes", "url")]}
    answer = requests.post(site + "/reconcile", data={"extend": json.dumps(request)}, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    meta = {m["id"]: m for m in body["meta"]}
    assert meta["commune"]["type"]["id"] == "territory" and meta["label"]["name"] == "Nom"
    ulis = body["rows"]["organisation/ville-des-ulis"]
    assert ulis["label"] == [{"str": "Ville des Ulis"}]
    assert ulis["commune"] == [{"id": "territory/commune-91692", "name": "Les Ulis"}]
    assert ulis["insee"] == [{"str": "91692"}] and ulis["siren"] == [{"str": "219106929"}]
    assert ulis["coordinates"] == [{"str": "48.681,2.186"}]
    assert ulis["url"] == [{"str": site + "/id/organisation/ville-des-ulis"}]
    climat = body["rows"]["initiative/agissons-pour-le-climat"]
    assert climat["themes"] == [{"id": "theme/climat", "name": "Climat"}]
    assert body["rows"]["organisation/atelier-velo-massy"]["website"] == [
        {"str": "https://atelier-velo-massy.example/"}]
    assert all(v == [] for v in body["rows"]["organisation/nobody"].values())


# --- nothing private, through any route -----------------------------------------------------

def test_private_entities_and_values_are_unreachable(site):
    # A person is public only with a recorded consent (GDPR art. 6(1)(a)): without, not a candidate.
    person = _batch(site, {"p": {"query": "Camille Sansconsentement", "type": "person"},
                           "any": {"query": "Sansconsentement"}})
    assert person == {"p": {"result": []}, "any": {"result": []}}
    found = _batch(site, {"name": {"query": "Zorglub marqueur privé"},
                          "siren": {"query": "", "properties": [{"pid": "siren", "v": PRIVATE_SIREN}]},
                          "site": {"query": "", "properties": [{"pid": "website", "v": PRIVATE_SITE}]}})
    assert found == {"name": {"result": []}, "siren": {"result": []}, "site": {"result": []}}
    suggest = requests.get(site + "/reconcile/suggest/entity", params={"prefix": "zorglub"}, timeout=30)
    assert suggest.json() == {"result": []}
    private_id = "organisation/zorglub-prive"
    for path in ("/reconcile/preview", "/reconcile/flyout/entity"):
        assert requests.get(site + path, params={"id": private_id}, timeout=30).status_code == 404
    extended = requests.post(site + "/reconcile", data={"extend": json.dumps(
        {"ids": [private_id, "organisation/atelier-velo-massy"],
         "properties": [{"id": "label"}, {"id": "siren"}, {"id": "website"}]})}, timeout=30).json()
    assert extended["rows"][private_id] == {"label": [], "siren": [], "website": []}
    assert PRIVATE_SITE not in json.dumps(extended) and "Zorglub" not in json.dumps(extended)
