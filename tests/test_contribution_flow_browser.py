"""Issue 5 section 7, end to end in headless Chromium (Debian's, driven by playwright): a
contributor proposes an initiative with a mistake, sees the error, fixes it and submits; a
curator reviews it against the five criteria and publishes it; it then appears in the search
and on the map; its author reads its history. The real app on an embedded store on disk, over
HTTP on 127.0.0.1; every request to another host is refused."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from web_helpers import PASSWORD, site

LABEL = "Jardin partagé des Graviers"  # fictional test entity, never part of the demo data


@pytest.fixture(scope="module")
def served(tmp_path_factory, module_live_server):
    """The demo site with one account per role (web_helpers.ACCOUNTS), served over HTTP."""
    with site(tmp_path_factory.mktemp("flow")) as (app, _):
        yield module_live_server(app)


def _context(browser, url: str):
    """A fresh French browser session that may reach the test server only."""
    context = browser.new_context(locale="fr-FR")
    own = urlsplit(url).netloc
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == own
                  else route.abort())
    return context


def _log_in(page, url: str, login: str, next_path: str) -> None:
    page.goto(f"{url}/login?next={next_path}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(f"{url}{next_path}")


def test_propose_review_publish_find_and_read_the_history(browser, served):
    url = served
    # 1. A contributor proposes an initiative; the one-letter name is refused next to its field.
    contributor = _context(browser, url)
    page = contributor.new_page()
    _log_in(page, url, "contrib", "/contribute/initiative")
    page.fill("#f-label", "J")
    page.fill("#f-description", "Un jardin cultivé ensemble par les habitants du quartier.")
    page.check("input[name=theme][value$='/theme/jardins-partages']")
    page.fill("#f-commune", "Massy (91377)")
    page.dispatch_event("#f-commune", "change")
    assert page.input_value("#f-lat") and page.input_value("#f-long")  # the commune's centroid
    page.click("form.contribute-form button[type=submit]")
    error = page.inner_text('[data-field="label"]')
    assert "2" in error and "caractères" in error  # the rule, in French, next to the field
    assert page.input_value("#f-description").startswith("Un jardin cultivé")  # typed text kept
    assert page.is_checked("input[name=theme][value$='/theme/jardins-partages']")
    page.fill("#f-label", LABEL)
    page.click("form.contribute-form button[type=submit]")
    page.wait_for_url(f"{url}/my-contributions**")
    row = page.locator("table.my-contributions tr", has_text=LABEL)
    assert "attente" in row.inner_text()
    # Not public yet: the search does not find it.
    anonymous = _context(browser, url)
    visitor = anonymous.new_page()
    visitor.goto(f"{url}/search?q=Graviers")
    assert LABEL not in visitor.inner_text("main")

    # 2. A curator reviews the five criteria and publishes.
    curator = _context(browser, url).new_page()
    _log_in(curator, url, "cura@example.org", "/curation")
    curator.get_by_role("link", name=LABEL).click()
    curator.wait_for_url(f"{url}/curation/initiative/**")
    radios = curator.locator("form.review-form input[type=radio][value=affirmed]")
    assert radios.count() == 5
    for index in range(5):
        radios.nth(index).check()
    curator.fill("form.review-form #comment", "Les cinq critères de la charte sont remplis.")
    curator.click("form.review-form button[type=submit]")
    curator.wait_for_load_state()

    # 3. Published: it appears in the search and on the map, with a public page.
    visitor.goto(f"{url}/search?q=graviers")  # case and accents do not matter
    visitor.get_by_role("link", name=LABEL).first.click()
    visitor.wait_for_url(f"{url}/id/initiative/**")
    entity_path = urlsplit(visitor.url).path
    assert visitor.inner_text("h1") == LABEL
    points = visitor.request.get(f"{url}/api/map.geojson").json()["features"]
    assert any(f["properties"].get("label") == LABEL or entity_path in str(f["properties"])
               for f in points)
    visitor.goto(f"{url}/map")
    visitor.wait_for_function("document.querySelectorAll('.leaflet-marker-icon').length > 0")

    # 4. Its author reads its history: the proposal and the publication, with diffs.
    page.goto(f"{url}{entity_path}")
    page.get_by_role("link", name="Historique").click()
    page.wait_for_url(f"{url}{entity_path}/history")
    rows = page.locator("table.history-list tbody tr")
    channels = [rows.nth(i).locator("td").nth(4).inner_text() for i in range(rows.count())]
    assert "form" in channels and "review" in channels  # the proposal, then the publication
    assert "Côme Contributeur" in page.inner_text("table.history-list")  # they see themselves
    page.click("form[action$='/history/diff'] button[type=submit]")  # newest against the one before
    page.wait_for_url(f"{url}{entity_path}/history/diff**")
    assert LABEL in page.inner_text("main")
    for context in (contributor, anonymous):
        context.close()
