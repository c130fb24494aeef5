"""Entity pages show owl:sameAs links grouped by where they point (issue 6 §2): Wikidata as
« Wikidata (Q123) », other maps by host name, our own entries by their labels, both directions."""
from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from duplicates_scenario import a, import_both
from web_helpers import site

from oscartes_kg import changes, duplicates
from oscartes_kg.duplicates import IDENTITY

SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
POLES = "https://w3id.org/oscartes/id/organisation/poles-noe"


@pytest.fixture
def app_store(tmp_path):
    with site(tmp_path) as (app, _):
        store = app.extensions["oscartes_store"]
        import_both(store, tmp_path)
        yield app, store


def same_as_section(html: str) -> str:
    found = re.search(r'<dl class="same-as" id="same-as">(.*?)</dl>', html, re.S)
    assert found, "no same-as section"
    return found.group(1)


def test_same_as_links_are_grouped_by_where_they_point(app_store):
    app, store = app_store
    node = ox.NamedNode(POLES)
    changes.apply(store, changes.Change(added=[
        ox.Quad(node, SAME_AS, ox.NamedNode("http://www.wikidata.org/entity/Q4115189"), IDENTITY),
        ox.Quad(node, SAME_AS, ox.NamedNode("https://www.karte.example.net/entry/42"), IDENTITY)],
        targets={IDENTITY}), role="curator")
    duplicates.decide(store, "link", a("a1"), POLES, role="curator")   # stated on the other side
    html = app.test_client().get("/id/organisation/poles-noe").text
    section = same_as_section(html)
    assert '<a href="http://www.wikidata.org/entity/Q4115189" rel="external noopener">Wikidata (Q4115189)</a>' in section
    assert "<dt>karte.example.net</dt>" in section
    assert "<dt>Dans cette base</dt>" in section
    assert '<a href="/id/organisation/carte-a-a1" rel="alternate">Association Pôles NOÉ</a>' in section
    assert section.index("Wikidata") < section.index("karte.example.net") < section.index("Dans cette base")
    english = app.test_client().get("/id/organisation/poles-noe?lang=en").text
    assert "<dt>In this knowledge base</dt>" in same_as_section(english)


def test_a_page_without_same_as_has_no_section(app_store):
    app, _ = app_store
    assert 'id="same-as"' not in app.test_client().get("/id/organisation/odass").text
