"""The JSON-LD write API: through Flask's test client on the demo site, and over a live HTTP
server with ``requests`` and a bearer token from ``oscartes_kg.tokens``."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import requests

from oscartes_kg import graphs, tokens
from oscartes_kg.store import open_store
from web_helpers import csrf_from, log_in, site

LD = "application/ld+json"
OSC = "https://w3id.org/oscartes/ns#"
CTX = "/api/context.jsonld"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """(app, login -> IRI, {role: bearer secret}) on one demo site for the module."""
    with site(tmp_path_factory.mktemp("api")) as (app, iris):
        store = app.extensions["oscartes_store"]
        secrets = {role: tokens.create(store, role, f"test {role}")[1]
                   for role in ("contributor", "curator")}
        yield app, iris, secrets


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def post(client, body, headers, content_type=LD):
    return client.post("/api/entities", data=json.dumps(body) if not isinstance(body, (bytes, str)) else body,
                       headers=headers, content_type=content_type)


def event(label="Repair café", **more) -> dict:
    return {"@context": CTX, "@type": "osc:Event", "label": {"@value": label, "@language": "fr"},
            "startDate": {"@value": "2026-10-03", "@type": "xsd:date"}, **more}


def quads_of(app, iri: str) -> list:
    return list(app.extensions["oscartes_store"].quads(ox.NamedNode(iri), None, None, None))


def test_context_is_served_locally(web):
    app, _, _ = web
    reply = app.test_client().get(CTX)
    assert reply.status_code == 200 and reply.mimetype == LD
    assert reply.get_json()["@context"]["label"] == "rdfs:label"


def test_post_creates_with_201_and_location(web):
    app, _, secrets = web
    client = app.test_client()
    reply = post(client, event(theme="https://w3id.org/oscartes/id/theme/alimentation"),
                 bearer(secrets["contributor"]))
    assert reply.status_code == 201, reply.get_data(as_text=True)
    location = reply.headers["Location"]
    assert location.startswith("/id/event/repair-cafe-")
    assert client.get(location).status_code == 200  # public at once (an event)
    document = client.get("/api/entities/" + location[4:]).get_json()
    assert document["@type"] == "osc:Event" and document["label"] == {"@language": "fr", "@value": "Repair café"}
    assert document["@context"].endswith(CTX)


def test_contributor_initiative_is_a_pending_proposal_invisible_to_the_public(web):
    app, _, secrets = web
    client = app.test_client()
    body = {"@context": CTX, "@type": "osc:Initiative", "label": "Initiative secrète XK42"}
    reply = post(client, body, bearer(secrets["contributor"]))
    assert reply.status_code == 201 and reply.get_json()["status"] == "pending"
    path = reply.headers["Location"]
    assert client.get(path).status_code == 404
    assert client.get("/api/entities/" + path[4:]).status_code == 404  # anonymous: nothing public
    mine = client.get("/api/entities/" + path[4:], headers=bearer(secrets["contributor"]))
    assert mine.status_code == 200 and mine.get_json()["label"] == "Initiative secrète XK42"
    assert {q.graph_name for q in quads_of(app, reply.get_json()["iri"])} == {graphs.PRIVATE_PROPOSALS}


def test_violation_is_422_with_the_report_and_nothing_is_stored(web):
    app, _, secrets = web
    body = event("Sans date")
    del body["startDate"]
    reply = post(app.test_client(), body, bearer(secrets["contributor"]))
    assert reply.status_code == 422
    payload = reply.get_json()
    assert payload["ok"] is False and payload["errors"][0]["property"] == "http://schema.org/startDate"
    assert "date de début" in payload["errors"][0]["message"]
    store = app.extensions["oscartes_store"]
    assert not list(store.quads(None, None, ox.Literal("Sans date", language="fr"), None))


@pytest.mark.parametrize("body, content_type, status", [
    ("{not json", LD, 400),
    ('["a list"]', LD, 400),
    (json.dumps({"@context": "https://example.org/remote.jsonld", "@type": "osc:Event"}), LD, 400),
    (json.dumps({"@context": {"@import": "https://example.org/x"}, "@type": "osc:Event"}), LD, 400),
    (json.dumps({"@context": CTX, "label": "no type"}), LD, 400),
    (json.dumps({"@context": CTX, "@type": "osc:Event", "label": "x", "commune": "not an iri"}), LD, 400),
    (json.dumps({"@context": CTX, "@id": "https://w3id.org/oscartes/id/event/mine", "@type": "osc:Event",
                 "label": "x"}), LD, 400),
    (json.dumps(event()), "text/turtle", 415),
])
def test_malformed_bodies(web, body, content_type, status):
    app, _, secrets = web
    reply = post(app.test_client(), body, bearer(secrets["contributor"]), content_type=content_type)
    assert reply.status_code == status, reply.get_data(as_text=True)
    assert reply.get_json()["ok"] is False and reply.get_json()["error"]


def test_credentials(web):
    app, _, _ = web
    client = app.test_client()
    assert post(client, event(), {}).status_code == 401
    assert post(client, event(), bearer("oscartes_nope.nope")).status_code == 401
    assert client.put("/api/entities/event/nope", data="{}", content_type=LD).status_code == 401


def test_unknown_entity_is_404(web):
    app, _, secrets = web
    client = app.test_client()
    assert client.get("/api/entities/event/does-not-exist").status_code == 404
    reply = client.put("/api/entities/event/does-not-exist", data=json.dumps(event()),
                       content_type=LD, headers=bearer(secrets["curator"]))
    assert reply.status_code == 404


def test_put_and_patch_follow_ownership(web):
    app, iris, secrets = web
    client = app.test_client()
    created = post(client, event("Troc de graines", description="Un troc de graines entre voisins du quartier."),
                   bearer(secrets["contributor"]))
    path = created.headers["Location"]
    api = "/api/entities/" + path[4:]
    # another contributor (a session this time, with its CSRF header) may not touch it
    other = app.test_client()
    log_in(other, "contrib2")
    token = csrf_from(other.get("/contribute/event").text)
    refused = other.patch(api, data=json.dumps({"@context": CTX, "label": "Volé"}),
                          content_type="application/merge-patch+json", headers={"X-CSRFToken": token})
    assert refused.status_code == 403
    # its owner patches: label replaced, description removed, date kept
    patched = client.patch(path, data=json.dumps({"@context": CTX, "label": "Troc de graines d'automne",
                                                  "description": None}),
                           content_type="application/merge-patch+json", headers=bearer(secrets["contributor"]))
    assert patched.status_code == 200, patched.get_data(as_text=True)
    document = client.get(api).get_json()
    assert document["label"] == "Troc de graines d'automne" and "description" not in document
    assert document["startDate"] == {"@type": "xsd:date", "@value": "2026-10-03"}
    # a curator replaces it entirely
    replaced = client.put(api, data=json.dumps(event("Troc de graines (remplacé)")), content_type=LD,
                          headers=bearer(secrets["curator"]))
    assert replaced.status_code == 200
    assert client.get(api).get_json()["label"]["@value"] == "Troc de graines (remplacé)"
    # a replacement that breaks a shape is refused and changes nothing
    broken = event("Troc")
    broken["endDate"] = {"@value": "2020-01-01", "@type": "xsd:date"}
    assert client.put(api, data=json.dumps(broken), content_type=LD,
                      headers=bearer(secrets["curator"])).status_code == 422
    assert client.get(api).get_json()["label"]["@value"] == "Troc de graines (remplacé)"


def test_hostile_values_are_stored_as_text(web):
    app, _, secrets = web
    client = app.test_client()
    hostile = '<script>alert(1)</script> " } ; DROP ALL ; INSERT DATA { <a> <b> <c> } \x01'
    created = post(client, event(hostile), bearer(secrets["contributor"]))
    assert created.status_code == 201, created.get_data(as_text=True)
    document = client.get("/api/entities/" + created.headers["Location"][4:]).get_json()
    assert document["label"]["@value"] == hostile
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    huge = post(client, event("x" * 1_000_000), bearer(secrets["contributor"]))
    assert huge.status_code == 400 and "trop longue" in huge.get_json()["error"]


def test_api_over_live_http_with_a_bearer_token(tmp_path, live_server):
    with site(tmp_path) as (app, _):
        store = app.extensions["oscartes_store"]
        _, secret = tokens.create(store, "contributor", "live test")
        url = live_server(app)
        reply = requests.post(f"{url}/api/entities", data=json.dumps(event("Fête en direct")),
                              headers={**bearer(secret), "Content-Type": LD}, timeout=30)
        assert reply.status_code == 201, reply.text
        location = reply.headers["Location"]
        got = requests.get(f"{url}/api/entities/{location[4:]}", timeout=30)
        assert got.status_code == 200 and got.json()["label"]["@value"] == "Fête en direct"
        patched = requests.patch(f"{url}{location}", data=json.dumps({"@context": CTX, "label": "Fête"}),
                                 headers={**bearer(secret), "Content-Type": "application/merge-patch+json"},
                                 timeout=30)
        assert patched.status_code == 200
        assert requests.get(f"{url}/api/entities/{location[4:]}", timeout=30).json()["label"] == "Fête"
        assert requests.post(f"{url}/api/entities", data="{}", headers={"Content-Type": LD},
                             timeout=30).status_code == 401
