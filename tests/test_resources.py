"""Knowledge resources (issue 7 section 5): the contribution form built from the shapes
(licence pre-filled with CC BY-SA 4.0, authors, an initiative's resources), the links between
initiatives and resources on their pages, search by kind, and ``/resources`` by theme.

The real app on an embedded store on disk with the demo data, through the real login form.
"""
from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from oscartes_kg import contributions as c
from web_helpers import csrf_from, log_in, site

ID = "https://w3id.org/oscartes/id/"
OSC = "https://w3id.org/oscartes/ns#"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
GARDENS, FOOD, ENERGY = ID + "theme/jardins-partages", ID + "theme/alimentation", ID + "theme/energie"
AUTHOR = ID + "organisation/union-des-associations-des-ulis"
INITIATIVE = ID + "initiative/agissons-pour-le-climat"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The demo site with a curator logged in: (app, client, login -> account IRI)."""
    with site(tmp_path_factory.mktemp("resources")) as (app, iris):
        client = app.test_client()
        log_in(client)
        yield app, client, iris


def post_resource(client, **fields):
    token = csrf_from(client.get("/contribute/resource").text)
    return client.post("/contribute/resource", data={"csrf_token": token, **fields})


@pytest.fixture(scope="module")
def guide(web):
    """A guide posted through the form with its default licence: its page path."""
    _, client, _ = web
    form = client.get("/contribute/resource").text
    licence = re.search(r'<input id="f-license" name="license" type="url" value="([^"]*)"', form)
    assert licence and licence.group(1) == CC_BY_SA   # pre-filled from sh:defaultValue
    reply = post_resource(client, label="Guide de la gouvernance partagée des jardins",
                          description="Décider ensemble dans un jardin partagé : rôles, réunions, conflits.",
                          theme=GARDENS, creator=AUTHOR, license=licence.group(1))
    assert reply.status_code == 303, reply.text
    return reply.headers["Location"]


def test_the_form_asks_for_licence_and_authors_and_the_initiative_form_for_resources(web):
    _, client, _ = web
    form = client.get("/contribute/resource").text
    assert "Ressources de savoir" in form  # the section of the new shapes
    assert 'name="creator"' in form and 'data-reference="https://w3id.org/oscartes/ns#Actor"' in form
    initiative = client.get("/contribute/initiative").text
    assert 'name="usesResource"' in initiative
    assert 'data-reference="https://w3id.org/oscartes/ns#KnowledgeResource"' in initiative


def test_a_posted_resource_is_stored_with_an_iri_licence_and_its_author(web, guide):
    app, _, _ = web
    store = app.extensions["oscartes_store"]
    iri = ox.NamedNode(ID + guide.removeprefix("/id/"))
    licences = [q.object for q in store.quads(iri, ox.NamedNode("http://purl.org/dc/terms/license"), None, None)]
    assert licences == [ox.NamedNode(CC_BY_SA)]
    creators = [q.object.value for q in store.quads(iri, ox.NamedNode("http://purl.org/dc/terms/creator"), None, None)]
    assert creators == [AUTHOR]


def test_a_licence_that_is_not_an_address_is_refused_and_nothing_is_written(web):
    app, client, _ = web
    store = app.extensions["oscartes_store"]
    before = store.count()
    reply = post_resource(client, label="Fiche méthode sans licence valide", license="CC BY-SA")
    assert reply.status_code == 422
    assert "adresse web invalide" in reply.text
    assert store.count() == before


def test_an_author_that_is_not_an_actor_is_refused_by_the_shape(web):
    app, client, _ = web
    store = app.extensions["oscartes_store"]
    before = store.count()
    reply = post_resource(client, label="Fiche méthode : mesurer son impact", creator=GARDENS)
    assert reply.status_code == 422
    assert "L&#39;auteur indiqué n&#39;est pas un acteur de la base" in reply.text
    assert store.count() == before


def test_initiative_and_resource_pages_link_each_other_by_name(web, guide):
    app, client, iris = web
    store = app.extensions["oscartes_store"]
    resource = ox.NamedNode(ID + guide.removeprefix("/id/"))
    c.patch(store, ox.NamedNode(INITIATIVE), [ox.Triple(c.THIS, ox.NamedNode(OSC + "usesResource"), resource)],
            author=c.Author(iris["cura@example.org"], "curator"))
    page = client.get("/id/initiative/agissons-pour-le-climat").text
    assert "ressource utilisée" in page or "utilise la ressource" in page
    assert f'href="{guide}">Guide de la gouvernance partagée des jardins</a>' in page
    back = client.get(guide).text
    assert "Initiatives qui utilisent cette ressource" in back
    assert 'href="/id/initiative/agissons-pour-le-climat">Agissons pour le climat</a>' in back
    assert f'href="{CC_BY_SA}"' in back  # the licence is a link
    english = client.get(guide + "?lang=en").text
    assert "Initiatives using this resource" in english


def test_resources_are_searchable_with_a_kind_facet(web, guide):
    _, client, _ = web
    found = client.get("/search.json?q=gouvernance&kind=resource").get_json()
    assert [r["url"] for r in found["results"]] == [guide]
    kinds = {f["value"]: f["count"] for f in client.get("/search.json?q=gouvernance").get_json()["facets"]["kind"]}
    assert kinds["resource"] == 1


def test_resources_listing_by_theme_follows_the_hierarchy(web, guide):
    _, client, _ = web
    assert guide in client.get("/resources").text
    for theme in (GARDENS, FOOD):  # its theme and the broader one
        listed = client.get("/resources.json", query_string={"theme": theme}).get_json()
        assert [r["url"] for r in listed["resources"]] == [guide]
    assert client.get("/resources.json", query_string={"theme": ENERGY}).get_json()["resources"] == []
    themes = {t["iri"]: t["count"] for t in client.get("/resources.json").get_json()["themes"]}
    assert themes[GARDENS] == 1 and themes[FOOD] == 1 and ENERGY not in themes


def test_resources_listing_in_french_and_english(web, guide):
    _, client, _ = web
    assert "Ressources de savoir" in client.get("/resources?lang=fr").text
    english = client.get("/resources?lang=en").text
    assert "Knowledge resources" in english and "By theme" in english
    client.get("/resources?lang=fr")  # back to French for the other tests


def test_resources_listing_pages(web, guide):
    app, client, iris = web
    store = app.extensions["oscartes_store"]
    curator = c.Author(iris["cura@example.org"], "curator")
    for n in range(21):
        c.create(store, "resource", [
            ox.Triple(c.THIS, c.RDFS_LABEL, ox.Literal(f"Fiche coopération {n:02d}", language="fr")),
            ox.Triple(c.THIS, ox.NamedNode(OSC + "theme"), ox.NamedNode(ENERGY))], author=curator)
    first = client.get("/resources.json", query_string={"theme": ENERGY}).get_json()
    assert first["total"] == 21 and first["pages"] == 2 and len(first["resources"]) == 20
    assert first["prev"] is None and first["next"] == f"/resources?theme={ENERGY.replace(':', '%3A').replace('/', '%2F')}&page=2"
    second = client.get(first["next"].replace("/resources", "/resources.json")).get_json()
    assert [r["label"] for r in second["resources"]] == ["Fiche coopération 20"]
    assert {r["url"] for r in first["resources"]}.isdisjoint({r["url"] for r in second["resources"]})


def test_bad_parameters_are_refused(web):
    _, client, _ = web
    assert client.get("/resources?page=0").status_code == 400
    assert client.get("/resources", query_string={"theme": ID + "competence/facilitation"}).status_code == 400
