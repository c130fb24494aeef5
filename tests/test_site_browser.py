"""The site shell, home page, an entity page and /ontology in a real headless Chromium (Debian's,
driven by playwright): no serious or critical axe-core violation, usable at phone width, the
language switch keeps the page, the header search goes to /search, nothing fetched from another
host (map tiles are blocked here and counted apart)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest

from app import create_app
from oscartes_kg import bootstrap, derived, dumps
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
DATA = Path(__file__).parent / "data" / "entity_pages" / "kinds.trig"
TILES = "tile.openstreetmap.org"
PAGES = ["/", "/id/organisation/atelier-velo-test", "/id/initiative/agissons-pour-le-climat",
         "/id/theme/climat", "/ontology", "/ontology/thesauri", "/nowhere"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, module_live_server):
    data = tmp_path_factory.mktemp("site-browser") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        store.insert(ox.parse(path=str(DATA), format=ox.RdfFormat.TRIG))
        derived.rebuild(store)
        dumps.stamp_change(store)
    app = create_app(Settings(data=data))
    yield module_live_server(app)
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations"
                          ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                          ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
    return found


@pytest.mark.parametrize("width, javascript", [(390, True), (1280, True), (390, False)])
def test_pages_are_accessible_and_stay_on_the_site(browser, site, width, javascript):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR",
                                  java_script_enabled=javascript)
    elsewhere, tiles = [], []
    context.route(f"**://{TILES}/**", lambda route: (tiles.append(route.request.url), route.abort()))
    context.on("request", lambda request: elsewhere.append(request.url)
               if urlsplit(request.url).hostname not in ("127.0.0.1", TILES) else None)
    try:
        page = context.new_page()
        for path in PAGES:
            page.goto(site + path)
            assert page.locator("html").get_attribute("lang") == "fr"
            # nothing wider than the screen: usable on a phone without sideways scrolling
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            if javascript:
                assert serious_violations(page) == [], path
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(ARTIFACTS / f"site-{name}-{width}{'' if javascript else '-nojs'}.png"),
                            full_page=True)
    finally:
        context.close()
    assert elsewhere == []
    if javascript:  # the map asked for tiles (blocked here): the only other host a page uses
        assert tiles and all(urlsplit(u).hostname == TILES for u in tiles)
    else:
        assert tiles == []


def test_entity_map_draws_a_marker_with_javascript(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    context.route(f"**://{TILES}/**", lambda route: route.abort())
    try:
        page = context.new_page()
        page.goto(site + "/id/organisation/atelier-velo-test")
        page.wait_for_selector("#entity-map .leaflet-marker-icon")
        assert page.locator("#entity-map").is_visible()
    finally:
        context.close()


def test_language_switch_keeps_the_page_and_search_box_goes_to_search(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False,
                                  locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(site + "/id/event/atelier-ouvert-test")
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/id/event/atelier-ouvert-test?lang=en")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("link", name="organiser").is_visible()
        page.get_by_role("link", name="Français").click()
        page.wait_for_url("**/id/event/atelier-ouvert-test?lang=fr")
        page.get_by_label("Rechercher dans la base").fill("fête des possibles")
        page.get_by_role("search").get_by_role("button", name="Rechercher").click()
        page.wait_for_url("**/search?q=f*")
        assert "q=f%C3%AAte+des+possibles" in page.url
        page.goto(site + "/")
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Aller au contenu")
        assert skip.evaluate("element => element === document.activeElement")
        page.screenshot(path=str(ARTIFACTS / "site-skip-link-focused.png"))
    finally:
        context.close()
