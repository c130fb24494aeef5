"""The watch's pages: a search's Atom feed, saving searches, deleting them, unsubscribing."""
from __future__ import annotations

import re

import pytest
from lxml import etree

from oscartes_kg import watch
from web_helpers import csrf_from, log_in, site

ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def app_and_accounts(tmp_path):
    with site(tmp_path) as found:
        yield found


def _store(app):
    return app.extensions["oscartes_store"]


def test_feed_of_a_search_lists_matching_entities(app_and_accounts):
    app, _ = app_and_accounts
    client = app.test_client()
    answer = client.get("/watch/feed.atom?q=fete+des+possibles&kind=event")
    assert answer.status_code == 200 and answer.mimetype == "application/atom+xml"
    feed = etree.fromstring(answer.data)
    assert feed.findtext("a:title", namespaces=ATOM).startswith("OSCARTES — veille : ")
    titles = [e.findtext("a:title", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
    assert titles == ["Fête des possibles 2021"]
    link = feed.find("a:entry/a:link", ATOM).get("href")
    assert link.startswith("http://localhost/id/event/")
    none = etree.fromstring(client.get("/watch/feed.atom?q=zzzyxw").data)
    assert none.findall("a:entry", ATOM) == []
    assert client.get("/watch/feed.atom?kind=spaceship").status_code == 400


def test_anonymous_page_offers_the_feed_and_a_login(app_and_accounts):
    app, _ = app_and_accounts
    page = app.test_client().get("/watch?q=jardin&kind=initiative").text
    assert 'type="application/atom+xml" href="/watch/feed.atom?q=jardin&amp;kind=initiative"' in page
    assert "S&#39;abonner au flux Atom" in page or "S'abonner au flux Atom" in page
    assert "Connectez-vous" in page and "Mes veilles" in page


def test_save_list_delete_and_privacy(app_and_accounts):
    app, accounts = app_and_accounts
    client = app.test_client()
    log_in(client, "cura@example.org")
    page = client.get("/watch?q=jardin").text
    answer = client.post("/watch", data={"csrf_token": csrf_from(page.split('class="watch-save"')[1]),
                                         "q": "jardin", "name": "Ma veille jardins 42", "digest": "1",
                                         "email": "cura@example.org"})
    assert answer.status_code == 303
    page = client.get("/watch").text
    assert "Ma veille jardins 42" in page and "courriel à cura@example.org" in page
    saved, = watch.saved_by(_store(app), accounts["cura@example.org"])
    # Another user neither sees nor deletes it.
    other = app.test_client()
    log_in(other, "contrib")
    other_page = other.get("/watch").text
    assert "Ma veille jardins 42" not in other_page
    token = re.search(r'name="csrf_token" value="([^"]+)"', other_page).group(1)
    assert other.post(f"/watch/{saved.id}/delete", data={"csrf_token": token}).status_code == 404
    # Nor does anyone through SPARQL, anonymous or curator.
    query = "SELECT * WHERE { GRAPH ?g { ?s <http://schema.org/email> ?m } }"
    for headers in ({}, ):
        rows = app.test_client().get("/sparql", query_string={"query": query},
                                     headers={"Accept": "application/sparql-results+json", **headers})
        assert "cura@example.org" not in rows.text
    # A bad e-mail is refused with the form kept.
    refused = client.post("/watch", data={"csrf_token": csrf_from(page.split('class="watch-save"')[1]),
                                          "q": "vélo", "name": "Vélo", "digest": "1", "email": "pas une adresse"})
    assert refused.status_code == 422 and "adresse électronique invalide" in refused.text
    token = csrf_from(page.split('class="watch-list"')[1])
    assert client.post(f"/watch/{saved.id}/delete", data={"csrf_token": token}).status_code == 303
    assert watch.saved_by(_store(app), accounts["cura@example.org"]) == []


def test_unsubscribe_link_asks_then_stops_the_digest(app_and_accounts):
    app, accounts = app_and_accounts
    store = _store(app)
    saved = watch.save(store, accounts["contrib"], "Vélo", watch.parse_query([("q", "vélo")]),
                       email="contrib@example.org")
    client = app.test_client()
    page = client.get(f"/watch/unsubscribe/{saved.token}")
    assert page.status_code == 200 and "Ne plus recevoir de courriel" in page.text
    assert watch.with_digest(store) != []
    # One-click from a mail client (RFC 8058): no cookie, so no CSRF token either.
    done = app.test_client().post(f"/watch/unsubscribe/{saved.token}")
    assert done.status_code == 200 and "Vous ne recevrez plus de courriel" in done.text
    assert watch.with_digest(store) == []
    assert client.get("/watch/unsubscribe/not-a-token").status_code == 404
