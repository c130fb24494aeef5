"""``/queries`` and ``/queries/NAME``: every named query over HTTP, compared with running it directly.

A real embedded store on disk with the demo data and one private contact; three extra queries
from ``tests/data/named_queries/`` (served through the app's ``OSCARTES_EXTRA_QUERIES``) cover
what ``queries/`` has none of yet: a required parameter, a CONSTRUCT and an ASK.
"""
from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from app import create_app
from app.result_formats import query_kind
from oscartes_kg import bootstrap, graphs, queries
from oscartes_kg.config import Settings
from oscartes_kg.errors import UsageError
from oscartes_kg.store import open_store

EXTRA_DIR = Path(__file__).parent / "data" / "named_queries"
EXTRA = [queries.read(path) for path in sorted(EXTRA_DIR.glob("*.rq"))]
SHIPPED = queries.all_queries()

SECRET = ox.NamedNode("https://w3id.org/oscartes/id/person/secret")
SECRET_QUADS = [
    ox.Quad(SECRET, ox.NamedNode("http://schema.org/email"), ox.Literal("secret@example.org"),
            graphs.PRIVATE_CONTACTS),
    ox.Quad(SECRET, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://w3id.org/oscartes/ns#Person"), graphs.PRIVATE_CONTACTS),
    ox.Quad(SECRET, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("Personne Secrète"), graphs.PRIVATE_CONTACTS),
]
INJECTIONS = ['"} ; DROP ALL ; {"', "<script>alert('x')</script>", "'> } ; CLEAR ALL #"]
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("named-queries") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        store.insert(SECRET_QUADS)
    app = create_app(Settings(data=data))
    app.config["OSCARTES_EXTRA_QUERIES"] = EXTRA
    yield app
    app.extensions["oscartes_store"].close()


@pytest.fixture
def client(app):
    """A fresh client per test: a ``?lang=`` choice is remembered in a cookie, like a browser's."""
    return app.test_client()


@pytest.fixture(scope="module")
def store(app):
    return app.extensions["oscartes_store"]


# --- helpers: run directly, parse what the routes answer ------------------------------------

def direct(store, name: str, values: dict, fmt=ox.QueryResultsFormat.JSON) -> bytes:
    """The same query run through ``queries`` (not HTTP), serialized like the route."""
    query = next(q for q in [*EXTRA, *SHIPPED] if q.name == name)
    return query.run(store, values, include_private=False).serialize(format=fmt)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def quad_count(store) -> int:
    counted = queries.run_text(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                               include_private=True)
    return int(next(iter(counted))["n"].value)


class ResultCells(HTMLParser):
    """The text of each cell of ``<table class="results">``, and which fields are marked."""

    def __init__(self, page: str):
        super().__init__()
        self.rows: list[list[str]] = []
        self.invalid: list[str] = []
        self.values: dict[str, str] = {}
        self._in_results = self._in_cell = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("class") == "results":
            self._in_results = True
        elif self._in_results and tag == "tr":
            self.rows.append([])
        elif self._in_results and tag == "td":
            self._in_cell = True
            self.rows[-1].append("")
        elif tag in ("input", "select") and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value", "")
            if attrs.get("aria-invalid") == "true":
                self.invalid.append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_results = False
        elif tag == "td":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.rows[-1][-1] += data


def html_rows_of(store, name: str, values: dict) -> list[list[str]]:
    """What the page's table should show: each term's value (IRI, literal), empty if unbound."""
    query = next(q for q in [*EXTRA, *SHIPPED] if q.name == name)
    result = query.run(store, values, include_private=False)
    names = [v.value for v in result.variables]
    return [[("" if s[n] is None else s[n].value) for n in names] for s in result]


def sample_values(store, query) -> dict[str, str]:
    """A value for each parameter taken from the data (an IRI the data uses for that property)."""
    values = {}
    for param in query.params:
        if param.type == "iri":
            rows = list(store.query(
                "SELECT ?v ?end WHERE { GRAPH ?g { ?s ?p ?v FILTER(isIRI(?v) && STRENDS(STR(?p), ?end)) } }"
                " LIMIT 1", substitutions={"end": ox.Literal("#" + param.name)}))
            values[param.name] = rows[0]["v"].value if rows else str(graphs.DEMO.value)
        else:
            values[param.name] = {"date": "2000-01-01", "datetime": "2000-01-01T00:00:00",
                                  "integer": "1", "decimal": "1.5", "boolean": "true",
                                  "string": "a"}[param.type]
    return values


def param_cases(store):
    for query in SHIPPED:
        yield query.name, {}
        if query.params and not queries.SERVICE_PARAM.search(query.sparql):  # partner: test_federation
            yield query.name, sample_values(store, query)


# --- the list --------------------------------------------------------------------------------

def test_list_page_is_french_and_names_every_query(client):
    page = client.get("/queries", headers=HTML)
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert '<html lang="fr">' in text and "Requêtes nommées" in text
    for query in [*SHIPPED, *EXTRA]:
        assert f'href="http://localhost/queries/{query.name}"' in text
        assert query.title.replace("'", "&#39;") in text
        for param in query.params:
            assert f"<code>{param.name}</code>" in text


def test_list_page_in_english_by_lang_or_accept_language(client, app):
    for answer in (client.get("/queries?lang=en", headers=HTML),
                   client.get("/queries", headers={**HTML, "Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})):
        text = answer.get_data(as_text=True)
        assert '<html lang="en">' in text and "Named queries" in text
        assert all(q.title_en in text for q in SHIPPED if q.title_en)
    newcomer = app.test_client()  # without the cookie that ?lang=en left above
    french = newcomer.get("/queries", headers={**HTML, "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "Requêtes nommées" in french.get_data(as_text=True)


def test_list_json_by_extension_or_accept_gives_titles_params_and_working_urls(client):
    by_extension = client.get("/queries.json").get_json()
    assert client.get("/queries", headers=JSON).get_json() == by_extension
    entries = {e["name"]: e for e in by_extension["queries"]}
    assert set(entries) == {q.name for q in [*SHIPPED, *EXTRA]}
    for query in [*SHIPPED, *EXTRA]:
        entry = entries[query.name]
        assert entry["title"] == {"fr": query.title, "en": query.title_en or query.title}
        assert entry["description"]["fr"] == query.description
        assert entry["params"] == [{"name": p.name, "type": p.type, "required": p.required,
                                    "help": p.help} for p in query.params]
        kind = query_kind(query.sparql)
        expected = {"html", "rq"} | ({"json", "csv", "tsv", "srx"} if kind == "table"
                                     else {"ttl", "nt", "jsonld", "rdf"})
        assert set(entry["urls"]) == expected
    for url in entries["collective_members"]["urls"].values():
        assert client.get(url.replace("http://localhost", "")).status_code == 200


# --- every shipped query, compared with a direct run -----------------------------------------

@pytest.mark.parametrize("name", [q.name for q in SHIPPED])
def test_every_query_answers_html_json_csv_like_a_direct_run(client, store, name):
    for _, values in [case for case in param_cases(store) if case[0] == name]:
        as_json = client.get(f"/queries/{name}.json", query_string=values)
        assert as_json.status_code == 200, as_json.get_data(as_text=True)
        assert as_json.content_type == "application/sparql-results+json; charset=utf-8"
        assert json.loads(as_json.get_data()) == json.loads(direct(store, name, values))

        as_csv = client.get(f"/queries/{name}.csv", query_string=values)
        assert as_csv.status_code == 200 and as_csv.content_type == "text/csv; charset=utf-8"
        rows = csv_rows(as_csv.get_data())
        assert rows == csv_rows(direct(store, name, values, ox.QueryResultsFormat.CSV))
        assert rows[0] == [v.value for v in queries.get(name).run(store, values).variables]

        as_tsv = client.get(f"/queries/{name}.tsv", query_string=values)
        assert as_tsv.get_data() == direct(store, name, values, ox.QueryResultsFormat.TSV)

        page = client.get(f"/queries/{name}", query_string=values, headers=HTML)
        assert page.status_code == 200 and page.content_type == "text/html; charset=utf-8"
        cells = ResultCells(page.get_data(as_text=True))
        assert cells.rows[1:] == html_rows_of(store, name, values)  # rows[0] is the header row
        assert {k: cells.values[k] for k in values} == values  # the form is pre-filled


def test_accept_picks_the_format_when_there_is_no_extension(client, store):
    name = "collective_members"
    assert client.get(f"/queries/{name}", headers={"Accept": "text/csv"}).mimetype == "text/csv"
    as_json = client.get(f"/queries/{name}", headers=JSON)
    assert as_json.mimetype == "application/sparql-results+json"
    assert json.loads(as_json.get_data()) == json.loads(direct(store, name, {}))
    assert client.get(f"/queries/{name}").mimetype == "text/html"  # no Accept: the page
    extension_wins = client.get(f"/queries/{name}.csv", headers=JSON)
    assert extension_wins.mimetype == "text/csv"
    assert "Accept" in extension_wins.headers["Vary"]
    assert extension_wins.headers["Cache-Control"].startswith("public, max-age=")


def test_page_shows_query_text_links_and_escapes(client):
    page = client.get("/queries/actors_by_theme_and_commune", headers=HTML).get_data(as_text=True)
    assert "<details>" in page and "PREFIX osc: &lt;https://w3id.org/oscartes/ns#&gt;" in page
    for extension in ("json", "csv", "tsv"):
        assert f'href="/queries/actors_by_theme_and_commune.{extension}"' in page
    assert '<a href="https://w3id.org/oscartes/id/' in page  # IRIs link to their page


def test_format_links_keep_the_parameters(client):
    page = client.get("/queries/nq_echo?text=bonjour&count=3", headers=HTML).get_data(as_text=True)
    assert 'href="/queries/nq_echo.csv?text=bonjour&amp;count=3"' in page
    csv_answer = client.get("/queries/nq_echo.csv?text=bonjour&count=3").get_data()
    assert csv_rows(csv_answer)[1][:2] == ["bonjour", "3"]


# --- parameters are bound, never pasted --------------------------------------------------------

@pytest.mark.parametrize("payload", INJECTIONS)
def test_sparql_syntax_in_a_value_is_bound_and_escaped(client, store, payload):
    before = quad_count(store)
    as_json = client.get("/queries/nq_echo.json", query_string={"text": payload})
    assert as_json.status_code == 200
    echoed = as_json.get_json()["results"]["bindings"]
    assert [b["text"]["value"] for b in echoed] == [payload]
    page = client.get("/queries/nq_echo", query_string={"text": payload}, headers=HTML)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<script>alert" not in text
    if "<script>" in payload:
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text
    assert ResultCells(text).rows[1][0] == payload
    for name in ("actors_by_theme_and_commune", "events_upcoming"):  # IRI and date parameters
        refused = client.get(f"/queries/{name}.json", query_string={"theme": payload})
        assert refused.status_code == 400 and "theme" in refused.get_json()["error"]
    assert quad_count(store) == before


def test_a_javascript_iri_is_shown_not_linked(client):
    page = client.get("/queries/nq_echo", query_string={"text": "x", "link": "javascript:alert(1)"},
                      headers=HTML).get_data(as_text=True)
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page


# --- bad, unknown, missing parameters; unknown names and formats ---------------------------------

def test_unknown_parameters_are_a_400_naming_them(client):
    answer = client.get("/queries/collective_members.json?colour=red&size=2")
    body = answer.get_json()
    assert answer.status_code == 400 and set(body) == {"ok", "error", "errors", "status"}
    assert "colour" in body["error"] and "size" in body["error"]
    page = client.get("/queries/collective_members?colour=red", headers=HTML)
    assert page.status_code == 400 and "colour" in page.get_data(as_text=True)


def test_a_bad_value_is_a_400_with_the_params_message(client):
    param = next(p for p in queries.get("events_upcoming").params if p.name == "since")
    with pytest.raises(UsageError) as expected:
        param.term("demain")
    for url in ("/queries/events_upcoming.json", "/queries/events_upcoming.csv"):
        answer = client.get(url, query_string={"since": "demain"})
        assert answer.status_code == 400
        assert answer.get_json()["error"] == expected.value.message
    page = client.get("/queries/events_upcoming?since=demain", headers=HTML)
    assert page.status_code == 400
    cells = ResultCells(page.get_data(as_text=True))
    assert cells.invalid == ["since"] and cells.values["since"] == "demain"
    assert "n&#39;est pas de type date" in page.get_data(as_text=True)


def test_a_value_given_twice_is_a_400(client):
    answer = client.get("/queries/events_upcoming.json?since=2020-01-01&since=2021-01-01")
    assert answer.status_code == 400 and "since" in answer.get_json()["error"]


def test_a_missing_required_parameter_marks_the_field_or_is_a_400(client):
    page = client.get("/queries/nq_echo?count=2", headers=HTML)
    assert page.status_code == 200
    cells = ResultCells(page.get_data(as_text=True))
    assert cells.invalid == ["text"] and cells.values["count"] == "2" and cells.rows == []
    assert "Ce paramètre est obligatoire." in page.get_data(as_text=True)
    for extension in ("json", "csv"):
        answer = client.get(f"/queries/nq_echo.{extension}?count=2")
        assert answer.status_code == 400 and "text" in answer.get_json()["error"]


def test_unknown_query_is_a_404_page_or_json(client):
    page = client.get("/queries/no_such_query", headers=HTML)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "no_such_query" in page.get_data(as_text=True)
    for answer in (client.get("/queries/no_such_query.json"),
                   client.get("/queries/no_such_query", headers=JSON)):
        assert answer.status_code == 404 and answer.get_json()["status"] == 404
    unknown_format = client.get("/queries/collective_members.xlsx")
    assert unknown_format.status_code == 404 and ".csv" in unknown_format.get_json()["error"]


def test_table_query_asked_as_a_graph_is_refused_clearly(client):
    by_extension = client.get("/queries/collective_members.ttl")
    assert by_extension.status_code == 400 and ".csv" in by_extension.get_json()["error"]
    by_accept = client.get("/queries/collective_members", headers={"Accept": "text/turtle"})
    assert by_accept.status_code == 406 and "text/csv" in by_accept.get_json()["error"]


# --- CONSTRUCT and ASK ---------------------------------------------------------------------------

@pytest.mark.parametrize("extension,rdf_format", [
    ("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
    ("jsonld", ox.RdfFormat.JSON_LD), ("rdf", ox.RdfFormat.RDF_XML), ("json", ox.RdfFormat.JSON_LD)])
def test_construct_answers_rdf_like_a_direct_run(client, store, extension, rdf_format):
    entity = "https://w3id.org/oscartes/id/organisation/oscartes"
    answer = client.get(f"/queries/nq_entity_graph.{extension}", query_string={"entity": entity})
    assert answer.status_code == 200 and answer.mimetype == rdf_format.media_type
    got = {quad.triple for quad in ox.parse(answer.get_data(), format=rdf_format)}
    query = next(q for q in EXTRA if q.name == "nq_entity_graph")
    assert got == set(query.run(store, {"entity": entity})) and got


def test_construct_by_accept_and_refusals(client):
    url = "/queries/nq_entity_graph?entity=https://w3id.org/oscartes/id/organisation/oscartes"
    assert client.get(url, headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
    assert client.get(url, headers=JSON).mimetype == "application/ld+json"
    refused = client.get(url, headers={"Accept": "application/sparql-results+json"})
    assert refused.status_code == 406
    assert client.get(url.replace("graph?", "graph.csv?")).status_code == 400
    page = client.get(url, headers=HTML).get_data(as_text=True)
    assert "<th>sujet</th><th>prédicat</th><th>objet</th>" in page


# --- private data never shows -------------------------------------------------------------------

def test_private_quads_never_show_up(client, store):
    assert store.count(graphs.PRIVATE_CONTACTS) == len(SECRET_QUADS)
    answer = client.get("/queries/nq_any_email.json").get_json()
    assert answer["boolean"] is False
    assert "non" in client.get("/queries/nq_any_email", headers=HTML).get_data(as_text=True)
    graph = client.get("/queries/nq_entity_graph.nt", query_string={"entity": SECRET.value})
    assert graph.status_code == 200 and graph.get_data() == b""
    for query, values in [*param_cases(store), ("nq_echo", {"text": "Personne Secrète"})]:
        for suffix in (".json", ".csv", ""):
            text = client.get(f"/queries/{query}{suffix}", query_string=values,
                              headers=HTML).get_data(as_text=True)
            assert "secret@example.org" not in text and SECRET.value not in text


# --- over real HTTP -----------------------------------------------------------------------------

def test_named_queries_over_a_live_http_server(app, store, module_live_server):
    base = module_live_server(app)
    listing = requests.get(f"{base}/queries.json", timeout=30)
    assert listing.status_code == 200
    html_url = next(e["urls"]["html"] for e in listing.json()["queries"]
                    if e["name"] == "collective_members")
    assert html_url == f"{base}/queries/collective_members"
    as_csv = requests.get(f"{base}/queries/collective_members.csv", timeout=30)
    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_rows(as_csv.content) == csv_rows(direct(store, "collective_members", {},
                                                       ox.QueryResultsFormat.CSV))
    negotiated = requests.get(f"{base}/queries/collective_members",
                              headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert negotiated.json() == json.loads(direct(store, "collective_members", {}))
    bad = requests.get(f"{base}/queries/events_upcoming.json", params={"since": "hier"}, timeout=30)
    assert bad.status_code == 400 and bad.json()["ok"] is False


def test_query_kind_reads_past_the_prologue():
    assert query_kind("# CONSTRUCT in a comment\nPREFIX c: <urn:x#CONSTRUCT>\nSELECT * {}") == "table"
    assert query_kind("base <urn:x>\n#SELECT\n describe <urn:y>") == "graph"
    assert all(query_kind(q.sparql) == "table" for q in SHIPPED)
