"""The map and search in a real headless Chromium (Debian's, driven by playwright): markers drawn
and clustered, a popup that links to the page and shows a hostile label as text, a search
followed to an entity page, no serious or critical axe-core violation, and no request to another
host but map tiles (answered here by the test: nothing leaves the machine)."""
from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from playwright.sync_api import expect

from app import create_app
from oscartes_kg import bootstrap, graphs, ingest
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
DATA = Path(__file__).parent / "data" / "catalogue.trig"
TILES = "tile.openstreetmap.org"
ID = "https://w3id.org/oscartes/id/"
HOSTILE_LABEL = 'Piège <img src=x onerror="document.body.dataset.pwned=1">'
#: A 1×1 transparent PNG, the answer to every tile request.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


@pytest.fixture(scope="module")
def site(tmp_path_factory, module_live_server):
    data = tmp_path_factory.mktemp("map-browser") / "kb"
    hostile = ox.NamedNode(ID + "organisation/piege")
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        ingest.load(store, [DATA])
        store.insert([ox.Quad(hostile, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                              ox.Literal(HOSTILE_LABEL), graphs.CONTRIBUTIONS),
                      ox.Quad(hostile, ox.NamedNode("https://w3id.org/oscartes/ns#theme"),
                              ox.NamedNode(ID + "theme/eau"), graphs.CONTRIBUTIONS),
                      ox.Quad(hostile, ox.NamedNode("http://www.w3.org/2003/01/geo/wgs84_pos#lat"),
                              ox.Literal("48.60", datatype=decimal), graphs.CONTRIBUTIONS),
                      ox.Quad(hostile, ox.NamedNode("http://www.w3.org/2003/01/geo/wgs84_pos#long"),
                              ox.Literal("2.30", datatype=decimal), graphs.CONTRIBUTIONS)])
    app = create_app(Settings(data=data))
    yield module_live_server(app)
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


@pytest.fixture
def visit(browser):
    """A fresh page whose tile requests are answered locally; records every other host asked."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    record = {"tiles": [], "elsewhere": []}

    def tile(route):
        record["tiles"].append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG)

    context.route(f"**://{TILES}/**", tile)
    context.route(lambda url: urlsplit(url).hostname not in ("127.0.0.1", TILES),
                  lambda route: (record["elsewhere"].append(route.request.url), route.abort()))
    page = context.new_page()
    page.record = record
    yield page
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("async () => (await axe.run(document)).violations"
                         ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                         ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")


def test_the_map_shows_clustered_markers_and_asks_only_for_tiles(visit, site):
    visit.goto(site + "/map")
    markers = visit.locator("#map .leaflet-marker-icon")  # single markers and cluster icons
    expect(markers.first).to_be_visible(timeout=15000)
    assert int(visit.locator("#map").get_attribute("data-loaded")) >= 7
    assert visit.locator("#map .marker-cluster").count() >= 1  # the Ulis and Massy points share a spot
    expect(visit.locator("#map-status")).to_contain_text("points sur la carte")
    visit.screenshot(path=str(ARTIFACTS / "map.png"))
    assert serious_violations(visit) == []
    assert visit.record["tiles"] and all(urlsplit(u).hostname == TILES for u in visit.record["tiles"])
    assert visit.record["elsewhere"] == []


def test_a_popup_links_to_the_page(visit, site):
    visit.goto(site + f"/map?theme={ID}theme/amap")
    marker = visit.locator('#map img.leaflet-marker-icon[title="Zéphyr coopérative"]')
    expect(marker).to_be_visible(timeout=15000)
    assert visit.locator("#map .leaflet-marker-icon").count() == 1  # the theme filter applied
    visit.wait_for_load_state("networkidle")
    marker.click()
    link = visit.locator(".leaflet-popup-content a")
    expect(link).to_have_text("Zéphyr coopérative")
    link.click()
    visit.wait_for_url("**/id/organisation/zephyr-cooperative")
    assert visit.record["elsewhere"] == []


def test_a_hostile_label_shows_as_text_in_its_popup(visit, site):
    visit.goto(site + f"/map?theme={ID}theme/eau")
    marker = visit.locator("#map img.leaflet-marker-icon").first
    expect(marker).to_be_visible(timeout=15000)
    visit.wait_for_load_state("networkidle")
    marker.click()
    expect(visit.locator(".leaflet-popup-content a")).to_have_text(HOSTILE_LABEL)
    assert visit.locator(".leaflet-popup-content img").count() == 0
    assert visit.evaluate("document.body.dataset.pwned") is None


def test_changing_a_filter_reloads_the_points(visit, site):
    visit.goto(site + "/map")
    expect(visit.locator("#map .leaflet-marker-icon").first).to_be_visible(timeout=15000)
    with visit.expect_response(lambda r: "/api/map.geojson" in r.url and "kind=event" in r.url):
        visit.get_by_label("Événement").check()
    expect(visit.locator("#map")).to_have_attribute("data-loaded", "2", timeout=15000)  # both in Massy
    assert "kind=event" in visit.url


def test_a_search_then_a_click_reaches_the_entity_page(visit, site):
    visit.goto(site + "/search")
    visit.get_by_label("Mots recherchés").fill("fete des possibles")
    visit.get_by_label("Mots recherchés").press("Enter")
    visit.wait_for_url("**/search?q=fete+des+possibles*")
    first = visit.locator(".search-hit h3 a").first
    expect(first).to_have_text("Fête des possibles 2021")
    assert serious_violations(visit) == []
    visit.screenshot(path=str(ARTIFACTS / "search.png"))
    first.click()
    visit.wait_for_url("**/id/event/fete-des-possibles-2021")
    assert visit.record["elsewhere"] == []


def test_facets_work_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(site + "/search?q=zephyr")
    page.locator(".search-facet").filter(has_text="Type").get_by_role("link", name="Événement").click()
    expect(page.locator(".search-hit h3 a")).to_have_text(["Grand bal"])
    assert "kind=event" in page.url
    context.close()
