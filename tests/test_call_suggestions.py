"""Actors suggested on a call's page (issue 7 section 4): theme (narrower themes included) and
territory (communes within included) fit the call's eligibility; public data only; at most 20,
with searches listing them all. Also the « Date limite proche » badge on the home page.

A hand-built scenario on top of the demo data, written through the real write path; the
expected actors are computed independently by a SPARQL query over the public graphs
(property paths on this small store) and compared with the catalogue-based lookup.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pyoxigraph as ox
import pytest

from app import create_app
from app.agenda import today
from oscartes_kg import bootstrap, call_suggestions, graphs, ingest
from oscartes_kg.catalogue import open_catalogue
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

ID = "https://w3id.org/oscartes/id/"
TEST_GRAPH = graphs.import_graph("call-suggestion-tests")
MANY = 25


def scenario(day) -> str:
    soon, later = (day + timedelta(days=5)).isoformat(), (day + timedelta(days=60)).isoformat()
    many = "\n".join(
        f'  organisation:compost-{n:02d} a osc:Association ; rdfs:label "Compost collectif {n:02d}"@fr ;'
        f' osc:theme theme:compostage ; osc:commune territory:commune-91471 .' for n in range(MANY))
    return f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <http://schema.org/> .
@prefix osc: <https://w3id.org/oscartes/ns#> .
@prefix call: <{ID}call/> .
@prefix organisation: <{ID}organisation/> .
@prefix theme: <{ID}theme/> .
@prefix territory: <{ID}territory/> .

<{TEST_GRAPH.value}> {{
  call:jardins-saclay a osc:CallForProjects ; rdfs:label "Jardins nourriciers de Paris-Saclay"@fr ;
      osc:deadline "{soon}"^^xsd:date ; schema:funder organisation:fondation-saclay ;
      osc:eligibleTheme theme:alimentation ; osc:eligibleTerritory territory:epci-200056232 .
  call:deux-themes a osc:CallForProjects ; rdfs:label "Climat et AMAP en Essonne"@fr ;
      osc:deadline "{later}"^^xsd:date ;
      osc:eligibleTheme theme:amap , theme:climat ; osc:eligibleTerritory territory:departement-91 .
  call:sans-criteres a osc:CallForProjects ; rdfs:label "Appel ouvert à tous"@fr ;
      osc:deadline "{later}"^^xsd:date .
  call:compost a osc:CallForProjects ; rdfs:label "Compostage partout"@fr ;
      osc:deadline "{later}"^^xsd:date ; osc:eligibleTheme theme:compostage ;
      osc:eligibleTerritory territory:departement-91 .
  organisation:fondation-saclay a osc:Association ; rdfs:label "Fondation Saclay"@fr ;
      osc:theme theme:amap ; osc:commune territory:commune-91477 .
  organisation:amap-palaiseau a osc:Association ; rdfs:label "AMAP de Palaiseau"@fr ;
      osc:theme theme:amap ; osc:commune territory:commune-91477 .
  organisation:climat-amap-massy a osc:Association ; rdfs:label "Zèbre climat et AMAP"@fr ;
      osc:theme theme:amap , theme:climat ; osc:commune territory:commune-91377 .
  organisation:velo-massy a osc:Association ; rdfs:label "Vélo Massy"@fr ;
      osc:theme theme:velo ; osc:commune territory:commune-91377 .
  organisation:jardin-etampes a osc:Association ; rdfs:label "Jardin d'Étampes"@fr ;
      osc:theme theme:jardins-partages ; osc:commune territory:commune-91223 .
{many}
}}

<{graphs.PRIVATE_PROPOSALS.value}> {{
  organisation:amap-secrete a osc:Association ; rdfs:label "AMAP secrète"@fr ;
      osc:theme theme:amap ; osc:commune territory:commune-91477 .
}}
"""


