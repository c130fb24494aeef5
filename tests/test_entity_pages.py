"""Entity pages /id/<kind>/<slug>: a page for every kind, labels not IRIs, Linked Data content
negotiation, 404s, private data never shown, escaping in HTML and in the embedded JSON-LD."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from app import create_app
from oscartes_kg import bootstrap, graphs
from oscartes_kg.config import Settings
from oscartes_kg.errors import NotFound
from oscartes_kg.store import open_store

DATA = Path(__file__).parent / "data" / "entity_pages" / "kinds.trig"
ID = "https://w3id.org/oscartes/id/"
CONTRIBUTIONS = graphs.CONTRIBUTIONS
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
THEME = ox.NamedNode("https://w3id.org/oscartes/ns#theme")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
MANY = 25  # organisations on one theme: more than a page lists
SCRIPT_LABEL = "</script><script>alert(1)</script> & <b>gras</b>"

#: One resource of every kind: path -> its label.
KINDS = {
    "/id/organisation/oscartes": "OSCARTES",
    "/id/organisation/atelier-velo-test": "Atelier vélo des Ulis",
    "/id/person/camille-test": "Camille Exemple",
    "/id/initiative/agissons-pour-le-climat": "Agissons pour le climat",
    "/id/commons/grainotheque-test": "Grainothèque des Ulis",
    "/id/resource/guide-reparation-test": "Guide de la réparation",
    "/id/event/fete-des-possibles-2021": "Fête des possibles 2021",
    "/id/event/atelier-ouvert-test": "Atelier ouvert de printemps",
    "/id/call/appel-velo-test": "Appel à projets mobilités douces",
    "/id/need/benevoles-test": "Besoin de bénévoles pour l'atelier",
    "/id/offer/local-test": "Offre d'un local partagé",
    "/id/theme/climat": "Climat",
    "/id/competence/reparation-velos": "Réparation de vélos",
    "/id/territory/commune-91692": "Les Ulis",
    "/id/territory/departement-91": "Essonne",
    "/id/group/comite-de-pilotage": "Comité de pilotage d'OSCARTES",
    "/id/group/animation": "Animation",
    "/id/charter/oscartes": "Charte d'OSCARTES",
    "/id/review/agissons-pour-le-climat": "Revue de charte : Agissons pour le climat",
    "/id/criterion/independance": "Indépendance",
    "/id/scheme/themes": "Thèmes de la transition",
}
RDF_FORMATS = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
               "nt": ("application/n-triples", "nt"), "rdf": ("application/rdf+xml", "xml")}


def crowd(theme: str) -> list[ox.Quad]:
    """MANY organisations on one theme, so that its page must cut the list."""
    quads = []
    for i in range(MANY):
        org = ox.NamedNode(f"{ID}organisation/foule-{i:02d}")
        quads += [ox.Quad(org, RDF_TYPE, ox.NamedNode("https://w3id.org/oscartes/ns#Association"),
                          CONTRIBUTIONS),
                  ox.Quad(org, LABEL, ox.Literal(f"Association n° {i:02d}", language="fr"), CONTRIBUTIONS),
                  ox.Quad(org, THEME, ox.NamedNode(f"{ID}theme/{theme}"), CONTRIBUTIONS)]
    return quads


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("entities") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        store.insert(ox.parse(path=str(DATA), format=ox.RdfFormat.TRIG))
        store.insert(crowd("velo"))
    app = create_app(Settings(data=data))
    yield app
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


@pytest.fixture(scope="module")
def client(site):
    return site.test_client()


def html(client, path: str, **headers) -> str:
    answer = client.get(path, headers={"Accept": "text/html", **headers})
    assert answer.status_code == 200, (path, answer.status_code)
    assert answer.content_type.startswith("text/html")
    return answer.get_data(as_text=True)


class Links(HTMLParser):
    """Collect (href, text) of every <a>, the <h1> text and the JSON-LD scripts of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.h1, self.scripts = [], "", []
        self._href = self._tag = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._href, self._text = attrs.get("href"), []
        self._tag = tag if tag in ("h1", "script") else self._tag
        if tag == "script":
            self.scripts.append([attrs.get("type"), ""])

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)
        if self._tag == "h1":
            self.h1 += data
        if self._tag == "script":
            self.scripts[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None
        if tag == self._tag:
            self._tag = None


def parse_page(text: str) -> Links:
    parser = Links()
    parser.feed(text)
    return parser


@pytest.mark.parametrize("path", sorted(KINDS))
def test_every_kind_has_a_page_with_its_label_and_no_raw_iri_as_link_text(client, path):
    page = parse_page(html(client, path))
    assert page.h1.strip() == KINDS[path]
    for href, text in page.links:
        if href.startswith("/id/"):  # a resource of the base with a label is named by it
            assert not text.startswith(("http://", "https://")), (href, text)
            assert text, href
    raw = [text for href, text in page.links if text.startswith(ID) and href != text]
    assert raw == []
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html(client, path)


def test_linked_resources_are_local_links_named_by_their_labels(client):
    page = parse_page(html(client, "/id/event/atelier-ouvert-test"))
    links = dict(page.links)
    assert links["/id/organisation/atelier-velo-test"] == "Atelier vélo des Ulis"
    assert links["/id/territory/commune-91692"] == "Les Ulis"
    # property names in French, linked to their /ontology anchors
    assert links["/ontology#schema-organizer"] == "organisé par"
    assert links["/ontology#commune"] == "commune"
    assert links["/ontology#Event"] == "Événement"
    text = html(client, "/id/event/atelier-ouvert-test")
    assert "12 avril 2030, 14:00" in text  # a date as people read it, not xsd:dateTime


def test_english_page_uses_english_labels(site):
    client = site.test_client()  # its own cookie jar: ?lang=en is remembered
    page = parse_page(html(client, "/id/event/atelier-ouvert-test?lang=en"))
    assert dict(page.links)["/ontology#schema-organizer"] == "organiser"
    text = html(client, "/id/organisation/atelier-velo-test?lang=en")
    assert "A bicycle repair workshop." in text and "Un atelier de réparation" not in text


def test_incoming_links_are_grouped_counted_and_capped(client):
    text = html(client, "/id/organisation/atelier-velo-test")
    page = parse_page(text)
    links = dict(page.links)
    assert links["/id/person/camille-test"] == "Camille Exemple"  # members
    assert links["/id/event/atelier-ouvert-test"] == "Atelier ouvert de printemps"
    assert links["/id/commons/grainotheque-test"] == "Grainothèque des Ulis"
    assert links["/id/need/benevoles-test"] == "Besoin de bénévoles pour l'atelier"
    for heading in ("Membres", "Événements organisés", "Communs gérés", "Besoins et offres publiés",
                    "Œuvres et ressources créées"):
        assert heading in text
    theme = html(client, "/id/theme/velo")
    crowd_links = [href for href, _ in parse_page(theme).links
                   if href.startswith("/id/organisation/foule-")]
    assert len(crowd_links) == 20
    assert f"({MANY})" in theme
    assert 'href="/search?theme=https%3A%2F%2Fw3id.org%2Foscartes%2Fid%2Ftheme%2Fvelo"' in theme


def test_concept_pages_show_the_hierarchy(client):
    links = dict(parse_page(html(client, "/id/theme/climat")).links)
    assert links["/id/theme/reduction-emissions"].startswith("Réduction des émissions")
    assert links["/id/scheme/themes"] == "Thèmes de la transition"
    narrower = dict(parse_page(html(client, "/id/theme/reduction-emissions")).links)
    assert narrower["/id/theme/climat"] == "Climat"
    assert narrower["/ontology#skos-broader"] == "concept plus large"


def test_initiative_page_shows_the_charter_review(client):
    text = html(client, "/id/initiative/agissons-pour-le-climat")
    assert "Revue de la charte" in text and "approuvée" in text and "28 novembre 2026" in text
    links = dict(parse_page(text).links)
    assert links["/id/group/comite-de-pilotage"] == "Comité de pilotage d'OSCARTES"
    for criterion in ("independance", "reponse-crise-systemique", "poursuite-des-communs",
                      "refus-violence-discrimination", "ouverture-partage"):
        assert f"/id/criterion/{criterion}" in links
    assert text.count("✔ affirmé") == 5


def test_map_external_links_provenance_and_documents(client):
    text = html(client, "/id/organisation/atelier-velo-test")
    assert 'data-lat="48.6812"' in text and "vendor/leaflet/leaflet.js" in text
    assert "Latitude 48.68120" in text  # the page without JavaScript still says where
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in text  # map_tile_url
    links = dict(parse_page(text).links)
    assert links["https://www.wikidata.org/wiki/Q1"] == "Wikidata (Q1)"  # issue 6 §2: sameAs grouped by target
    assert "Wikidata" in text and "https://atelier-velo.example.org/" in links
    assert CONTRIBUTIONS.value in text and "CC BY-SA 4.0" in text
    for ext, name in (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML")):
        assert links[f"/id/organisation/atelier-velo-test.{ext}"] == name
    assert "leaflet" not in html(client, "/id/group/animation")  # no coordinates, no map


@pytest.mark.parametrize("path", ["/id/event/fete-des-possibles-2021", "/id/person/camille-test",
                                  "/id/initiative/agissons-pour-le-climat", "/id/theme/climat"])
def test_rdf_documents_parse_and_hold_the_same_triples(client, path):
    parsed = {}
    for ext, (media, rdflib_format) in RDF_FORMATS.items():
        by_extension = client.get(f"{path}.{ext}")
        assert by_extension.status_code == 200 and by_extension.mimetype == media
        by_accept = client.get(path, headers={"Accept": media})
        assert by_accept.status_code == 200 and by_accept.mimetype == media
        assert "Accept" in by_accept.headers["Vary"]
        assert by_accept.data == by_extension.data
        parsed[ext] = Graph().parse(data=by_extension.data, format=rdflib_format)
    assert len(parsed["ttl"]) > 0
    for ext, graph in parsed.items():
        assert isomorphic(graph, parsed["ttl"]), ext
    subject = ox.NamedNode(ID + path.removeprefix("/id/"))
    assert any(str(s) == subject.value for s in parsed["ttl"].subjects())


def test_rdf_document_holds_the_public_triples_and_labels_of_linked_resources(client, site):
    graph = Graph().parse(data=client.get("/id/event/fete-des-possibles-2021.nt").data, format="nt")
    with site.app_context():
        store = site.extensions["oscartes_store"]
        subject = ox.NamedNode(f"{ID}event/fete-des-possibles-2021")
        public = {(q.predicate.value, str(q.object)) for q in store.quads(subject)
                  if graphs.is_public(q.graph_name)}
    got = {(str(p), o.n3()) for s, p, o in graph if str(s) == subject.value}
    assert {(p, o) for p, o in public} == got
    organiser = [str(o) for s, p, o in graph
                 if str(s) == f"{ID}organisation/territoires-en-liens" and str(p).endswith("#label")]
    assert organiser == ["Territoires en liens / Nord-Est Essonne en transition"]


@pytest.mark.parametrize("accept, expected", [
    ("text/html", "text/html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("*/*", "text/html"),
    ("text/turtle", "text/turtle"),
    ("text/turtle;q=0.9, text/html", "text/html"),
    ("text/html;q=0.5, application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/json", "application/ld+json"),
])
def test_content_negotiation(client, accept, expected):
    answer = client.get("/id/organisation/oscartes", headers={"Accept": accept})
    assert answer.status_code == 200 and answer.mimetype == expected
    assert "Accept" in answer.headers["Vary"]


def test_json_document_alias(client):
    answer = client.get("/id/organisation/oscartes.json")
    assert answer.mimetype == "application/ld+json"
    assert any(node.get("@id") == f"{ID}organisation/oscartes" for node in answer.json)


@pytest.mark.parametrize("path", ["/id/organisation/nobody", "/id/nokind/x", "/id/event/a%22b",
                                  "/id/organisation/nobody.ttl", "/id/person/cache-test",
                                  "/id/person/cache-test.ttl", "/id/person/cache-test.jsonld"])
def test_unknown_or_private_only_resources_are_404(client, path):
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.content_type.startswith("text/html")
    assert "Page introuvable" in page.get_data(as_text=True)
    answer = client.get(path, headers={"Accept": "application/json"})
    assert answer.status_code == 404
    assert answer.json["ok"] is False and answer.json["status"] == 404
    rdf = client.get(path, headers={"Accept": "text/turtle"})
    assert rdf.status_code == 404
    assert "Personne Cachée" not in page.get_data(as_text=True) + rdf.get_data(as_text=True)


def test_private_data_never_appear_on_any_page(client):
    """The private person is a member of a public organisation in a private graph only; the
    consenting person's e-mail is private: neither shows on any page or document."""
    for path in [*KINDS, "/id/theme/velo"]:
        for suffix in ("", ".ttl", ".jsonld"):
            text = client.get(path + suffix, headers={"Accept": "text/html"}).get_data(as_text=True)
            for secret in ("Personne Cachée", "cache-test", "cachee@example.org", "camille@example.org",
                           "private/contacts"):
                assert secret not in text, (path + suffix, secret)


def test_consenting_person_page_says_so(client):
    text = html(client, "/id/person/camille-test")
    assert "Consentement" in text and "15 janvier 2026" in text and "nom et appartenance" in text
    assert dict(parse_page(text).links)["/id/organisation/atelier-velo-test"] == "Atelier vélo des Ulis"


def test_labels_are_escaped_in_the_page_and_in_the_json_ld(client):
    text = html(client, "/id/organisation/script-test")
    assert "<script>alert(1)" not in text and "<b>gras</b>" not in text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;" in text
    page = parse_page(text)
    assert page.h1.strip() == SCRIPT_LABEL
    blocks = [body for kind, body in page.scripts if kind == "application/ld+json"]
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["name"] == SCRIPT_LABEL and data["@type"] == "Organization"
    assert data["description"].startswith('Texte "entre guillemets" </script>')
    raw_block = text.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in raw_block and ">" not in raw_block  # escaped as \u003c / \u003e
    # nothing else became a script: only the site's own scripts are there
    assert all(kind == "application/ld+json" or kind is None for kind, _ in page.scripts)
    assert [body for kind, body in page.scripts if kind is None and "alert" in body] == []
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    assert "<script>" not in title


def test_schema_org_json_ld_describes_an_event(client):
    page = parse_page(html(client, "/id/event/atelier-ouvert-test"))
    data = json.loads(next(body for kind, body in page.scripts if kind == "application/ld+json"))
    assert data["@type"] == "Event" and data["name"] == "Atelier ouvert de printemps"
    assert data["startDate"] == "2030-04-12T14:00:00+02:00"
    assert data["organizer"] == [{"@id": f"{ID}organisation/atelier-velo-test",
                                  "name": "Atelier vélo des Ulis"}]
    assert data["location"]["name"] == "Les Ulis"


def test_iri_stays_when_the_label_changes(tmp_path):
    data = tmp_path / "kb"
    subject = ox.NamedNode(f"{ID}event/fete-des-possibles-2021")
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        old = [q for q in store.quads(subject, LABEL)]
        store.apply(old, [ox.Quad(subject, LABEL, ox.Literal("Fête des possibles (renommée)",
                                                               language="fr"), graphs.DEMO)])
    app = create_app(Settings(data=data))
    try:
        client = app.test_client()
        page = parse_page(html(client, "/id/event/fete-des-possibles-2021"))
        assert page.h1.strip() == "Fête des possibles (renommée)"
        organiser = html(client, "/id/organisation/territoires-en-liens")
        assert 'href="/id/event/fete-des-possibles-2021">Fête des possibles (renommée)</a>' in organiser
        assert client.get("/id/event/fete-des-possibles-renommee").status_code == 404
    finally:
        app.extensions["oscartes_runner"].shutdown()
        app.extensions["oscartes_store"].close()


def test_iri_base_setting_maps_pages_to_another_base(tmp_path):
    """A deployment whose data use its own address as base serves them at the same paths."""
    base = "https://donnees.example.org/id/"
    data = tmp_path / "kb"
    subject = ox.NamedNode(f"{base}organisation/locale")
    with open_store(data=data) as store:
        store.insert([ox.Quad(subject, LABEL, ox.Literal("Structure locale"), CONTRIBUTIONS),
                      ox.Quad(subject, ox.NamedNode("http://www.w3.org/ns/org#memberOf"),
                              ox.NamedNode(f"{base}group/voisins"), CONTRIBUTIONS),
                      ox.Quad(ox.NamedNode(f"{base}group/voisins"), LABEL, ox.Literal("Voisins"),
                              CONTRIBUTIONS)])
    app = create_app(Settings(data=data, iri_base=base))
    try:
        client = app.test_client()
        page = parse_page(html(client, "/id/organisation/locale"))
        assert page.h1.strip() == "Structure locale"
        assert dict(page.links)["/id/group/voisins"] == "Voisins"
    finally:
        app.extensions["oscartes_runner"].shutdown()
        app.extensions["oscartes_store"].close()


def test_live_server_serves_turtle_and_html(site, module_live_server):
    url = module_live_server(site)
    turtle = requests.get(f"{url}/id/organisation/oscartes", headers={"Accept": "text/turtle"},
                          timeout=10)
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in turtle.headers["Vary"]
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert any(str(o) == "OSCARTES" for o in graph.objects())
    page = requests.get(f"{url}/id/organisation/oscartes", timeout=10,
                        headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert page.status_code == 200 and "<h1>OSCARTES</h1>" in page.text
    assert 'rel="alternate"; type="text/turtle"' in page.headers["Link"]
    missing = requests.get(f"{url}/id/organisation/nobody", timeout=10,
                           headers={"Accept": "application/ld+json"})
    assert missing.status_code == 404


def test_description_is_the_same_on_the_remote_store(remote_store, tmp_path):
    """The pages read through the store API: a real Oxigraph server gives the same description."""
    from oscartes_kg.describe import describe

    extra = list(ox.parse(path=str(DATA), format=ox.RdfFormat.TRIG))
    with open_store(data=tmp_path / "kb") as embedded:
        found = {}
        for store in (embedded, remote_store):
            bootstrap.init_store(store, demo=True)
            store.insert(extra)
            found[store.backend] = [describe(store, ox.NamedNode(f"{ID}{path}")) for path in
                                    ("organisation/atelier-velo-test", "theme/climat",
                                     "initiative/agissons-pour-le-climat")]
    for local, remote in zip(found["embedded"], found["remote"]):
        assert set(local.triples()) == set(remote.triples())
        assert set(local.quads) == set(remote.quads)
        assert [(g.predicate, g.count) for g in local.incoming] == \
            [(g.predicate, g.count) for g in remote.incoming]
    with pytest.raises(NotFound):
        describe(remote_store, ox.NamedNode(f"{ID}person/cache-test"))


def test_event_pages_offer_their_calendar_file(client):
    text = html(client, "/id/event/atelier-ouvert-test")
    assert 'href="/id/event/atelier-ouvert-test.ics"' in text
    download = client.get("/id/event/atelier-ouvert-test.ics")
    assert download.status_code == 200 and b"BEGIN:VEVENT" in download.data
    assert ".ics" not in html(client, "/id/organisation/oscartes")
