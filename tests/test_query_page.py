"""The SPARQL query page in a real headless Chromium (Debian's, driven by playwright): the editor
runs a query, IRIs in the result table are links, and no request ever leaves the test server."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app import create_app
from app.query_page import query_page_context
from oscartes_kg import bootstrap
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store


@pytest.fixture(scope="module")
def site(tmp_path_factory, module_live_server):
    """The app on the demo data, over HTTP on 127.0.0.1."""
    data = tmp_path_factory.mktemp("query-page") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
    app = create_app(Settings(data=data))
    yield module_live_server(app)
    app.extensions["oscartes_store"].close()


@pytest.fixture
def visit(browser, site):
    """Open a page of the site in a fresh context, recording every request the page makes.

    Requests to any other host are recorded and aborted, so that a leak fails the test
    without reaching the network.
    """
    contexts = []

    def open_page(path: str, *, javascript: bool = True, locale: str = "fr-FR"):
        context = browser.new_context(java_script_enabled=javascript, locale=locale)
        contexts.append(context)
        requests: list = []
        context.on("request", lambda request: requests.append(request))
        own = urlsplit(site).netloc

        def guard(route):
            if urlsplit(route.request.url).netloc == own:
                route.continue_()
            else:
                route.abort()
        context.route("**/*", guard)
        page = context.new_page()
        page.goto(site + path)
        return page, requests

    yield open_page
    for context in contexts:
        context.close()


def _assert_only_test_server(requests: list, site: str) -> None:
    assert requests, "no request was recorded"
    foreign = [r.url for r in requests
               if urlsplit(r.url).scheme not in ("data", "blob") and urlsplit(r.url).netloc != urlsplit(site).netloc]
    assert foreign == []


def test_query_runs_and_iris_are_links(visit, site):
    page, requests = visit("/sparql")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Point d'accès SPARQL"
    page.locator(".CodeMirror").wait_for()
    editor_text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert "PREFIX osc: <https://w3id.org/oscartes/ns#>" in editor_text and "SELECT" in editor_text

    with page.expect_response(lambda r: r.url == f"{site}/sparql" and r.request.method == "POST") as sent:
        page.get_by_role("button", name="Exécuter").click()
    answer = sent.value
    assert answer.status == 200
    assert answer.request.headers["accept"].startswith("application/sparql-results+json")
    assert answer.headers["content-type"].startswith("application/sparql-results+json")

    link = page.locator("#yasr table a.iri").first
    link.wait_for()
    assert link.get_attribute("href").startswith("https://w3id.org/oscartes/id/organisation/")
    assert page.locator("#yasr table tbody tr").count() > 1
    assert page.locator("#status").inner_text() == "Terminé."
    assert page.locator(".tableFilter").get_attribute("placeholder") == "Filtrer les résultats"
    page.wait_for_load_state("networkidle")
    _assert_only_test_server(requests, site)


def test_typing_with_completion_calls_no_other_host(visit, site):
    """Completions of prefixes and of classes/properties (LOV, prefix.cc upstream) stay local."""
    page, requests = visit("/sparql")
    page.locator(".CodeMirror").wait_for()
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # A fresh, well-formed query: completion only runs where the grammar expects a term.
    for text in ("PREFIX fo", "af: <http://xmlns.com/foaf/0.1/>\nSELECT * WHERE {\n ?x a foaf:Pers",
                 " .\n ?x foaf:nam"):
        page.keyboard.type(text, delay=20)
        page.keyboard.press("Control+Space")
        page.wait_for_timeout(500)
    text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert "?x a foaf:Pers" in text and "?x foaf:nam" in text
    page.wait_for_load_state("networkidle")
    _assert_only_test_server(requests, site)


def test_examples_load_named_queries_into_the_editor(visit, site):
    page, requests = visit("/sparql")
    page.locator(".CodeMirror").wait_for()
    example = query_page_context()["examples"][0]
    page.locator(f"button.load-example[data-example='{example['name']}']").click()
    text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert text == example["query"]
    _assert_only_test_server(requests, site)


def test_without_javascript_the_form_posts_to_the_endpoint(visit, site):
    page, requests = visit("/sparql", javascript=False)
    assert page.locator("textarea[name=query]").is_visible()
    page.fill("textarea[name=query]",
              "SELECT ?s WHERE { ?s a <https://w3id.org/oscartes/ns#Organisation> } LIMIT 2")
    with page.expect_navigation():
        page.get_by_role("button", name="Exécuter").click()
    assert "https://w3id.org/oscartes/id/organisation/" in page.content()
    assert [r.method for r in requests if r.url == f"{site}/sparql"][-1] == "POST"
    _assert_only_test_server(requests, site)


def test_english_on_request(visit, site):
    """French by default; an English-speaking browser gets the page and editor in English."""
    page, requests = visit("/sparql", locale="en-GB")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "SPARQL endpoint"
    page.locator(".CodeMirror").wait_for()
    page.get_by_role("button", name="Run").click()
    page.locator("#yasr table a.iri").first.wait_for()
    assert page.locator("#status").inner_text() == "Done."
    _assert_only_test_server(requests, site)
