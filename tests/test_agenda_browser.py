"""The agenda in a real headless Chromium (Debian's, driven by playwright): filter by theme,
click an event's "add to my calendar" link, and the download is a valid .ics file."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import pytest

import agenda_scenario as scenario
from app import create_app
from app.agenda import today
from oscartes_kg import bootstrap
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory, module_live_server):
    """The app on the demo data and the dated scenario, over HTTP on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("agenda-browser")
    with open_store(data=folder / "kb") as store:
        bootstrap.init_store(store, demo=True)
        scenario.load(store, folder, today())
    app = create_app(Settings(data=folder / "kb"))
    yield module_live_server(app)
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def test_agenda_browser_filter_then_download_an_event_ics(browser, site):
    ARTIFACTS.mkdir(exist_ok=True)
    # A phone-width screen, without JavaScript: the agenda is plain HTML and forms.
    context = browser.new_context(accept_downloads=True, java_script_enabled=False, locale="fr-FR",
                                  viewport={"width": 390, "height": 844})
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = context.new_page()
        page.goto(site + "/agenda")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.get_by_role("heading", level=1).inner_text() == "Agenda partagé"
        page.get_by_label("Thème", exact=True).select_option(scenario.ALIMENTATION)
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url("**/agenda?theme=*")
        titles = page.locator(".agenda-event h3").all_inner_texts()
        assert titles == ["Atelier de réparation"]
        page.screenshot(path=str(ARTIFACTS / "agenda-filtered-phone.png"), full_page=True)

        link = page.get_by_role("link", name="Ajouter à mon agenda (.ics) : Atelier de réparation")
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == "atelier-reparation.ics"
        saved = ARTIFACTS / "atelier-reparation.ics"
        download.save_as(saved)
        calendar = icalendar.Calendar.from_ical(saved.read_bytes())
        assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == scenario.ID + "event/atelier-reparation"
        assert "DTSTAMP" in event and event.decoded("DTSTART").tzinfo.key == "Europe/Paris"
    finally:
        context.close()
    own = urlsplit(site).netloc
    assert [url for url in requested if urlsplit(url).netloc != own] == []


def test_agenda_browser_past_events_in_english(browser, site):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site + "/agenda?lang=en")
        page.get_by_role("link", name="Past", exact=True).click()
        page.wait_for_url("**/agenda/past*")
        assert page.get_by_role("heading", level=1).inner_text() == "Past events"
        assert page.get_by_role("heading", name="May 2021").is_visible()
        page.screenshot(path=str(ARTIFACTS / "agenda-past-en.png"), full_page=True)
    finally:
        context.close()
