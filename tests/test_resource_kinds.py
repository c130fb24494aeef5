"""The precise kind of an entry: a knowledge resource is a guide, a training or a method sheet
(the ontology's sub-classes of ``osc:KnowledgeResource``), picked in the form, changed on edit,
refused when forged, and given as ``@type`` to the JSON-LD API.

The real app on an embedded store on disk with the demo data, through the real login form.
"""
from __future__ import annotations

import html
import json
import re

import pyoxigraph as ox
import pytest

from oscartes_kg import contributions as c, tokens
from oscartes_kg.errors import UsageError
from web_helpers import csrf_from, log_in, site

ID = "https://w3id.org/oscartes/id/"
OSC = "https://w3id.org/oscartes/ns#"
RESOURCE, GUIDE, TRAINING, METHOD = (OSC + n for n in ("KnowledgeResource", "Guide", "Training", "MethodSheet"))
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
GARDENS = ID + "theme/jardins-partages"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The demo site with a contributor logged in: (app, client, login -> account IRI)."""
    with site(tmp_path_factory.mktemp("kinds")) as (app, iris):
        client = app.test_client()
        log_in(client, "contrib")
        yield app, client, iris


def store_of(app):
    return app.extensions["oscartes_store"]


def types_of(app, path: str) -> set[str]:
    iri = ox.NamedNode(ID + path.removeprefix("/id/"))
    return {q.object.value for q in store_of(app).quads(iri, c.RDF_TYPE, None, None)}


def checked_kind(page: str) -> list[str]:
    """The values of the checked radio buttons of the kind input."""
    return re.findall(r'<input type="radio" name="type" value="([^"]+)" checked>', page)


def post(client, url: str, **fields):
    token = csrf_from(client.get(url).text)
    return client.post(url, data={"csrf_token": token, **fields})


def schema_type(client, path: str) -> str:
    page = client.get(path).text
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))["@type"]


@pytest.fixture(scope="module")
def guide(web):
    """A guide made through the form: its page path."""
    _, client, _ = web
    reply = post(client, "/contribute/resource", label="Guide des chantiers participatifs",
                 description="Organiser un chantier participatif de A à Z.", theme=GARDENS,
                 license=CC_BY_SA, type=GUIDE)
    assert reply.status_code == 303, reply.text
    return reply.headers["Location"]


def test_the_form_offers_the_subclasses_from_the_ontology_in_the_page_language(web):
    _, client, _ = web
    french = html.unescape(client.get("/contribute/resource").text)
    assert "Type précis" in french
    for label in ("Ressource de connaissance (sans précision)", "Guide", "Formation", "Fiche méthode"):
        assert label in french
    assert "Fiche courte décrivant une méthode ou un outil, étape par étape." in french  # rdfs:comment
    assert checked_kind(french) == [RESOURCE]   # a new entry starts « sans précision »
    english = html.unescape(client.get("/contribute/resource?lang=en").text)
    assert "Training course or learning path." in english and "Method sheet" in english
    client.get("/contribute/resource?lang=fr")  # back to French for the other tests


def test_only_kinds_with_subclasses_get_the_choice(web):
    _, client, _ = web
    organisation = client.get("/contribute/organisation").text
    assert f'value="{OSC}Association"' in organisation     # any class with sub-classes gets it
    assert 'name="type"' not in client.get("/contribute/event").text


def test_a_guide_made_in_the_form_is_typed_guide_and_listed(web, guide):
    app, client, _ = web
    assert types_of(app, guide) == {GUIDE}
    assert guide in client.get("/resources").text
    found = client.get("/search.json?q=chantiers&kind=resource").get_json()
    assert [r["url"] for r in found["results"]] == [guide]
    assert schema_type(client, guide) == "CreativeWork"


def test_editing_shows_the_kind_and_changes_it_in_one_write(web, guide):
    app, client, _ = web
    form = client.get(guide + "/edit").text
    assert checked_kind(form) == [GUIDE]
    reply = post(client, guide + "/edit", label="Guide des chantiers participatifs",
                 description="Organiser un chantier participatif de A à Z.", theme=GARDENS,
                 license=CC_BY_SA, type=TRAINING, message="c'est une formation")
    assert reply.status_code == 303, reply.text
    assert types_of(app, guide) == {TRAINING}       # the guide type is gone
    assert checked_kind(client.get(guide + "/edit").text) == [TRAINING]
    assert schema_type(client, guide) == "Course"   # osc:Training is a schema:Course
    assert guide in client.get("/resources").text
    history = client.get(guide + "/history").text
    assert "c&#39;est une formation" in history or "c'est une formation" in history


def test_an_edit_without_the_kind_input_keeps_the_stored_kind(web):
    app, client, _ = web
    made = post(client, "/contribute/resource", label="Fiche méthode du compost", license=CC_BY_SA,
                type=METHOD).headers["Location"]
    reply = post(client, made + "/edit", label="Fiche méthode du compost collectif", license=CC_BY_SA)
    assert reply.status_code == 303, reply.text
    assert types_of(app, made) == {METHOD}


@pytest.mark.parametrize("forged", [OSC + "Event", OSC + "Organisation", "https://example.org/Guide",
                                    "pas une adresse"])
def test_a_forged_kind_is_refused_next_to_the_field_and_nothing_is_stored(web, guide, forged):
    app, client, _ = web
    store = store_of(app)
    before = store.count()
    reply = post(client, "/contribute/resource", label="Ressource au type forgé", license=CC_BY_SA,
                 type=forged)
    assert reply.status_code == 422
    page = html.unescape(reply.text)
    assert re.search(r'id="err-type" role="alert">type inconnu : choisissez-en un de la liste '
                     r"\(Ressource de connaissance, ", page)
    assert "unknown type: pick one from the list" in page
    edit = post(client, guide + "/edit", label="Guide des chantiers participatifs", license=CC_BY_SA,
                type=forged)
    assert edit.status_code == 422 and 'id="err-type"' in edit.text
    assert store.count() == before
    assert types_of(app, guide) == {TRAINING}


def test_the_write_path_refuses_a_class_outside_the_family(web):
    app, _, iris = web
    store = store_of(app)
    before = store.count()
    draft = [ox.Triple(c.THIS, c.RDFS_LABEL, ox.Literal("Un événement déguisé", language="fr")),
             ox.Triple(c.THIS, c.RDF_TYPE, ox.NamedNode(OSC + "Event"))]
    with pytest.raises(UsageError) as refused:
        c.create(store, "resource", draft, author=c.Author(iris["contrib"], "contributor"))
    assert "type refusé pour une fiche « resource »" in refused.value.message
    assert "Guide" in refused.value.message and "class refused" in refused.value.message
    assert store.count() == before


@pytest.fixture(scope="module")
def secret(web):
    app, _, _ = web
    return tokens.create(store_of(app), "contributor", "test kinds")[1]


def api_post(client, body: dict, secret: str):
    return client.post("/api/entities", data=json.dumps(body), content_type="application/ld+json",
                       headers={"Authorization": f"Bearer {secret}"})


def test_the_api_accepts_a_subclass_as_type(web, secret):
    app, _, _ = web
    client = app.test_client()
    reply = api_post(client, {"@context": "/api/context.jsonld", "@type": "osc:MethodSheet",
                              "label": {"@value": "Fiche : animer un atelier", "@language": "fr"},
                              "license": {"@id": CC_BY_SA}}, secret)
    assert reply.status_code == 201, reply.get_data(as_text=True)
    path = reply.headers["Location"]
    assert path.startswith("/id/resource/fiche-animer-un-atelier-")
    assert types_of(app, path) == {METHOD}
    read = client.get("/api/entities/" + path.removeprefix("/id/")).get_json()
    assert read["@type"] == "osc:MethodSheet"
    # a PUT may change the kind too, through the same write path
    put = client.put("/api/entities/" + path.removeprefix("/id/"), content_type="application/ld+json",
                     headers={"Authorization": f"Bearer {secret}"},
                     data=json.dumps({"@context": "/api/context.jsonld", "@type": "osc:Guide",
                                      "label": {"@value": "Fiche : animer un atelier", "@language": "fr"},
                                      "license": {"@id": CC_BY_SA}}))
    assert put.status_code == 200, put.get_data(as_text=True)
    assert types_of(app, path) == {GUIDE}


def test_the_api_accepts_the_class_with_its_subclass_and_refuses_a_stranger(web, secret):
    app, _, _ = web
    client = app.test_client()
    both = api_post(client, {"@context": "/api/context.jsonld", "@type": ["osc:KnowledgeResource", "osc:Training"],
                             "label": {"@value": "Formation à la facilitation", "@language": "fr"}}, secret)
    assert both.status_code == 201, both.get_data(as_text=True)
    assert types_of(app, both.headers["Location"]) == {RESOURCE, TRAINING}
    store = store_of(app)
    before = store.count()
    stranger = api_post(client, {"@context": "/api/context.jsonld", "@type": ["osc:Guide", "osc:Charter"],
                                 "label": {"@value": "Guide et charte à la fois", "@language": "fr"}}, secret)
    assert stranger.status_code == 400
    assert "type refusé" in stranger.get_json()["error"]
    two_kinds = api_post(client, {"@context": "/api/context.jsonld", "@type": ["osc:Guide", "osc:Event"],
                                  "label": {"@value": "Guide et événement", "@language": "fr"}}, secret)
    assert two_kinds.status_code == 400
    assert store.count() == before
