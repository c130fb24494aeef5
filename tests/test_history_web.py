"""History pages, revert and SPARQL over the history, through the real app (test client) on a demo site."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from web_helpers import csrf_from, log_in, site

from oscartes_kg import changes, graphs, history, tokens
from oscartes_kg.namespaces import OSC

ULIS = ox.NamedNode("https://w3id.org/oscartes/id/organisation/ville-des-ulis")
PAGE = "/id/organisation/ville-des-ulis"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PROPOSAL = ox.NamedNode("https://w3id.org/oscartes/id/commons/jardin-partage-1a2b3c")


@pytest.fixture
def demo_site(tmp_path):
    with site(tmp_path) as (app, iris):
        yield app, iris, app.extensions["oscartes_store"]


def relabel(store, new: str, author: str):
    old = list(store.quads(ULIS, LABEL, None, graphs.DEMO))
    changes.apply(store, changes.Change(old, [ox.Quad(ULIS, LABEL, ox.Literal(new, language="fr"), graphs.DEMO)],
                                        {graphs.DEMO}), role="curator", author=author,
                  message=f"renommé en {new}", channel="form")
    return history.for_entity(store, ULIS)[0].id


def test_history_pages_are_for_curators_and_owners(demo_site):
    app, iris, store = demo_site
    relabel(store, "Les Ulis (ville)", iris["cura@example.org"])
    client = app.test_client()
    assert client.get(f"{PAGE}/history").status_code == 401
    assert "Historique" not in client.get(PAGE).text  # no link for anonymous visitors
    log_in(client, "contrib")
    assert client.get(f"{PAGE}/history").status_code == 403
    curator = app.test_client()
    log_in(curator, "cura@example.org")
    assert f'href="{PAGE}/history"' in curator.get(PAGE).text
    page = curator.get(f"{PAGE}/history")
    assert page.status_code == 200
    assert "Camille Curatrice" in page.text and "renommé en Les Ulis (ville)" in page.text
    assert "load" in page.text  # the demo load is the first version


def test_the_owner_of_a_proposal_sees_its_history_with_names(demo_site):
    app, iris, store = demo_site
    owner = ox.NamedNode(iris["contrib"])
    quads = [ox.Quad(PROPOSAL, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode(str(OSC.Commons)), graphs.CONTRIBUTIONS),
             ox.Quad(PROPOSAL, LABEL, ox.Literal("Jardin partagé", language="fr"), graphs.CONTRIBUTIONS),
             ox.Quad(PROPOSAL, ox.NamedNode(str(OSC.proposedBy)), owner, graphs.PRIVATE_PROPOSALS)]
    changes.apply(store, changes.Change(added=quads, targets={graphs.CONTRIBUTIONS}), role="contributor",
                  author=owner.value, message="nouvelle fiche", channel="form")
    client = app.test_client()
    log_in(client, "contrib")
    page = client.get("/id/commons/jardin-partage-1a2b3c/history")
    assert page.status_code == 200 and "Côme Contributeur" in page.text
    other = app.test_client()
    log_in(other, "contrib2")
    assert other.get("/id/commons/jardin-partage-1a2b3c/history").status_code == 403


def test_diff_page_shows_labelled_triples_added_and_removed(demo_site):
    app, iris, store = demo_site
    first = relabel(store, "Un nom", iris["cura@example.org"])
    second = relabel(store, "Un autre <b>nom</b>", iris["root"])
    client = app.test_client()
    log_in(client, "cura@example.org")
    page = client.get(f"{PAGE}/history/diff?from={first}&to={second}")
    assert page.status_code == 200
    added, removed = page.text.split('class="diff-removed"')
    assert "Un autre &lt;b&gt;nom&lt;/b&gt;" in added and "Un nom" in removed  # escaped
    assert "Libellé" in page.text or "label" in page.text
    assert client.get(f"{PAGE}/history/diff?from=nope&to={second}").status_code == 404


def test_a_curator_reverts_from_the_changeset_page_with_csrf(demo_site):
    app, iris, store = demo_site
    original = {q.object for q in store.quads(ULIS, LABEL, None, graphs.DEMO)}
    target = relabel(store, "Faute", iris["contrib"])
    contributor = app.test_client()
    log_in(contributor, "contrib")
    assert contributor.get(f"/changesets/{target}").status_code == 403
    client = app.test_client()
    log_in(client, "cura@example.org")
    page = client.get(f"/changesets/{target}")
    assert page.status_code == 200 and "Faute" in page.text
    assert client.post(f"/changesets/{target}/revert", data={}).status_code in (400, 403)
    assert {q.object.value for q in store.quads(ULIS, LABEL, None, graphs.DEMO)} == {"Faute"}
    done = client.post(f"/changesets/{target}/revert",
                       data={"csrf_token": csrf_from(page.text), "message": "coquille"})
    assert done.status_code == 303
    assert {q.object for q in store.quads(ULIS, LABEL, None, graphs.DEMO)} == original
    latest = history.for_entity(store, ULIS)[0]
    assert (latest.reverts, latest.author, latest.message) == (target, iris["cura@example.org"], "coquille")
    assert done.headers["Location"].endswith(f"/changesets/{latest.id}")


def test_a_conflicting_revert_is_refused_on_the_page_naming_the_later_changeset(demo_site):
    app, iris, store = demo_site
    first = relabel(store, "Un", iris["cura@example.org"])
    second = relabel(store, "Deux", iris["cura@example.org"])
    client = app.test_client()
    log_in(client, "cura@example.org")
    token = csrf_from(client.get(f"/changesets/{first}").text)
    refused = client.post(f"/changesets/{first}/revert", data={"csrf_token": token})
    assert refused.status_code == 409 and second in refused.text and 'id="revert-error"' in refused.text


def test_curators_query_the_history_over_sparql_and_anonymous_callers_do_not(demo_site):
    app, iris, store = demo_site
    relabel(store, "Les Ulis", iris["cura@example.org"])
    query = ("PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX osc: <https://w3id.org/oscartes/ns#> "
             f"SELECT ?cs ?t WHERE {{ ?cs a osc:Changeset ; prov:wasAssociatedWith <{iris['cura@example.org']}> ; "
             f"osc:changed <{ULIS.value}> ; prov:endedAtTime ?t }}")
    accept = {"Accept": "application/sparql-results+json"}
    anonymous = app.test_client().get("/sparql", query_string={"query": query}, headers=accept)
    assert anonymous.status_code == 200 and json.loads(anonymous.text)["results"]["bindings"] == []
    client = app.test_client()
    log_in(client, "cura@example.org")
    found = client.get("/sparql", query_string={"query": query}, headers=accept)
    rows = json.loads(found.text)["results"]["bindings"]
    assert len(rows) == 1 and rows[0]["cs"]["value"].startswith("https://w3id.org/oscartes/id/changeset/")


def test_graph_store_writes_are_recorded_with_the_token(demo_site):
    app, iris, store = demo_site
    token_id, secret = tokens.create(store, "curator", "test")
    body = f'<{ULIS.value}> <{LABEL.value}> "Ulis (API)"@fr .'
    reply = app.test_client().post(f"/graph-store?graph={graphs.DEMO.value}", data=body.encode(),
                                   headers={"Authorization": f"Bearer {secret}",
                                            "Content-Type": "application/n-triples"})
    assert reply.status_code == 204
    latest = history.for_entity(store, ULIS)[0]
    assert (latest.channel, latest.author) == ("graph-store", tokens.token_iri(token_id).value)
