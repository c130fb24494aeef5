"""The named queries of queries/*.rq, run on a real embedded store holding the demo data."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pyoxigraph as ox
import pytest

from oscartes_kg import derived, graphs, queries
from oscartes_kg.bootstrap import init_store
from oscartes_kg.errors import UsageError
from oscartes_kg.store import Solutions, Triples, open_store

OSC = "https://w3id.org/oscartes/ns#"
ID = "https://w3id.org/oscartes/id/"
TEST_GRAPH = ox.NamedNode(graphs.BASE + "test-queries")
PRIVATE_GRAPH = ox.NamedNode(graphs.PRIVATE_PREFIX + "test-queries")

COMMITTEE_MEMBERS = sorted([
    "ArchiPossible",
    "Communauté d'agglomération Paris-Saclay",
    "Habitat & Tic",
    "La Maison Cocagne",
    "Mon Epice'rit",
    "ODASS",
    "OSE ZD",
    "PôleS NOE",
    "Territoires en liens / Nord-Est Essonne en transition",
    "Union des Associations des Ulis",
])

# Fictional entities (slugs start with "test-") for what the demo data lack: themes on actors,
# needs and offers, calls, future events, a rejected review. Public graph unless said otherwise.
# The agenda and the watch look ten years ahead: test dates are relative to today.
THIS_YEAR = dt.date.today().year
EXTRA = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <http://schema.org/> .
@prefix osc: <https://w3id.org/oscartes/ns#> .
@prefix oscid: <https://w3id.org/oscartes/id/> .

oscid:organisation\\/test-jardin a osc:Association ;
    rdfs:label "Jardin d'essai"@fr ;
    osc:theme oscid:theme\\/amap ;
    osc:commune oscid:territory\\/commune-91477 .
oscid:organisation\\/test-atelier a osc:Cooperative ;
    rdfs:label "Atelier d'essai"@fr ;
    osc:theme oscid:theme\\/energie ;
    osc:commune oscid:territory\\/commune-91477 .

oscid:need\\/test-besoin a osc:Need ;
    rdfs:label "Besoin d'essai : un site web"@fr ;
    osc:competence oscid:competence\\/numerique ;
    osc:postedBy oscid:organisation\\/test-jardin ;
    osc:needOfferStatus osc:open .
oscid:offer\\/test-offre-web a osc:Offer ;
    rdfs:label "Offre d'essai : développement web"@fr ;
    osc:competence oscid:competence\\/developpement-web ;
    osc:postedBy oscid:organisation\\/test-atelier ;
    osc:needOfferStatus osc:open .
oscid:offer\\/test-offre-fermee a osc:Offer ;
    rdfs:label "Offre d'essai déjà pourvue"@fr ;
    osc:competence oscid:competence\\/numerique ;
    osc:postedBy oscid:organisation\\/test-atelier ;
    osc:needOfferStatus osc:fulfilled .
oscid:offer\\/test-offre-compta a osc:Offer ;
    rdfs:label "Offre d'essai : comptabilité"@fr ;
    osc:competence oscid:competence\\/comptabilite ;
    osc:postedBy oscid:organisation\\/test-atelier ;
    osc:needOfferStatus osc:open .

oscid:event\\/test-marche-2999 a osc:Event ;
    rdfs:label "Marché d'essai"@fr ;
    schema:startDate "MARCHE_YEAR"^^xsd:gYear ;
    schema:organizer oscid:organisation\\/test-jardin ;
    osc:theme oscid:theme\\/amap ;
    osc:commune oscid:territory\\/commune-91477 .
oscid:event\\/test-atelier-2998 a osc:Event ;
    rdfs:label "Atelier d'essai"@fr ;
    schema:startDate "ATELIER_YEAR-03-05T18:00:00+01:00"^^xsd:dateTime ;
    schema:endDate "ATELIER_YEAR-03-05T20:00:00+01:00"^^xsd:dateTime ;
    osc:theme oscid:theme\\/energie .

oscid:call\\/test-appel a osc:CallForProjects ;
    rdfs:label "Appel d'essai"@fr ;
    osc:deadline "ATELIER_YEAR-01-15"^^xsd:date ;
    schema:funder oscid:organisation\\/communaute-d-agglomeration-paris-saclay ;
    osc:eligibleTheme oscid:theme\\/alimentation ;
    osc:eligibleTerritory oscid:territory\\/departement-91 .
oscid:call\\/test-appel-clos a osc:CallForProjects ;
    rdfs:label "Appel d'essai clos"@fr ;
    osc:deadline "CLOSED_YEAR-01-01"^^xsd:date ;
    osc:eligibleTheme oscid:theme\\/alimentation .

oscid:initiative\\/test-refusee a osc:Initiative ;
    rdfs:label "Initiative d'essai refusée"@fr ;
    osc:carriedBy oscid:organisation\\/test-jardin ;
    osc:hasCharterReview oscid:review\\/test-refusee .
oscid:review\\/test-refusee a osc:CharterReview ;
    osc:reviewer oscid:group\\/comite-de-pilotage ;
    dcterms:date "2026-01-10"^^xsd:date ;
    osc:reviewOutcome osc:rejected .
oscid:initiative\\/test-sans-revue a osc:Initiative ;
    rdfs:label "Initiative d'essai sans revue"@fr ;
    osc:carriedBy oscid:organisation\\/test-atelier .
""".replace("MARCHE_YEAR", str(THIS_YEAR + 2)).replace("ATELIER_YEAR", str(THIS_YEAR + 1)).replace(
    "CLOSED_YEAR", str(THIS_YEAR - 1))

