"""The agenda: pages by month, filters, iCalendar files and feeds (test client and live HTTP)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import icalendar
import pyoxigraph as ox
import pytest
import requests

import agenda_scenario as scenario
from app import create_app
from app.agenda import today
from oscartes_kg import agenda, bootstrap
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

EVENT = scenario.ID + "event/"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("agenda")
    with open_store(data=folder / "kb") as store:
        bootstrap.init_store(store, demo=True)
        scenario.load(store, folder, today())
    app = create_app(Settings(data=folder / "kb"))
    yield app
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


@pytest.fixture
def client(site):
    return site.test_client()


def page(client, url: str) -> str:
    answer = client.get(url, headers={"Accept": "text/html"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def parse_calendar(body: bytes) -> icalendar.Calendar:
    """Parse an iCalendar text and check what RFC 5545 requires of it and of every event."""
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in event, required
    for vevent in calendar.walk("VEVENT"):
        start = vevent.decoded("DTSTART")
        if isinstance(start, datetime):  # a TZID needs its VTIMEZONE (RFC 5545 §3.2.19)
            assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
            assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    return calendar


def events_of(calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_agenda_upcoming_lists_events_by_month_soonest_first(client):
    text = page(client, "/agenda")
    order = [text.index(label) for label in ("Exposition en cours", "Atelier de réparation",
                                             "Marché &lt;script&gt;", "Forum des associations")]
    assert order == sorted(order)
    assert "En cours" in text  # the exhibition started before today
    workshop = today() + timedelta(days=10)
    french = ("janvier février mars avril mai juin juillet août septembre octobre novembre "
              "décembre").split()[workshop.month - 1]
    assert f"<h2>{french.capitalize()} {workshop.year}</h2>" in text
    assert 'href="/id/event/atelier-reparation"' in text
    assert 'href="/id/event/atelier-reparation.ics"' in text
    assert "Disco soupe passée" not in text and "Fête des possibles" not in text


def test_agenda_upcoming_in_english(client):
    text = page(client, "/agenda?lang=en")
    assert "Repair workshop" in text and "Upcoming" in text and "Add to my calendar" in text
    workshop = today() + timedelta(days=10)
    assert f"<h2>{workshop:%B} {workshop.year}</h2>" in text


def test_agenda_past_lists_demo_events_latest_first(client):
    text = page(client, "/agenda/past")
    # "2021" counts up to December 2021, so it ended after May 2021
    order = [text.index(label) for label in ("Disco soupe passée", "<h2>2021</h2>",
                                             "Fête des possibles 2021", "<h2>Mai 2021</h2>",
                                             "Le mois de la relocalisation alimentaire à Massy")]
    assert order == sorted(order)
    assert "Atelier de réparation" not in text


def test_agenda_theme_filter_follows_the_hierarchy(client):
    # amap is narrower than circuits-courts, itself narrower than alimentation
    text = page(client, f"/agenda?theme={scenario.ALIMENTATION}")
    assert "Atelier de réparation" in text
    assert "Marché" not in text and "Forum des associations" not in text
    past = page(client, f"/agenda/past?theme={scenario.ALIMENTATION}")
    assert "Disco soupe passée" in past and "relocalisation alimentaire à Massy" in past
    assert "Fête des possibles" not in past


def test_agenda_commune_and_theme_filters_combine(client):
    text = page(client, f"/agenda?commune={scenario.PALAISEAU}")
    assert "Atelier de réparation" in text and "Exposition en cours" in text
    assert "Marché" not in text
    both = page(client, f"/agenda?commune={scenario.PALAISEAU}&theme={scenario.AMAP}")
    assert "Atelier de réparation" in both and "Exposition en cours" not in both
    none = page(client, f"/agenda?commune={scenario.MASSY}&theme={scenario.AMAP}")
    assert "Aucun événement à venir" in none


def test_agenda_private_events_never_appear(client):
    for url in ("/agenda", f"/agenda?theme={scenario.AMAP}", f"/agenda?commune={scenario.PALAISEAU}",
                "/agenda/past", "/agenda.ics", f"/agenda.ics?theme={scenario.AMAP}"):
        assert "secret" not in client.get(url).get_data(as_text=True).lower()
    assert client.get("/id/event/evenement-secret.ics").status_code == 404


def test_agenda_escapes_labels(client):
    text = page(client, "/agenda")
    assert "<script>alert" not in text and "Marché &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; bio" in text


@pytest.mark.parametrize("url", ["/agenda?theme=https://example.org/not-a-theme",
                                 "/agenda?commune=%3Cscript%3E", "/agenda?since=2026-13",
                                 "/agenda?since=2026-02-30", "/agenda/past?before=yesterday"])
def test_agenda_bad_filters_are_refused(client, url):
    answer = client.get(url, headers={"Accept": "text/html"})
    assert answer.status_code == 400
    assert "<script>" not in answer.get_data(as_text=True)


def test_agenda_ics_feed_is_valid_and_complete(client):
    answer = client.get("/agenda.ics")
    assert answer.mimetype == "text/calendar"
    found = events_of(parse_calendar(answer.data))
    assert set(found) >= {EVENT + name for name in ("atelier-reparation", "marche-bio", "forum-du-mois",
                                                    "en-cours", "disco-soupe-passee",
                                                    "fete-des-possibles-2021")}
    workshop = found[EVENT + "atelier-reparation"]
    start = workshop.decoded("DTSTART")
    assert start.tzinfo.key == "Europe/Paris"
    day = today() + timedelta(days=10)
    assert start.astimezone(timezone.utc) == datetime(day.year, day.month, day.day, 13, 0, tzinfo=timezone.utc)
    assert workshop.decoded("DTEND") - start == timedelta(hours=3, minutes=30)
    assert str(workshop["SUMMARY"]) == "Atelier de réparation"
    assert str(workshop["LOCATION"]) == "Palaiseau"
    assert str(workshop["URL"]) == "https://example.org/atelier"
    assert "Réparer ensemble" in str(workshop["DESCRIPTION"]) and "PôleS NOE" in str(workshop["DESCRIPTION"])
    # Dates without a time are whole days; a month is all that month, a year all that year.
    assert found[EVENT + "en-cours"].decoded("DTSTART") == today() - timedelta(days=5)
    assert found[EVENT + "en-cours"].decoded("DTEND") == today() + timedelta(days=6)
    massy = found[EVENT + "mois-de-la-relocalisation-alimentaire-a-massy"]
    assert (massy.decoded("DTSTART"), massy.decoded("DTEND")) == (date(2021, 5, 1), date(2021, 6, 1))
    fete = found[EVENT + "fete-des-possibles-2021"]
    assert (fete.decoded("DTSTART"), fete.decoded("DTEND")) == (date(2021, 1, 1), date(2022, 1, 1))


def test_agenda_ics_filtered_feeds(client):
    by_theme = events_of(parse_calendar(client.get(f"/agenda.ics?theme={scenario.ALIMENTATION}").data))
    assert set(by_theme) == {EVENT + "atelier-reparation", EVENT + "disco-soupe-passee",
                             EVENT + "mois-de-la-relocalisation-alimentaire-a-massy"}
    by_commune = events_of(parse_calendar(client.get(f"/agenda.ics?commune={scenario.MASSY}").data))
    assert set(by_commune) == {EVENT + "marche-bio",
                               EVENT + "mois-de-la-relocalisation-alimentaire-a-massy"}


def test_agenda_event_ics_is_one_event_to_download(client):
    answer = client.get("/id/event/marche-bio.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="marche-bio.ics"'
    (event,) = parse_calendar(answer.data).walk("VEVENT")
    assert str(event["UID"]) == EVENT + "marche-bio"
    assert str(event["SUMMARY"]) == scenario.HOSTILE  # text, escaped by icalendar, read back intact
    assert event.decoded("DTSTART") == today() + timedelta(days=40)


@pytest.mark.parametrize("slug", ["inconnu", "Bad_Slug"])
def test_agenda_event_ics_unknown_or_bad(client, slug):
    assert client.get(f"/id/event/{slug}.ics").status_code in (400, 404)


def test_agenda_past_pages_by_whole_months(site):
    """With more events than a page holds, a page ends at a month boundary and the next page
    starts with that month: nothing is skipped, nothing repeated."""
    store = site.extensions["oscartes_store"]
    every = agenda.past(store, before=today(), limit=100)
    assert [e.label for e in every.events][:2] == ["Disco soupe passée", "ESS Initiatives 2021"]
    assert every.next_page is None
    first = agenda.past(store, before=today(), limit=2)
    # the three "2021" events count up to December 2021: a page of two stops before that month
    assert [e.label for e in first.events] == ["Disco soupe passée"]
    assert first.next_page == "2022-01"
    rest = agenda.past(store, before=date.fromisoformat(first.next_page + "-01"), limit=100)
    assert [e.iri for e in first.events + rest.events] == [e.iri for e in every.events]


def test_agenda_upcoming_pages_by_whole_months(site):
    store = site.extensions["oscartes_store"]
    every = agenda.upcoming(store, since=today(), limit=100)
    assert [e.label for e in every.events][:2] == ["Exposition en cours", "Atelier de réparation"]
    first = agenda.upcoming(store, since=today(), limit=2)
    assert first.events and first.next_page is not None
    assert [e.iri for e in first.events] == [e.iri for e in every.events[:len(first.events)]]
    assert [e.label for e in first.events] == ["Exposition en cours", "Atelier de réparation"]
    assert first.next_page == (today() + timedelta(days=40)).isoformat()  # the market's day
    rest = agenda.upcoming(store, since=date.fromisoformat(first.next_page), limit=100)
    # events still going on when the next page starts are shown again there, as "ongoing"
    starting = [e.iri for e in rest.events if e.start.value[:10] >= first.next_page[:len(e.start.value[:10])]]
    assert starting == [e.iri for e in every.events[len(first.events):]]


def test_agenda_more_events_in_one_day_than_a_page_still_moves_on():
    day = ox.Literal("2027-03-04", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    ordered = [(f"urn:e{n}", (day, None)) for n in range(3)]
    kept, following = agenda._cut_upcoming(ordered, 2)
    assert [iri for iri, _ in kept] == ["urn:e0", "urn:e1"] and following == "2027-03-05"
    kept, before = agenda._cut_past(ordered, 2)
    assert len(kept) == 2 and before == "2027-03-04"


def test_agenda_next_page_link(client):
    text = page(client, "/agenda/past")
    assert "Événements plus anciens" not in text  # everything fits on one page


# -- over live HTTP ------------------------------------------------------------------------

def test_agenda_ics_downloads_over_http(site, live_server):
    url = live_server(site)
    feed = requests.get(url + "/agenda.ics", timeout=30)
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    assert EVENT + "atelier-reparation" in events_of(parse_calendar(feed.content))
    one = requests.get(url + "/id/event/atelier-reparation.ics", timeout=30)
    assert one.status_code == 200 and "attachment" in one.headers["Content-Disposition"]
    assert list(events_of(parse_calendar(one.content))) == [EVENT + "atelier-reparation"]


def test_agenda_same_listing_on_both_backends(any_store, tmp_path):
    bootstrap.init_store(any_store, demo=True)
    scenario.load(any_store, tmp_path, today())
    upcoming = agenda.upcoming(any_store, since=today(), theme=ox.NamedNode(scenario.ALIMENTATION))
    assert [e.label for e in upcoming.events] == ["Atelier de réparation"]
    assert upcoming.events[0].commune == (scenario.PALAISEAU, "Palaiseau")
    past = agenda.past(any_store, before=today(), commune=ox.NamedNode(scenario.PALAISEAU))
    assert [e.label for e in past.events] == ["Disco soupe passée"]
    everything = agenda.upcoming(any_store, since=today())
    assert "Événement secret" not in [e.label for e in everything.events]
