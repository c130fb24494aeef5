"""Hand-built events, calls and an initiative dated from today, for the agenda and watch tests.

Dates are relative to today (Paris), so the scenario stays "upcoming" and "past" whenever the
tests run. One event and one call sit in a private graph: they must never be shown.
"""
from __future__ import annotations

from datetime import date, timedelta

from oscartes_kg import graphs

TEST_GRAPH = graphs.import_graph("agenda-tests")
ID = "https://w3id.org/oscartes/id/"
PALAISEAU = ID + "territory/commune-91477"
MASSY = ID + "territory/commune-91377"
AMAP = ID + "theme/amap"
ALIMENTATION = ID + "theme/alimentation"  # broader than circuits-courts, itself broader than amap
CLIMAT = ID + "theme/climat"
HOSTILE = 'Marché <script>alert("x")</script> & bio'


def trig(today: date) -> str:
    """The scenario as TriG: public graph TEST_GRAPH and the private proposals graph."""
    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    in_three_months = today.replace(day=1) + timedelta(days=95)
    return f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <http://schema.org/> .
@prefix osc: <https://w3id.org/oscartes/ns#> .
@prefix event: <{ID}event/> .
@prefix call: <{ID}call/> .
@prefix organisation: <{ID}organisation/> .

<{TEST_GRAPH.value}> {{
  event:atelier-reparation a osc:Event ; rdfs:label "Atelier de réparation"@fr , "Repair workshop"@en ;
      dcterms:description "Réparer ensemble, au lieu de jeter."@fr ;
      schema:startDate "{day(10)}T14:00:00+01:00"^^xsd:dateTime ;
      schema:endDate "{day(10)}T17:30:00+01:00"^^xsd:dateTime ;
      schema:organizer organisation:poles-noe ; schema:url "https://example.org/atelier"^^xsd:anyURI ;
      osc:commune <{PALAISEAU}> ; osc:theme <{AMAP}> .
  event:marche-bio a osc:Event ; rdfs:label {_lit(HOSTILE)}@fr ;
      schema:startDate "{day(40)}"^^xsd:date ; osc:commune <{MASSY}> ; osc:theme <{CLIMAT}> .
  event:forum-du-mois a osc:Event ; rdfs:label "Forum des associations"@fr ;
      schema:startDate "{in_three_months:%Y-%m}"^^xsd:gYearMonth .
  event:en-cours a osc:Event ; rdfs:label "Exposition en cours"@fr ;
      schema:startDate "{day(-5)}"^^xsd:date ; schema:endDate "{day(5)}"^^xsd:date ;
      osc:commune <{PALAISEAU}> .
  event:disco-soupe-passee a osc:Event ; rdfs:label "Disco soupe passée"@fr ;
      schema:startDate "{day(-20)}"^^xsd:date ; osc:commune <{PALAISEAU}> ; osc:theme <{AMAP}> .

  call:alimentation-locale a osc:CallForProjects ; rdfs:label "Alimentation locale"@fr ;
      schema:funder organisation:poles-noe ; osc:deadline "{day(30)}"^^xsd:date ;
      osc:eligibleTheme <{AMAP}> ; osc:eligibleTerritory <{PALAISEAU}> ;
      schema:url "https://example.org/appel-alimentation"^^xsd:anyURI ;
      dcterms:modified "{day(-2)}T09:00:00+01:00"^^xsd:dateTime .
  call:climat-urgent a osc:CallForProjects ; rdfs:label "Climat : fonds d'urgence"@fr ;
      osc:deadline "{day(5)}"^^xsd:date ; osc:eligibleTheme <{CLIMAT}> .
  call:appel-clos a osc:CallForProjects ; rdfs:label "Appel clos"@fr ;
      osc:deadline "{day(-10)}"^^xsd:date ; osc:eligibleTheme <{AMAP}> .
}}

<{graphs.PRIVATE_PROPOSALS.value}> {{
  event:evenement-secret a osc:Event ; rdfs:label "Événement secret"@fr ;
      schema:startDate "{day(12)}"^^xsd:date ; osc:commune <{PALAISEAU}> ; osc:theme <{AMAP}> .
  call:appel-secret a osc:CallForProjects ; rdfs:label "Appel secret"@fr ;
      osc:deadline "{day(3)}"^^xsd:date ; osc:eligibleTheme <{AMAP}> .
}}
"""


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load(store, tmp_path, today: date) -> None:
    """Write the scenario through the real write path (validation, derived keys)."""
    from oscartes_kg import ingest

    path = tmp_path / "agenda-scenario.trig"
    path.write_text(trig(today), encoding="utf-8")
    ingest.load(store, [path])