PRIVATE = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix osc: <https://w3id.org/oscartes/ns#> .
<https://w3id.org/oscartes/id/organisation/test-cachee> a osc:Association ;
    rdfs:label "Association d'essai non publiée"@fr ;
    osc:commune <https://w3id.org/oscartes/id/territory/commune-91692> .
"""


def _quads(turtle: str, graph: ox.NamedNode) -> list[ox.Quad]:
    """Parse Turtle into quads of ``graph``."""
    return [ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory):
    """An embedded store on disk with the schema graphs and the demo data (init --demo)."""
    with open_store(data=tmp_path_factory.mktemp("queries") / "kb") as store:
        init_store(store, demo=True)
        yield store


def _write(store, quads: list[ox.Quad]) -> None:
    """Insert quads as a write path does: the derived keys of what was written follow."""
    store.insert(quads)
    derived.refresh(store, {q.subject for q in quads})


@pytest.fixture
def extra_store(demo_store):
    """The demo store plus the fictional test entities, removed after the test."""
    written = _quads(EXTRA, TEST_GRAPH) + _quads(PRIVATE, PRIVATE_GRAPH)
    _write(demo_store, written)
    yield demo_store
    demo_store.remove_graph(TEST_GRAPH)
    demo_store.remove_graph(PRIVATE_GRAPH)
    derived.refresh(demo_store, {q.subject for q in written})


def run(store, name: str, **values: str) -> list[dict[str, str | None]]:
    """Run a named query; rows as dicts of plain values (None when unbound)."""
    result = queries.get(name).run(store, values)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def column(rows: list[dict], name: str) -> list[str | None]:
    """One column of the rows, in order."""
    return [row[name] for row in rows]


# --- every query file ------------------------------------------------------------------------

def test_queries_catalogue_has_the_expected_names():
    """The named queries the app and the tests rely on exist."""
    names = {q.name for q in queries.all_queries()}
    assert {"actors_by_theme_and_commune", "events_upcoming", "calls_open",
            "needs_matching_offers", "initiatives_by_charter_status",
            "collective_members"} <= names


@pytest.mark.parametrize("query", queries.all_queries(), ids=lambda q: q.name)
def test_queries_header_is_bilingual_and_params_are_used(query):
    """Title and description in French and English; each declared param is a query variable."""
    assert query.title and query.title_en and query.description and query.description_en
    body = "\n".join(line for line in query.sparql.splitlines() if not line.startswith("#"))
    for param in query.params:
        assert re.search(rf"\?{param.name}\b", body), f"{query.name}: ?{param.name} unused"
        assert param.help, f"{query.name}: param {param.name} has no help text"


@pytest.mark.parametrize("query", queries.all_queries(), ids=lambda q: q.name)
def test_queries_parse_and_run_without_parameters(demo_store, query):
    """Every query is valid SPARQL for Oxigraph and runs on the demo with no parameter."""
    assert isinstance(query.run(demo_store), Solutions)


def test_queries_run_lazy_gives_pyoxigraph_lazy_rows(demo_store):
    """``lazy=True`` reaches the store: the web's query pool streams and drops them itself."""
    query = queries.get("actors_by_theme_and_commune")
    lazy = query.run(demo_store, lazy=True)
    assert isinstance(lazy, ox.QuerySolutions)
    streamed = sorted(str(tuple(row)) for row in lazy)
    del lazy  # on this thread, as every lazy caller must
    assert streamed and streamed == sorted(str(tuple(row)) for row in query.run(demo_store))


