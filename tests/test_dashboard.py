"""Dashboards: counts from the catalogue, evolution from the history, SVG with its table, CSV."""
from __future__ import annotations

import csv
import io
from datetime import date

import pyoxigraph as ox
import pytest
from lxml import etree

from oscartes_kg import bootstrap, catalogue, changes, dashboard, graphs, watch
from oscartes_kg.store import open_store
from web_helpers import site

ID = "https://w3id.org/oscartes/id/"
OSC = "https://w3id.org/oscartes/ns#"
COMMUNE = ID + "territory/commune-91692"
DEPARTEMENT = ID + "territory/departement-91"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _event(slug: str) -> list[ox.Quad]:
    node = ox.NamedNode(ID + "event/" + slug)
    return [ox.Quad(node, RDF_TYPE, ox.NamedNode(OSC + "Event"), graphs.DEMO),
            ox.Quad(node, LABEL, ox.Literal("Réunion " + slug, language="fr"), graphs.DEMO),
            ox.Quad(node, ox.NamedNode(OSC + "commune"), ox.NamedNode(COMMUNE), graphs.DEMO),
            ox.Quad(node, ox.NamedNode("http://schema.org/startDate"),
                    ox.Literal("2031-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
                    graphs.DEMO)]


@pytest.fixture
def kb(tmp_path):
    with open_store(data=tmp_path / "kb") as store:
        bootstrap.init_store(store, demo=True)
        yield store


def test_counts_follow_the_territory_hierarchy(kb):
    found = catalogue.open_catalogue(kb)
    commune = dashboard.counts(found, "commune", COMMUNE).values
    department = dashboard.counts(found, "commune", DEPARTEMENT).values
    total = found.search("", catalogue.Filters(communes=(DEPARTEMENT,)), size=1)
    assert sum(department.values()) <= total.total
    assert all(department[name] >= commune[name] for name in dashboard.GROUPS)
    assert department["actors"] >= 1


def test_evolution_counts_arrivals_and_departures(kb):
    found = catalogue.open_catalogue(kb)
    before = dashboard.evolution(kb, watch.catalogue_connection(found), "commune", COMMUNE)
    quads = _event("dashboard-a") + _event("dashboard-b")
    changes.apply(kb, changes.Change(added=quads, targets={graphs.DEMO}), role="curator", author="t")
    after = dashboard.evolution(kb, watch.catalogue_connection(found), "commune", COMMUNE)
    assert after.series["events"][-1] == before.series["events"][-1] + 2
    changes.apply(kb, changes.Change(removed=_event("dashboard-b"), targets={graphs.DEMO}),
                  role="curator", author="t")
    gone = dashboard.evolution(kb, watch.catalogue_connection(found), "commune", COMMUNE)
    assert gone.series["events"][-1] == before.series["events"][-1] + 1
    assert gone.months[-1] == date.today().isoformat()[:7]


def test_dashboard_page_svg_table_and_csv(tmp_path):
    with site(tmp_path) as (app, _):
        client = app.test_client()
        page = client.get("/territories/departement-91/dashboard")
        assert page.status_code == 200
        html = etree.HTML(page.data)
        svg = html.find(".//{http://www.w3.org/2000/svg}svg")
        svg = svg if svg is not None else html.find(".//svg")
        assert svg is not None and svg.find("title") is not None or "<title id=\"chart-title\">" in page.text
        assert "Évolution par mois : " in page.text
        counts = dict(csv.reader(io.StringIO(client.get(
            "/territories/departement-91/dashboard?format=csv&table=counts").text)))
        assert counts["groupe"] == "nombre" and int(counts["actors"]) >= 1
        rows = list(csv.reader(io.StringIO(client.get(
            "/territories/departement-91/dashboard?format=csv&table=evolution").text)))
        assert rows[0] == ["mois", *dashboard.GROUPS] and len(rows) >= 2
        # The page's table says what the CSV says.
        cells = [td.text for td in html.findall(".//table[@class='dashboard-counts']//td")]
        assert cells == [counts[name] for name in dashboard.GROUPS]
        assert client.get("/themes/climat/dashboard").status_code == 200
        assert client.get("/themes/nothing-here/dashboard").status_code == 404
        assert client.get("/territories/departement-91/dashboard?format=pdf").status_code == 400
