"""/ontology and /ontology/thesauri: every term documented with an anchor, domains and ranges,
SKOS trees, French and English, and the RDF of each graph by Accept or extension."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from app import create_app
from oscartes_kg import bootstrap, graphs
from oscartes_kg.config import Settings
from oscartes_kg.namespaces import vocabulary_terms
from oscartes_kg.store import open_store

FORMATS = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
           "nt": ("application/n-triples", "nt"), "rdf": ("application/rdf+xml", "xml")}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("ontology") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
    app = create_app(Settings(data=data))
    yield app
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def page(site, path: str) -> str:
    answer = site.test_client().get(path, headers={"Accept": "text/html"})
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert "Accept" in answer.headers["Vary"]
    return answer.get_data(as_text=True)


def section(text: str, anchor: str) -> str:
    """The HTML of one term's section."""
    start = text.index(f'id="{anchor}"')
    return text[start:text.index("</section>", start)]


def test_every_vocabulary_term_has_an_anchor(site):
    text = page(site, "/ontology")
    ids = set(re.findall(r'id="([^"]+)"', text))
    missing = [name for name in vocabulary_terms() if name not in ids]
    assert missing == []


def test_class_section_lists_its_properties_and_parents(site):
    text = page(site, "/ontology")
    event = section(text, "Event")
    assert "Événement" in event and 'href="/ontology#Actor"' not in event
    initiative = section(text, "Initiative")
    assert 'href="/ontology#carriedBy"' in initiative and "portée par" in initiative
    organisation = section(text, "Organisation")
    assert 'href="/ontology#Actor"' in organisation  # subclass of


def test_property_section_gives_domain_and_range(site):
    carried = section(page(site, "/ontology"), "carriedBy")
    assert "Domaine" in carried and 'href="/ontology#Initiative"' in carried
    assert 'href="/ontology#Actor"' in carried


def test_external_terms_have_anchors_entity_pages_link_to(site):
    text = page(site, "/ontology")
    for anchor in ("schema-startDate", "schema-organizer", "skos-broader", "skos-Concept", "org-memberOf"):
        assert f'id="{anchor}"' in text, anchor
    entity = page(site, "/id/event/mois-de-la-relocalisation-alimentaire-a-massy")
    for anchor in re.findall(r'href="/ontology#([^"]+)"', entity):
        assert f'id="{anchor}"' in text, anchor


def test_english_page(site):
    text = page(site, "/ontology?lang=en")
    assert "OSCARTES vocabulary" in text and "Domain" in section(text, "carriedBy")
    assert "carried by" in section(text, "carriedBy")


class Depths(HTMLParser):
    """The list depth (<ul> nesting) of every link of a page."""

    def __init__(self):
        super().__init__()
        self.depth, self.links = 0, {}

    def handle_starttag(self, tag, attrs):
        self.depth += tag == "ul"
        if tag == "a":
            self.links.setdefault(dict(attrs).get("href"), self.depth)

    def handle_endtag(self, tag):
        self.depth -= tag == "ul"


def test_thesauri_are_nested_lists_linking_to_concept_pages(site):
    text = page(site, "/ontology/thesauri")
    themes = text[text.index('id="scheme-themes"'):]
    parser = Depths()
    parser.feed(themes[:themes.index("</section>")])
    depth = parser.links
    assert depth["/id/theme/climat"] == 1  # a top concept
    assert depth["/id/theme/reduction-emissions"] == 2  # narrower: one list deeper
    assert depth["/id/theme/agriculture-biologique"] == 3  # under agriculture paysanne
    for scheme in ("themes", "competences", "charter-criteria", "actor-statuses", "need-offer-kinds"):
        assert f'id="scheme-{scheme}"' in text
    assert "Food" in page(site, "/ontology/thesauri?lang=en")


@pytest.mark.parametrize("path, graph", [("/ontology", graphs.ONTOLOGY),
                                         ("/ontology/thesauri", graphs.THESAURI)])
def test_rdf_by_accept_and_extension_is_the_graph(site, path, graph):
    client = site.test_client()
    with site.app_context():
        store = site.extensions["oscartes_store"]
        expected = Graph().parse(data=ox.serialize([q.triple for q in store.quads(graph=graph)],
                                                   format=ox.RdfFormat.N_TRIPLES), format="nt")
    for ext, (media, name) in FORMATS.items():
        negotiated = client.get(path, headers={"Accept": media})
        assert negotiated.status_code == 200 and negotiated.mimetype == media
        assert "Accept" in negotiated.headers["Vary"]
        document = client.get(f"{path}.{ext}")
        assert document.mimetype == media and document.data == negotiated.data
        assert isomorphic(Graph().parse(data=document.data, format=name), expected), ext


def test_unknown_extension_is_404(site):
    assert site.test_client().get("/ontology.exe").status_code == 404
