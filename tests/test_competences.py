"""The competence directory (issue 7 §3) on the matching scenario: counts by the thesaurus
hierarchy, holders of a competence and its narrower ones, persons only with consent, pages."""
from __future__ import annotations

import pytest

from oscartes_kg import competence_directory as directory
from oscartes_kg import matching_index as mi
from oscartes_kg.errors import NotFound
from test_matching import scenario_store  # noqa: F401 - fixture
from test_matching_app import web  # noqa: F401 - fixture

ID = "https://w3id.org/oscartes/id/"


def _find(nodes, slug):
    for node in nodes:
        if node.slug == slug:
            return node
        found = _find(node.children, slug)
        if found:
            return found
    return None


def test_competences_tree_counts_holders_of_narrower_ones(scenario_store):  # noqa: F811
    nodes = directory.tree(mi.index(scenario_store))
    top = _find(nodes, "maraichage-jardinage")
    assert top in nodes  # a top concept
    assert [c.slug for c in top.children] == ["maraichage", "permaculture"]
    # 3 hold « Maraîchage » (a person with consent among them), 1 the broader one; the person
    # whose consent was withdrawn and the private proposal do not count
    assert (top.count, top.children[0].count, top.children[1].count) == (4, 3, 0)
    assert top.en == "Market gardening and gardening"


def test_competences_page_lists_holders_with_pages(scenario_store):  # noqa: F811
    first = directory.page(scenario_store, "maraichage-jardinage", 1, size=3)
    assert (first.total, first.pages) == (4, 2)
    assert [h.iri for h in first.holders] == [ID + "organisation/test-ferme-palaiseau",
                                              ID + "organisation/test-jardin-massy",
                                              ID + "organisation/test-jardiniers-massy"]
    assert first.holders[0].label == "Ferme test de Palaiseau"
    second = directory.page(scenario_store, "maraichage-jardinage", 2, size=3)
    assert [(h.iri, h.person) for h in second.holders] == [(ID + "person/test-camille", True)]
    with pytest.raises(NotFound):
        directory.page(scenario_store, "maraichage-jardinage", 3, size=3)
    with pytest.raises(NotFound):
        directory.page(scenario_store, "pas-une-competence")


def test_competences_pages_on_the_web(web):  # noqa: F811
    client = web[0].test_client()
    home = client.get("/competences?lang=fr").get_data(as_text=True)
    assert '<a href="/competences">Compétences</a>' in home or 'href="/competences" aria-current="page"' in home
    assert '<a href="/competences/maraichage-jardinage">Maraîchage et jardinage</a>' in home
    assert '<a href="/competences/maraichage">Maraîchage</a>' in home
    page = client.get("/competences/maraichage").get_data(as_text=True)
    assert 'href="/id/organisation/test-ferme-palaiseau"' in page and 'href="/id/person/test-camille"' in page
    assert "test-dominique" not in page and "test-privee" not in page
    assert "3 acteurs" in page and 'href="/competences/maraichage-jardinage"' in page
    english = client.get("/competences/maraichage?lang=en").get_data(as_text=True)
    assert "<h1>Market gardening</h1>" in english and "3 actors" in english
    data = client.get("/competences.json").get_json()
    top = next(n for n in data["competences"] if n["slug"] == "maraichage-jardinage")
    assert top["count"] == 4 and top["narrower"][0]["label"]["en"] == "Market gardening"
    listed = client.get("/competences/maraichage.json").get_json()
    assert listed["total"] == 3 and listed["holders"][0]["href"] == "/id/organisation/test-ferme-palaiseau"
    assert client.get("/competences/inconnue").status_code == 404
    assert client.get("/competences/maraichage?page=x").status_code == 400
