"""Issue 7 §7 in headless Chromium (Debian's, driven by playwright): a contributor posts a need
through the contribution form, lands on its page and sees its matches ranked and explained;
the JSON API agrees; the poster marks it fulfilled. The real app on an embedded store on disk
(demo data and the matching scenario), over HTTP on 127.0.0.1; every other host is refused."""
from __future__ import annotations

from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest

from app import create_app
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store
from test_matching import SCENARIO
from web_helpers import PASSWORD, make_site_data

LABEL = "Besoin test : un coup de main au potager de Massy"  # fictional test entity


@pytest.fixture(scope="module")
def served(tmp_path_factory, module_live_server):
    data = tmp_path_factory.mktemp("matching-browser") / "kb"
    make_site_data(data)
    with open_store(data=data) as store:
        store.insert(list(ox.parse(path=str(SCENARIO), format=ox.RdfFormat.TRIG)))
    app = create_app(Settings(data=data))
    yield module_live_server(app)
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def _context(browser, url: str):
    context = browser.new_context(locale="fr-FR")
    own = urlsplit(url).netloc
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == own
                  else route.abort())
    return context


def test_post_a_need_and_see_its_matches(browser, served):
    url = served
    context = _context(browser, url)
    page = context.new_page()
    page.goto(f"{url}/login?next=/contribute/need")
    page.fill("#login", "contrib")
    page.fill("#password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(f"{url}/contribute/need")
    page.fill("#f-label", LABEL)
    page.check("input[name=needOfferKind][value$='/need-offer-kind/benevolat']")
    page.check("input[name=competence][value$='/competence/maraichage']")
    page.fill("#f-commune", "Massy (91377)")
    page.dispatch_event("#f-commune", "change")
    page.fill("#f-validFrom", "2026-05-01")
    page.fill("#f-validThrough", "2026-05-30")
    page.fill("#f-postedBy", "https://w3id.org/oscartes/id/organisation/test-jardin-massy")
    page.click("form.contribute-form button[type=submit]")
    page.wait_for_url(f"{url}/id/need/**")
    path = urlsplit(page.url).path
    assert page.inner_text("h1") == LABEL
    block = page.locator("section.entity-matches")
    assert block.locator("h2").inner_text() == "Correspondances"
    offers = block.locator("ol[data-kind=offer] > li.match")
    first = offers.nth(0)
    # the offer with the same competence, in the same commune, over the same days comes first,
    # and says why
    assert first.locator("a").inner_text() == "Offre test A : maraîchage à Massy"
    why = first.locator("ul.why").inner_text()
    assert "compétence identique : Maraîchage" in why and "même commune : Massy" in why
    assert "périodes qui se recouvrent du 1er au 30 mai 2026" in why
    names = [offers.nth(i).locator("a").inner_text() for i in range(offers.count())]
    assert "Offre test X : permaculture à Massy" not in names  # a sibling competence
    assert "Offre test E : maraîchage et jardinage à Massy" in names  # broader, ranked lower
    assert names.index("Offre test E : maraîchage et jardinage à Massy") > names.index("Offre test A : maraîchage à Massy")
    actors = block.locator("ol[data-kind=actor] > li.match a")
    assert "Ferme test de Palaiseau" in [actors.nth(i).inner_text() for i in range(actors.count())]
    # the JSON API gives the same ranking
    api = page.request.get(f"{url}/api/matches{path[3:]}").json()
    assert [o["label"] for o in api["offers"]] == names
    # the poster marks it fulfilled
    page.click("form.mark-fulfilled button[type=submit]")
    page.wait_for_url(f"{url}{path}")
    assert "Pourvu" in page.locator("section.entity-matches").inner_text()
    context.close()
