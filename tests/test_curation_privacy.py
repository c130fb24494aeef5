"""Unpublished entries never reach a public route (issue 5, sections 3 and 6).

A proposal, and then a published-then-withdrawn entry, carry a unique marker in their label and
description. The marker is looked for on every public route (entity pages and documents,
search, map, feeds, SPARQL in every dataset form, graph store, dumps) as an anonymous client and
as a contributor who is not the proposer; a curator finds it on the curation page (and over
SPARQL, which proves the queries would find it), and the published entry is found on the same
routes while it is public.
"""
from __future__ import annotations

import gzip
import secrets
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from web_helpers import csrf_from, log_in, site

from oscartes_kg import contributions, graphs, review

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")
RESULTS = {"Accept": "application/sparql-results+json"}
#: Every literal holding the marker's first letters: the query text never holds the marker.
FIND = 'SELECT ?s ?o WHERE { %s }'
PATTERN = '?s ?p ?o FILTER(isLiteral(?o) && CONTAINS(STR(?o), "ZQ"))'
#: A word of the label, for the search routes (the marker itself would be echoed as the query).
WORD = "confidentielissime"


def sparql_routes(iri: str) -> list[tuple[str, dict]]:
    """The SPARQL endpoint in every form that could name a private graph."""
    proposals = graphs.PRIVATE_PROPOSALS.value
    queries = [
        ({"query": FIND % PATTERN}, RESULTS),
        ({"query": FIND % f"GRAPH ?g {{ {PATTERN} }}"}, RESULTS),
        ({"query": f"SELECT ?s ?o FROM <{proposals}> WHERE {{ {PATTERN} }}"}, RESULTS),
        ({"query": f"SELECT ?s ?o FROM NAMED <{proposals}> WHERE {{ GRAPH ?g {{ {PATTERN} }} }}"}, RESULTS),
        ({"query": FIND % PATTERN, "default-graph-uri": proposals}, RESULTS),
        ({"query": FIND % f"GRAPH ?g {{ {PATTERN} }}", "named-graph-uri": proposals}, RESULTS),
        ({"query": f"DESCRIBE <{iri}>"}, {"Accept": "application/n-triples"}),
        ({"query": f"CONSTRUCT WHERE {{ <{iri}> ?p ?o }}"}, {"Accept": "text/turtle"}),
    ]
    return [("/sparql?" + urlencode(params), headers) for params, headers in queries]


def public_routes(kind: str, slug: str, iri: str) -> list[tuple[str, dict]]:
    page = f"/id/{kind}/{slug}"
    routes = [(page, {}), (f"{page}.ttl", {}), (f"{page}.jsonld", {}), (f"{page}.json", {}),
              (page, {"Accept": "text/turtle"}),
              (f"/search?q={WORD}", {}), (f"/search.json?q={WORD}", {}), ("/api/map.geojson", {}),
              ("/map", {}), ("/calls.atom", {}), ("/initiatives.atom", {}), ("/agenda.ics", {}),
              ("/", {}), ("/graph-store?default", {"Accept": "application/n-triples"}),
              ("/graph-store?" + urlencode({"graph": graphs.PRIVATE_PROPOSALS.value}),
               {"Accept": "text/turtle"}),
              ("/dumps/public.ttl", {}), ("/dumps/public.nq.gz", {})]
    return routes + sparql_routes(iri)


def new_marker() -> str:
    """Upper case: the entry's slug (lower case) never holds it, and a 404 page may echo a slug."""
    return "ZQ" + secrets.token_hex(8).upper()


def text_of(response) -> str:
    data = response.get_data()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


def seen(client, routes, marker: str) -> list[str]:
    """The routes whose answer holds ``marker`` (each route must answer, 2xx or 4xx)."""
    found = []
    for path, headers in routes:
        with client.get(path, headers=headers) as response:
            assert response.status_code < 500, (path, response.status_code)
            if marker in text_of(response):
                found.append(path)
    return found


def propose(app, iris, marker: str) -> contributions.Written:
    this = contributions.THIS
    draft = [ox.Triple(this, LABEL, ox.Literal(f"Initiative {WORD} {marker}", language="fr")),
             ox.Triple(this, DESCRIPTION, ox.Literal(f"Description secrète {marker}.", language="fr"))]
    return contributions.create(app.extensions["oscartes_store"], "initiative", draft,
                                author=contributions.Author(iris["contrib"], "contributor"))


@pytest.fixture
def demo_site(tmp_path):
    with site(tmp_path) as (app, iris):
        yield app, iris


def clients(app):
    anonymous = app.test_client()
    other = app.test_client()
    log_in(other, "contrib2")
    curator = app.test_client()
    log_in(curator, "cura@example.org")
    return anonymous, other, curator


def test_a_proposal_is_invisible_on_every_public_route(demo_site):
    app, iris = demo_site
    marker = new_marker()
    written = propose(app, iris, marker)
    anonymous, other, curator = clients(app)
    routes = public_routes("initiative", written.slug, written.iri)
    assert seen(anonymous, routes, marker) == []
    assert seen(other, routes + [(f"/curation/initiative/{written.slug}", {}),
                                 ("/curation", {}), ("/my-contributions", {})], marker) == []
    # the curator finds it on the curation pages, and over SPARQL (the queries do reach it)
    assert seen(curator, [("/curation", {}), (f"/curation/initiative/{written.slug}", {})],
                marker) == ["/curation", f"/curation/initiative/{written.slug}"]
    assert seen(curator, sparql_routes(written.iri)[:1], marker)


def test_a_withdrawn_entry_leaves_every_public_route(demo_site):
    app, iris = demo_site
    marker = new_marker()
    written = propose(app, iris, marker)
    anonymous, other, curator = clients(app)
    path = f"/curation/initiative/{written.slug}"
    form = {"csrf_token": csrf_from(curator.get(path).text), "comment": "ok"}
    form.update({f"verdict-{slug}": "affirmed" for slug in review.CRITERIA})
    assert curator.post(path, data=form).status_code == 303
    routes = public_routes("initiative", written.slug, written.iri)
    published = seen(anonymous, routes, marker)
    # while published: its page, documents, search, map-free initiative feed, SPARQL, dumps
    for expected in (f"/id/initiative/{written.slug}", f"/search.json?q={WORD}", "/initiatives.atom",
                     "/dumps/public.nq.gz", "/graph-store?default", routes[-8][0]):
        assert expected in published
    answer = curator.post(f"{path}/withdraw", data={"csrf_token": form["csrf_token"],
                                                    "reason": "retrait de test"})
    assert answer.status_code == 303
    assert seen(anonymous, routes, marker) == []
    assert seen(other, routes, marker) == []
    assert anonymous.get(f"/id/initiative/{written.slug}").status_code == 404
    assert marker in curator.get(path).text
