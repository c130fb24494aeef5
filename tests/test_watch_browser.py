"""Subscribing to a watch feed in a real headless Chromium (issue 7 section 7): choose a search
on /watch with the form, follow the page's « S'abonner au flux Atom » link, and the feed it
offers parses as Atom and lists what the search finds."""
from __future__ import annotations

import requests
from lxml import etree

from app import create_app
from oscartes_kg import bootstrap
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def test_subscribe_to_a_search_feed(browser, tmp_path, live_server):
    with open_store(data=tmp_path / "kb") as store:
        bootstrap.init_store(store, demo=True)
    app = create_app(Settings(data=tmp_path / "kb"))
    try:
        url = live_server(app)
        page = browser.new_page(locale="fr-FR")
        page.goto(f"{url}/watch")
        page.fill("#watch-q", "fête des possibles")
        page.select_option("#watch-kind", "event")
        page.click("text=Choisir cette recherche")
        assert "kind=event" in page.url
        # The page advertises the feed to readers (<link rel=alternate>) and offers it as a link.
        advertised = page.get_attribute('link[rel="alternate"][type="application/atom+xml"]', "href")
        offered = page.get_attribute("a.feed-link", "href")
        assert advertised == offered and offered.startswith("/watch/feed.atom?")
        answer = requests.get(url + offered, timeout=30)
        assert answer.headers["Content-Type"].startswith("application/atom+xml")
        feed = etree.fromstring(answer.content)
        assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
        titles = [e.findtext("a:title", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
        assert titles == ["Fête des possibles 2021"]
        entry_link = feed.find("a:entry/a:link", ATOM).get("href")
        assert entry_link.startswith(url + "/id/event/")
        page.goto(entry_link)
        assert "Fête des possibles 2021" in page.title()
        page.close()
    finally:
        app.extensions["oscartes_runner"].shutdown()
        app.extensions["oscartes_store"].close()
