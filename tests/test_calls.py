"""The shared watch: open calls by deadline, the archive, the Atom feeds of calls and initiatives."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest

import agenda_scenario as scenario
from app import create_app
from app.agenda import today
from oscartes_kg import bootstrap
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

ATOM = "{http://www.w3.org/2005/Atom}"
CALL = scenario.ID + "call/"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calls")
    with open_store(data=folder / "kb") as store:
        bootstrap.init_store(store, demo=True)
        scenario.load(store, folder, today())
    app = create_app(Settings(data=folder / "kb"))
    yield app.test_client()
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def page(client, url: str) -> str:
    answer = client.get(url, headers={"Accept": "text/html"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def parse_atom(body: bytes) -> ET.Element:
    """Parse an Atom feed and check the elements RFC 4287 requires of it and its entries."""
    feed = ET.fromstring(body)
    assert feed.tag == ATOM + "feed"
    for required in ("id", "title", "updated"):
        assert feed.find(ATOM + required).text, required
    assert feed.find(ATOM + "author/" + ATOM + "name").text
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").startswith("http")
    for entry in feed.iter(ATOM + "entry"):
        for required in ("id", "title", "updated"):
            assert entry.find(ATOM + required).text, required
        datetime.fromisoformat(entry.find(ATOM + "updated").text)  # RFC 3339
        assert entry.find(ATOM + "link").get("href").startswith("http://localhost/id/")
    return feed


def entries(feed: ET.Element) -> list[ET.Element]:
    return list(feed.iter(ATOM + "entry"))


def test_calls_open_ordered_by_deadline_with_funder_themes_territories(client):
    text = page(client, "/calls")
    assert text.index("Climat : fonds d&#39;urgence") < text.index("Alimentation locale")
    assert 'href="/id/call/alimentation-locale"' in text
    assert 'href="/id/organisation/poles-noe">PôleS NOE</a>' in text
    assert ">AMAP</a>" in text and ">Palaiseau</a>" in text
    assert 'href="https://example.org/appel-alimentation"' in text
    deadline = today() + timedelta(days=5)
    assert f'<time datetime="{deadline.isoformat()}">' in text
    assert "Appel clos" not in text and "Appel secret" not in text


def test_calls_archive_holds_closed_calls(client):
    text = page(client, "/calls/archive")
    assert "Appel clos" in text and "Alimentation locale" not in text and "secret" not in text.lower()


def test_calls_theme_filter_matches_broader_and_narrower(client):
    broader = page(client, f"/calls?theme={scenario.ALIMENTATION}")  # amap is narrower
    assert "Alimentation locale" in broader and "Climat" not in broader.split("<h1>")[1].split("<select")[0]
    assert "fonds d&#39;urgence" not in broader
    narrower = page(client, f"/calls?theme={scenario.ID}theme/reduction-emissions")  # under climat
    assert "fonds d&#39;urgence" in narrower and "Alimentation locale" not in narrower


def test_calls_in_english(client):
    text = page(client, "/calls?lang=en")
    assert "Open calls for projects" in text and "Deadline:" in text and "Funder:" in text


def test_calls_bad_theme_is_refused(client):
    assert client.get("/calls?theme=javascript:alert(1)").status_code == 400


def test_calls_atom_feed(client):
    answer = client.get("/calls.atom")
    assert answer.mimetype == "application/atom+xml"
    feed = parse_atom(answer.data)
    ids = [entry.find(ATOM + "id").text for entry in entries(feed)]
    assert ids == [CALL + "climat-urgent", CALL + "alimentation-locale"]  # nearest deadline first
    food = entries(feed)[1]
    assert food.find(ATOM + "title").text == "Alimentation locale"
    assert food.find(ATOM + "link").get("href") == "http://localhost/id/call/alimentation-locale"
    modified = today() - timedelta(days=2)  # dcterms:modified of the call
    assert food.find(ATOM + "updated").text == f"{modified.isoformat()}T09:00:00+01:00"
    assert "PôleS NOE" in food.find(ATOM + "summary").text
    assert feed.find(ATOM + "updated").text >= food.find(ATOM + "updated").text[:10]


def test_calls_atom_feed_filtered_by_theme(client):
    feed = parse_atom(client.get(f"/calls.atom?theme={scenario.AMAP}").data)
    assert [e.find(ATOM + "id").text for e in entries(feed)] == [CALL + "alimentation-locale"]


def test_initiatives_atom_feed_latest_first(client):
    feed = parse_atom(client.get("/initiatives.atom").data)
    found = entries(feed)
    assert found, "the demo holds initiatives"
    stamps = [e.find(ATOM + "updated").text for e in found]
    assert all(stamps)
    ids = [e.find(ATOM + "id").text for e in found]
    assert scenario.ID + "initiative/agissons-pour-le-climat" in ids
    assert len(ids) == len(set(ids))
    assert "private" not in client.get("/initiatives.atom").get_data(as_text=True)


def test_calls_same_listing_on_both_backends(any_store, tmp_path):
    from oscartes_kg import calls

    bootstrap.init_store(any_store, demo=True)
    scenario.load(any_store, tmp_path, today())
    found = calls.open_calls(any_store, today=today())
    assert [c.label for c in found] == ["Climat : fonds d'urgence", "Alimentation locale"]
    assert found[1].funder == (scenario.ID + "organisation/poles-noe", "PôleS NOE")
    assert [c.label for c in calls.closed_calls(any_store, today=today())] == ["Appel clos"]
