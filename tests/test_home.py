"""The home page: counts per kind from the cached statistics, the next events and open calls,
links onwards, French and English, and the site shell every page shares."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from app import create_app
from oscartes_kg import bootstrap, derived, dumps, graphs
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

DATA = Path(__file__).parent / "data" / "entity_pages" / "kinds.trig"
ID = "https://w3id.org/oscartes/id/"
NAV = ["/", "/search", "/map", "/agenda", "/calls", "/queries", "/sparql", "/ontology"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("home") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        store.insert(ox.parse(path=str(DATA), format=ox.RdfFormat.TRIG))
        derived.rebuild(store)
        dumps.stamp_change(store)
    app = create_app(Settings(data=data))
    yield app
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def home(site, query: str = "") -> str:
    answer = site.test_client().get("/" + query, headers={"Accept": "text/html"})
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def count(text: str, kind: str) -> int:
    found = re.search(rf'href="/search\?kind={kind}"><strong>([\d\u202f,]+)</strong>', text)
    return int(re.sub(r"\D", "", found.group(1)))


def test_home_counts_each_kind_with_its_subclasses(site):
    text = home(site)
    # demo: 13 organisations (subclasses included) + 2 in kinds.trig; 5 working groups + committee
    assert count(text, "organisation") == 15
    assert count(text, "event") == 5 and count(text, "initiative") == 1
    assert count(text, "person") == 1  # the consenting person; the private one is not counted
    assert count(text, "commons") == 1 and count(text, "resource") == 1  # a Guide is a resource
    assert count(text, "call") == 1 and count(text, "need") == 1 and count(text, "offer") == 1
    assert count(text, "group") == 6


def test_counts_come_from_the_cache_not_from_each_request(site):
    home(site)  # the counts are made (or already are) for this data version
    store = site.extensions["oscartes_store"]
    extra = ox.Quad(ox.NamedNode(f"{ID}event/ajout-sans-tampon"),
                    ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    ox.NamedNode("https://w3id.org/oscartes/ns#Event"), graphs.CONTRIBUTIONS)
    store.insert([extra])
    try:
        assert count(home(site), "event") == 5  # unchanged until the data version changes
        dumps.stamp_change(store)
        # The page never waits for a recount: the earlier counts show while new ones are made.
        assert count(home(site), "event") in (5, 6)
        deadline = time.monotonic() + 30
        while count(home(site), "event") != 6:
            assert time.monotonic() < deadline, "the counts were not made again"
            time.sleep(0.05)
    finally:
        store.apply([extra], [])
        dumps.stamp_change(store)


def test_next_events_and_open_calls_link_to_their_pages(site):
    text = home(site)
    assert 'href="/id/event/atelier-ouvert-test">Atelier ouvert de printemps</a>' in text
    assert "12 avril 2030" in text
    assert 'href="/id/call/appel-velo-test">Appel à projets mobilités douces</a>' in text
    assert "30 juin 2030" in text
    # events of 2021 are past: not in "upcoming"
    assert "Fête des possibles 2021" not in text


def test_home_links_onwards_and_lists_public_sources_only(site):
    text = home(site)
    for path in ("/search", "/map", "/agenda", "/sparql", "/queries", "/ontology", "/void"):
        assert f'href="{path}"' in text
    assert graphs.DEMO.value in text and graphs.CONTRIBUTIONS.value in text
    assert "private" not in text and "Personne Cachée" not in text


def test_home_in_english(site):
    text = home(site, "?lang=en")
    assert '<html lang="en">' in text and "What the knowledge base holds" in text
    assert "Upcoming events" in text and "April 2030" in text


def test_site_shell_on_every_page(site):
    """Landmarks, skip link, language switch that keeps the page, navigation, footer."""
    client = site.test_client()
    for path in ["/", "/id/organisation/oscartes", "/ontology", "/nowhere-at-all"]:
        answer = client.get(path + "?x=1", headers={"Accept": "text/html"})
        text = answer.get_data(as_text=True)
        assert '<html lang="fr">' in text
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
        assert '<a class="skip-link" href="#contenu">' in text and '<main id="contenu"' in text
        assert "<header" in text and "<nav" in text and "<footer" in text
        assert re.search(r'<form class="site-search" role="search" method="get" action="/search">', text)
        assert '<label for="site-search-q"' in text
        for href in NAV:
            assert f'<a href="{href}"' in text, (path, href)
        assert f'href="{path}?x=1&amp;lang=en"' in text  # the switch keeps the page and its query
        assert "CC BY-SA 4.0" in text and "AGPL-3.0-or-later" in text and 'href="/void"' in text
        loaded = re.findall(r'<(?:script|img)[^>]*\ssrc="([^"]*)"|<link rel="stylesheet" href="([^"]*)"', text)
        assert all(url.startswith("/") for pair in loaded for url in pair if url), loaded
    current = client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<a href="/ontology" aria-current="page">' in current


def test_error_page_is_the_site_page_in_french(site):
    answer = site.test_client().get("/nowhere-at-all", headers={"Accept": "text/html"})
    assert answer.status_code == 404
    text = answer.get_data(as_text=True)
    assert "Page introuvable" in text and 'href="/search"' in text


def test_stylesheet_is_served_by_the_site(site):
    answer = site.test_client().get("/static/site/site.css")
    assert answer.status_code == 200 and b":focus-visible" in answer.data
    answer.close()


def test_next_events_follow_a_data_change(site):
    """The listings are kept per data version: a write (which stamps a change) shows at once."""
    home(site)
    store = site.extensions["oscartes_store"]
    event = ox.NamedNode(f"{ID}event/nouvel-atelier-test")
    added = [ox.Quad(event, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode("https://w3id.org/oscartes/ns#Event"), graphs.CONTRIBUTIONS),
             ox.Quad(event, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     ox.Literal("Nouvel atelier", language="fr"), graphs.CONTRIBUTIONS),
             ox.Quad(event, ox.NamedNode("http://schema.org/startDate"),
                     ox.Literal("2029-03-01", datatype=ox.NamedNode(
                         "http://www.w3.org/2001/XMLSchema#date")), graphs.CONTRIBUTIONS)]
    store.insert(added)
    derived.refresh(store, [event])
    try:
        assert "Nouvel atelier" not in home(site)  # same data version: the kept listing
        dumps.stamp_change(store)
        assert 'href="/id/event/nouvel-atelier-test">Nouvel atelier</a>' in home(site)
    finally:
        store.apply(added, [])
        derived.refresh(store, [event])
        dumps.stamp_change(store)