#: Actors in public graphs whose theme is (or is narrower than) an eligible theme and whose
#: commune is (or lies within) an eligible territory; the funder is left out. An oracle that
#: shares nothing with the catalogue: SPARQL property paths over the union of public graphs.
ORACLE = """PREFIX osc: <https://w3id.org/oscartes/ns#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?actor WHERE {
  ?actor a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* osc:Actor .
  { ?call osc:eligibleTheme ?eligible . ?actor osc:theme/skos:broader* ?eligible }
  UNION { FILTER NOT EXISTS { ?call osc:eligibleTheme ?any } }
  { ?call osc:eligibleTerritory ?area . ?actor osc:commune/osc:partOf* ?area }
  UNION { FILTER NOT EXISTS { ?call osc:eligibleTerritory ?any2 } }
  FILTER NOT EXISTS { ?call schema:funder ?actor }
}"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """(app, store) on the demo data and the scenario, with deadline_days=10."""
    data = tmp_path_factory.mktemp("suggest") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        path = data.parent / "scenario.trig"
        path.write_text(scenario(today()), encoding="utf-8")
        ingest.load(store, [path])
    app = create_app(Settings(data=data, deadline_days=10))
    yield app, app.extensions["oscartes_store"]
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def oracle(store, call: str) -> set[str]:
    public = [g for g in store.graphs() if graphs.is_public(g)]
    query = ORACLE.replace("?call", f"<{ID}call/{call}>")  # a fixed test IRI, not user input
    return {row["actor"].value for row in store.query(query, default_graph=public)
            if "/id/person/" not in row["actor"].value or _has_consent(store, row["actor"])}


def _has_consent(store, actor) -> bool:
    return any(True for _ in store.quads(actor, ox.NamedNode("https://w3id.org/oscartes/ns#consent"), None, None))


def suggested(store, call: str, limit: int = 1000):
    themes, territories, funders = call_suggestions.eligibility(store, ox.NamedNode(f"{ID}call/{call}"))
    return call_suggestions.suggest(open_catalogue(store), themes, territories, exclude=funders, limit=limit)


@pytest.mark.parametrize("call", ["jardins-saclay", "deux-themes", "compost"])
def test_suggestions_are_exactly_the_actors_that_fit(kb, call):
    _, store = kb
    found = suggested(store, call)
    expected = oracle(store, call)
    assert {a.iri for a in found.actors} == expected and found.total == len(expected)
    assert expected  # the scenario gives each call some actors


def test_hierarchies_are_followed_and_private_data_and_the_funder_left_out(kb):
    _, store = kb
    iris = {a.iri for a in suggested(store, "jardins-saclay").actors}
    assert ID + "organisation/amap-palaiseau" in iris       # AMAP is narrower than Alimentation; Palaiseau is in the EPCI
    assert ID + "organisation/velo-massy" not in iris        # theme does not fit
    assert ID + "organisation/jardin-etampes" not in iris    # Étampes is outside the EPCI
    assert ID + "organisation/amap-secrete" not in iris      # private graph
    assert ID + "organisation/fondation-saclay" not in iris  # the call's own funder


def test_actors_on_more_eligible_themes_come_first_then_by_name(kb):
    _, store = kb
    actors = suggested(store, "deux-themes").actors
    assert actors[0].iri == ID + "organisation/climat-amap-massy"   # "Zèbre…" sorts last by name
    assert set(actors[0].themes) == {ID + "theme/amap", ID + "theme/climat"}
    rest = [a.label for a in actors[1:]]
    assert rest == sorted(rest, key=lambda label: label.casefold())


def test_a_call_without_eligibility_suggests_nobody(kb):
    _, store = kb
    found = suggested(store, "sans-criteres")
    assert found.total == 0 and found.actors == ()


def test_call_page_shows_at_most_20_and_links_to_the_same_search(kb):
    app, store = kb
    client = app.test_client()
    page = client.get("/id/call/compost").text
    section = page[page.index('id="call-suggestions"'):]
    section = section[:section.index("</section>")]
    listed = re.findall(r'<li><a href="(/id/[^"]+)">', section)
    total = len(oracle(store, "compost"))
    assert total > call_suggestions.LIMIT and len(listed) == call_suggestions.LIMIT
    assert f"{total} acteur(s)" in section
    search = re.search(r'class="call-suggestions-search" href="([^"]+)"|href="([^"]+)" class="call-suggestions-search"', section)
    url = (search.group(1) or search.group(2)).replace("&amp;", "&")
    reply = client.get(url.replace("/search", "/search.json")).get_json()
    assert reply["total"] == total
    assert [r["url"] for r in reply["results"]][:5] == listed[:5]  # the same name order


def test_call_page_in_english_and_without_criteria(kb):
    app, _ = kb
    client = app.test_client()
    assert "Actors who could apply" in client.get("/id/call/jardins-saclay?lang=en").text
    client.get("/?lang=fr")
    page = client.get("/id/call/sans-criteres").text
    assert "aucun acteur à suggérer" in page


def test_home_page_highlights_calls_closing_within_the_setting(kb):
    app, _ = kb
    text = app.test_client().get("/").text
    items = {re.search(r'href="/id/call/([^"]+)"', li).group(1): li
             for li in re.findall(r"<li[^>]*>\s*<a href=\"/id/call/.*?</li>", text, flags=re.S)}
    assert "Date limite proche" in items["jardins-saclay"]     # in 5 days, setting 10
    assert "Date limite proche" not in items["deux-themes"]    # in 60 days
    assert 'class="call-soon"' in text