def test_render_reads_what_the_store_returns(demo_store):
    text = ("SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
            "ORDER BY ?s ?label LIMIT 5")
    expected = [(row["s"].value, row["label"].value) for row in queries.run_text(demo_store, text)]
    assert len(expected) == 5
    table = queries.render(queries.run_text(demo_store, text), "table").splitlines()
    assert table[0].split() == ["s", "label"] and len(table) == 2 + len(expected)
    assert [line.split()[0] for line in table[2:]] == [s for s, _ in expected]
    as_csv = queries.render(queries.run_text(demo_store, text), "csv")
    assert list(csv.reader(io.StringIO(as_csv))) == [["s", "label"], *map(list, expected)]
    document = json.loads(queries.render(queries.run_text(demo_store, text), "json"))
    assert [(b["s"]["value"], b["label"]["value"]) for b in document["results"]["bindings"]] == expected
    assert queries.render(queries.run_text(demo_store, "ASK { ?s ?p ?o }"), "table") == "true\n"
    graph = queries.run_text(
        demo_store, "CONSTRUCT WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    assert isinstance(graph, Triples)
    turtle = queries.render(graph, "turtle")
    assert {q.subject.value for q in ox.parse(turtle, ox.RdfFormat.TURTLE)} >= {s for s, _ in expected}


def test_queries_string_value_with_quotes_and_braces_is_bound_not_injected(demo_store):
    """A hostile string is a value: no syntax error, no match, nothing dropped."""
    before = demo_store.count()
    hostile = 'x" } ; DROP ALL ; #'
    result = demo_store.query(
        "SELECT ?label ?actor WHERE { ?actor <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        substitutions={"label": ox.Literal(hostile)}, default_graph=demo_store.graphs())
    assert list(result) == []
    assert demo_store.count() == before


@pytest.mark.parametrize("name,values", [
    ("actors_by_theme_and_commune", {"theme": 'x" } ; DROP ALL ; #'}),
    ("actors_by_theme_and_commune", {"commune": "https://e.org/> } DROP ALL {"}),
    ("events_upcoming", {"since": '2021-01-01" } ; DROP ALL ; #'}),
    ("calls_open", {"on": "today"}),
])
def test_queries_bad_parameter_values_are_refused(demo_store, name, values):
    """Values that are not of the declared type are refused before any query runs."""
    before = demo_store.count()
    with pytest.raises(UsageError):
        queries.get(name).run(demo_store, values)
    assert demo_store.count() == before


# --- actors_by_theme_and_commune -------------------------------------------------------------

def test_actors_by_theme_and_commune_les_ulis(demo_store):
    """The commune of Les Ulis gives the two demo actors located there, by name."""
    rows = run(demo_store, "actors_by_theme_and_commune", commune=ID + "territory/commune-91692")
    assert column(rows, "label") == ["Union des Associations des Ulis", "Ville des Ulis"]
    assert set(column(rows, "communeLabel")) == {"Les Ulis"}
    assert set(column(rows, "commune")) == {ID + "territory/commune-91692"}


def test_actors_by_theme_and_commune_without_parameters_lists_every_actor(demo_store):
    """No parameter: every demo organisation (groups are not actors), sorted by name."""
    rows = run(demo_store, "actors_by_theme_and_commune")
    labels = column(rows, "label")
    assert set(COMMITTEE_MEMBERS) <= set(labels)
    assert {"OSCARTES", "Ville des Ulis", "Massy en transition"} <= set(labels)
    assert "Comité de pilotage d'OSCARTES" not in labels
    assert len(labels) == 13 and labels == sorted(labels)
    massy = next(r for r in rows if r["label"] == "Massy en transition")
    assert massy["communeLabel"] == "Massy" and massy["theme"] is None


def test_actors_by_theme_and_commune_parent_theme_finds_child_theme(extra_store):
    """"Alimentation" finds the actor tagged "AMAP" (two levels down), not the energy one."""
    rows = run(extra_store, "actors_by_theme_and_commune", theme=ID + "theme/alimentation")
    assert column(rows, "actor") == [ID + "organisation/test-jardin"]
    assert rows[0]["themes"] == "AMAP"
    assert rows[0]["theme"] == ID + "theme/alimentation"
    assert rows[0]["communeLabel"] == "Palaiseau"


def test_actors_by_theme_and_commune_theme_and_commune_together(extra_store):
    """Both filters apply: energy in Palaiseau gives the workshop; energy in Les Ulis nothing."""
    palaiseau = run(extra_store, "actors_by_theme_and_commune", theme=ID + "theme/energie",
                    commune=ID + "territory/commune-91477")
    assert column(palaiseau, "label") == ["Atelier d'essai"]
    ulis = run(extra_store, "actors_by_theme_and_commune", theme=ID + "theme/energie",
               commune=ID + "territory/commune-91692")
    assert ulis == []


def test_actors_by_theme_and_commune_hides_private_graphs(extra_store):
    """An actor only in a private graph is not listed."""
    rows = run(extra_store, "actors_by_theme_and_commune", commune=ID + "territory/commune-91692")
    assert "Association d'essai non publiée" not in column(rows, "label")


# --- events_upcoming -------------------------------------------------------------------------

DEMO_EVENTS_IN_ORDER = [
    "ESS Initiatives 2021",            # "2021"^^xsd:gYear (same start: by label)
    "Fête des possibles 2021",
    "Le festival de la transition",
    "Le mois de la relocalisation alimentaire à Massy",  # "2021-05"^^xsd:gYearMonth
]


def test_events_upcoming_since_2021_lists_demo_events_in_start_order(demo_store):
    """From 2021-01-01 every demo event (year and month precision) is upcoming, by start."""
    rows = run(demo_store, "events_upcoming", since="2021-01-01")
    assert column(rows, "label") == DEMO_EVENTS_IN_ORDER
    assert column(rows, "start") == ["2021", "2021", "2021", "2021-05"]
    assert rows[3]["communeLabel"] == "Massy"
    assert rows[3]["organizerLabel"] == "Massy en transition"
    assert set(column(rows, "since")) == {"2021-01-01"}


def test_events_upcoming_precision_counts_the_whole_month_or_year(demo_store):
    """On 2021-05-31 the May 2021 event and the 2021 events are still upcoming; not in June."""
    may = run(demo_store, "events_upcoming", since="2021-05-31")
    assert column(may, "label") == DEMO_EVENTS_IN_ORDER
    june = run(demo_store, "events_upcoming", since="2021-06-01")
    assert column(june, "label") == DEMO_EVENTS_IN_ORDER[:3]


def test_events_upcoming_since_2030_is_empty_on_the_demo(demo_store):
    """Nothing in the demo happens after 2030."""
    assert run(demo_store, "events_upcoming", since="2030-01-01") == []


def test_events_upcoming_defaults_to_today(extra_store):
    """Without ``since``: the future test events (dateTime and gYear), not the 2021 ones."""
    rows = run(extra_store, "events_upcoming")
    assert column(rows, "event") == [ID + "event/test-atelier-2998", ID + "event/test-marche-2999"]
    assert rows[0]["end"] == f"{THIS_YEAR + 1}-03-05T20:00:00+01:00"
    assert rows[0]["since"] is None


def test_events_upcoming_theme_and_commune(extra_store):
    """A parent theme finds events tagged with child themes (the demo's Massy month, the AMAP
    market); a commune keeps only the events held there."""
    since_2021 = run(extra_store, "events_upcoming", since="2021-01-01",
                     theme=ID + "theme/alimentation")
    assert since_2021[0]["label"] == "Le mois de la relocalisation alimentaire à Massy"
    assert since_2021[0]["themes"] == "Relocalisation alimentaire"
    by_theme = run(extra_store, "events_upcoming", theme=ID + "theme/alimentation")
    assert column(by_theme, "label") == ["Marché d'essai"]
    assert column(by_theme, "themes") == ["AMAP"]
    assert by_theme[0]["organizerLabel"] == "Jardin d'essai"
    by_commune = run(extra_store, "events_upcoming", since="2021-01-01",
                     commune=ID + "territory/commune-91377")
    assert column(by_commune, "label") == ["Le mois de la relocalisation alimentaire à Massy"]
    assert run(extra_store, "events_upcoming", theme=ID + "theme/energie",
               commune=ID + "territory/commune-91477") == []


# --- calls_open ------------------------------------------------------------------------------

def test_calls_open_on_a_date_keeps_later_deadlines_with_funder(extra_store):
    """On January 1st the test call is open (with its funder) and last year's one is closed."""
    rows = run(extra_store, "calls_open", on=f"{THIS_YEAR}-01-01")
    assert column(rows, "call") == [ID + "call/test-appel"]
    assert rows[0]["funderLabel"] == "Communauté d'agglomération Paris-Saclay"
    assert rows[0]["deadline"] == f"{THIS_YEAR + 1}-01-15" and rows[0]["themes"] == "Alimentation"
    both = run(extra_store, "calls_open", on=f"{THIS_YEAR - 2}-06-01")
    assert column(both, "call") == [ID + "call/test-appel-clos", ID + "call/test-appel"]


def test_calls_open_theme_matches_broader_and_narrower(extra_store):
    """A call for "Alimentation" is found from "AMAP" (narrower); "Énergie" finds none."""
    assert column(run(extra_store, "calls_open", theme=ID + "theme/amap"), "call") == [
        ID + "call/test-appel"]
    assert run(extra_store, "calls_open", theme=ID + "theme/energie") == []


def test_calls_open_territory_includes_containing_territories(extra_store):
    """A call open to the Essonne département is found from Palaiseau and from Essonne."""
    for territory in ("territory/commune-91477", "territory/departement-91"):
        rows = run(extra_store, "calls_open", territory=ID + territory)
        assert column(rows, "call") == [ID + "call/test-appel"]
    assert run(extra_store, "calls_open", territory=ID + "territory/region-11") == []


def test_calls_open_none_in_the_demo(demo_store):
    """The demo data hold no call for projects."""
    assert run(demo_store, "calls_open", on="2000-01-01") == []


# --- needs_matching_offers -------------------------------------------------------------------

def test_needs_matching_offers_for_a_need(extra_store):
    """The open need for "Numérique" matches the open offer of the narrower "Développement web"
    only: not the fulfilled offer, not the accounting one."""
    rows = run(extra_store, "needs_matching_offers", need=ID + "need/test-besoin")
    assert len(rows) == 1
    row = rows[0]
    assert row["offer"] == ID + "offer/test-offre-web"
    assert row["competenceLabel"] == "Numérique"
    assert row["offerCompetenceLabel"] == "Développement web"
    assert row["needPosterLabel"] == "Jardin d'essai"
    assert row["offerPosterLabel"] == "Atelier d'essai"


def test_needs_matching_offers_by_competence_and_without_parameters(extra_store):
    """The same match is found from the competence and with no parameter at all."""
    by_competence = run(extra_store, "needs_matching_offers", competence=ID + "competence/numerique")
    assert column(by_competence, "offer") == [ID + "offer/test-offre-web"]
    everything = run(extra_store, "needs_matching_offers")
    assert [(r["need"], r["offer"]) for r in everything] == [
        (ID + "need/test-besoin", ID + "offer/test-offre-web")]
    assert run(extra_store, "needs_matching_offers", competence=ID + "competence/comptabilite") == []


def test_needs_matching_offers_broader_offer_matches(extra_store):
    """An offer of the broader "Numérique" matches a need for "Logiciels libres"."""
    turtle = """
    @prefix osc: <https://w3id.org/oscartes/ns#> .
    <https://w3id.org/oscartes/id/need/test-besoin-libre> a osc:Need ;
        osc:competence <https://w3id.org/oscartes/id/competence/logiciels-libres> ;
        osc:needOfferStatus osc:open .
    <https://w3id.org/oscartes/id/offer/test-offre-numerique> a osc:Offer ;
        osc:competence <https://w3id.org/oscartes/id/competence/numerique> ;
        osc:needOfferStatus osc:open .
    """
    _write(extra_store, _quads(turtle, TEST_GRAPH))
    rows = run(extra_store, "needs_matching_offers", need=ID + "need/test-besoin-libre")
    assert column(rows, "offer") == [ID + "offer/test-offre-numerique"]
    assert rows[0]["offerCompetence"] == ID + "competence/numerique"


# --- initiatives_by_charter_status -----------------------------------------------------------

def test_initiatives_by_charter_status_approved_on_the_demo(demo_store):
    """The demo's partner project was approved by the steering committee on 2026-11-28."""
    rows = run(demo_store, "initiatives_by_charter_status", outcome=OSC + "approved")
    assert rows == [{
        "initiative": ID + "initiative/agissons-pour-le-climat",
        "label": "Agissons pour le climat",
        "carrier": ID + "organisation/communaute-d-agglomeration-paris-saclay",
        "carrierLabel": "Communauté d'agglomération Paris-Saclay",
        "review": ID + "review/agissons-pour-le-climat",
        "reviewDate": "2026-11-28",
        "reviewer": ID + "group/comite-de-pilotage",
        "reviewerLabel": "Comité de pilotage d'OSCARTES",
        "outcome": OSC + "approved",
    }]


def test_initiatives_by_charter_status_rejected_and_unreviewed(extra_store):
    """"Rejected" gives the rejected one only; no outcome lists all, unreviewed unbound."""
    rejected = run(extra_store, "initiatives_by_charter_status", outcome=OSC + "rejected")
    assert column(rejected, "label") == ["Initiative d'essai refusée"]
    everything = run(extra_store, "initiatives_by_charter_status")
    assert [(r["label"], r["outcome"]) for r in everything] == [
        ("Agissons pour le climat", OSC + "approved"),
        ("Initiative d'essai refusée", OSC + "rejected"),
        ("Initiative d'essai sans revue", None),
    ]


# --- collective_members ----------------------------------------------------------------------

def test_collective_members_are_the_ten_steering_committee_members(demo_store):
    """The demo's members: the ten organisations of the steering committee, by name, and the
    committee itself, a direct member of the collective (org:memberOf, ontology/README.md)."""
    rows = run(demo_store, "collective_members")
    committee = [r for r in rows if r["unit"] == ID + "group/comite-de-pilotage"]
    assert column(committee, "memberLabel") == COMMITTEE_MEMBERS
    assert set(column(committee, "unitLabel")) == {"Comité de pilotage d'OSCARTES"}
    direct = [r for r in rows if r["unit"] == ID + "organisation/oscartes"]
    assert [(r["memberLabel"], r["unitLabel"]) for r in direct] == [
        ("Comité de pilotage d'OSCARTES", "OSCARTES")]
    assert len(rows) == 11


def test_collective_members_direct_and_working_group_members(extra_store):
    """Direct members and members of a working group are members too, with their body."""
    turtle = """
    @prefix org: <http://www.w3.org/ns/org#> .
    <https://w3id.org/oscartes/id/organisation/test-jardin>
        org:memberOf <https://w3id.org/oscartes/id/organisation/oscartes> .
    <https://w3id.org/oscartes/id/organisation/test-atelier>
        org:memberOf <https://w3id.org/oscartes/id/group/animation> .
    """
    _write(extra_store, _quads(turtle, TEST_GRAPH))
    rows = run(extra_store, "collective_members")
    units = {r["memberLabel"]: r["unitLabel"] for r in rows}
    assert units["Jardin d'essai"] == "OSCARTES"
    assert units["Atelier d'essai"] == "Animation"
    assert len(rows) == 13


@pytest.fixture
def remote_demo(remote_store):
    """The remote store (a real Oxigraph server) with the schema graphs and the demo data."""
    init_store(remote_store, demo=True)
    return remote_store


@pytest.mark.parametrize("name,values", [
    ("actors_by_theme_and_commune", {"commune": ID + "territory/commune-91692"}),
    ("actors_by_theme_and_commune", {}),
    ("events_upcoming", {"since": "2021-05-31"}),
    ("events_upcoming", {"since": "2021-01-01", "commune": ID + "territory/commune-91377"}),
    ("initiatives_by_charter_status", {"outcome": OSC + "approved"}),
    ("collective_members", {}),
    ("calls_open", {"on": "2000-01-01"}),
    ("needs_matching_offers", {"competence": ID + "competence/numerique"}),
])
def test_named_query_parameters_work_on_the_remote_store(remote_demo, demo_store, name, values):
    """The same rows on a SPARQL 1.1 server as on the embedded store: parameters are inline
    VALUES blocks, which any server runs (they were refused on a remote store before)."""
    remote = run(remote_demo, name, **values)
    assert remote == run(demo_store, name, **values)
    if name != "calls_open" and name != "needs_matching_offers":  # the demo has none
        assert remote


def test_queries_text_binds_given_parameters_and_selects_branches():
    """Markers: a given value becomes a VALUES block written by pyoxigraph; "given" branches
    match nothing without a value, "absent" branches nothing with one."""
    sparql = "SELECT * WHERE {\n  #@ ?x\n  {\n    #@ ?x given\n  } UNION {\n    #@ ?x absent\n  }\n}"
    query = queries.NamedQuery("q", "", "", sparql, (queries.Param("x", "string", False),))
    hostile = 'x" } ; DROP ALL ; #'
    given = query.text({"x": hostile})
    assert given.count('VALUES ?x { "x\\" } ; DROP ALL ; #" }') == 2
    assert "VALUES ?x { }" in given
    absent = query.text({})
    assert absent.count("VALUES ?x { }") == 1 and "DROP" not in absent
    for text in (given, absent):
        assert isinstance(ox.Store().query(text), ox.QuerySolutions)


@pytest.mark.parametrize("name,values", [
    ("actors_by_theme_and_commune", {"commune": ID + "territory/commune-91692"}),
    ("actors_by_theme_and_commune", {}),
    ("events_upcoming", {"since": "2021-01-01"}),
    ("events_upcoming", {"since": "2021-01-01", "commune": ID + "territory/commune-91377"}),
    ("initiatives_by_charter_status", {}),
    ("initiatives_by_charter_status", {"outcome": OSC + "rejected"}),
    ("collective_members", {}),
    ("calls_open", {"on": f"{THIS_YEAR - 2}-06-01"}),
    ("needs_matching_offers", {}),
])
def test_leaving_the_schema_graphs_out_changes_no_row(extra_store, name, values):
    """Named queries skip the vocabulary, shapes and metadata graphs (1.6-2.5x faster with a
    private graph in the store): the rows are those of the whole public dataset."""
    assert PRIVATE_GRAPH in extra_store.graphs()  # so the list of graphs is used, not the union
    query = queries.get(name)
    public = graphs.public(extra_store.graphs())
    whole = extra_store.query(query.text(values), default_graph=public, named_graphs=public)
    variables = [v.value for v in whole.variables]
    expected = [{n: (row[n].value if row[n] is not None else None) for n in variables} for row in whole]
    assert expected and run(extra_store, name, **values) == expected
    assert query.skipped_graphs == {graphs.ONTOLOGY, graphs.SHAPES, graphs.META}


def test_a_query_names_the_schema_graphs_it_reads(tmp_path):
    path = tmp_path / "kinds.rq"
    path.write_text("#+ title: Classes\n#+ reads: ontology, meta\nSELECT * WHERE { ?c a ?k }\n")
    assert queries.read(path).skipped_graphs == {graphs.SHAPES}
    path.write_text("#+ title: Classes\n#+ reads: everything\nSELECT * WHERE { ?c a ?k }\n")
    with pytest.raises(UsageError, match="reads: everything"):
        queries.read(path)
