"""The Flask-free answer to plain public queries (``app.fast_queries``) is the route's answer:
same status, headers and bytes, on both backends, for results, errors, limits and private data;
and every request it must not take (a session, a token, another format or parameter, FROM,
SERVICE, an update) still reaches the route."""
from __future__ import annotations

import json

import pytest
import requests
from werkzeug.test import EnvironBuilder, run_wsgi_app

from conftest import SECRET_MAIL, served_site
from oscartes_kg import graphs

ID = "https://w3id.org/oscartes/id/"
LABEL = f"SELECT ?l WHERE {{ <{ID}organisation/oscartes> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
JSON_RESULTS = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(?b = ?e) }"


@pytest.fixture(scope="module", params=["embedded", "remote"])
def site(request, tmp_path_factory, module_live_server):
    with served_site(request, tmp_path_factory, module_live_server, request.param,
                     query_timeout=0.5, query_max_rows=50) as served:
        served.fast = served.app.wsgi_app
        yield served


def _both(site, query: str | None = None, *, headers=None, query_string=None, method="GET"):
    """(fast path's answer, route's answer, whether the fast path took it), each as
    (status, sorted headers, body)."""
    def call(wsgi):
        environ = EnvironBuilder(path="/sparql", method=method, headers=headers or {},
                                 query_string=query_string if query_string is not None
                                 else {"query": query}).get_environ()
        body, status, answer_headers = run_wsgi_app(wsgi, environ, buffered=True)
        return status, sorted((k.lower(), v) for k, v in answer_headers.items()), b"".join(body)

    before = site.fast.answered
    fast = call(site.fast)
    took = site.fast.answered > before
    return fast, call(site.fast.wrapped), took


CASES = {
    "label, JSON asked": (LABEL, {"Accept": JSON_RESULTS}),
    "label, no Accept": (LABEL, {}),
    "label, any type": (LABEL, {"Accept": "*/*"}),
    "label, JSON preferred by weight": (LABEL, {"Accept": f"text/csv;q=0.5, {JSON_RESULTS}"}),
    "plain JSON": (LABEL, {"Accept": "application/json"}),
    "ASK": ("ASK { ?s ?p ?o }", {}),
    "no rows": ("SELECT ?x WHERE { ?x <urn:none> ?y }", {}),
    "private data asked": ("SELECT ?o WHERE { ?s <http://schema.org/email> ?o }", {}),
    "every graph": ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    "row cap": ("SELECT * WHERE { ?s ?p ?o }", {}),
    "syntax error": ("SELECT ?x WHERE { ?x ?y }", {}),
    "unknown prefix": ("SELECT ?x WHERE { ?x nope:p ?y }", {}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_fast_path_answers_exactly_as_the_route(site, case):
    query, headers = CASES[case]
    fast, route, took = _both(site, query, headers=headers)
    assert took, f"{case}: the fast path should have answered"
    assert fast == route
    assert SECRET_MAIL.encode() not in fast[2] and graphs.PRIVATE_CONTACTS.value.encode() not in fast[2]


RAW = {
    "plus for spaces": "query=ASK+%7B+%3Fs+%3Fp+%3Fo+%7D",
    "a byte that is not UTF-8": "query=SELECT%20%3Fx%20WHERE%20%7B%20%3Fx%20%3Fp%20%22%FF%22%20%7D",
    "accented letters": "query=SELECT%20%3Fx%20WHERE%20%7B%20%3Fx%20%3Fp%20%22%C3%A9t%C3%A9%22%20%7D",
}


@pytest.mark.parametrize("case", list(RAW))
def test_the_query_string_is_read_as_flask_reads_it(site, case):
    fast, route, took = _both(site, query_string=RAW[case])
    assert took and fast == route and fast[0][:3] in ("200", "400")


def test_what_the_cases_answer(site):
    """The comparisons above compare real answers: results, the cap, and errors."""
    label = _both(site, LABEL)[0]
    assert label[0].startswith("200") and b"OSCARTES" in label[2]
    assert ("access-control-allow-origin", "*") in label[1] and ("vary", "Accept") in label[1]
    capped = _both(site, CASES["row cap"][0])[0]
    assert ("x-sparql-maxrows", "50") in capped[1]
    assert len(json.loads(capped[2])["results"]["bindings"]) == 50
    assert _both(site, CASES["syntax error"][0])[0][0].startswith("400")


NOT_TAKEN = {
    "session cookie": dict(headers={"Cookie": "oscartes_session=abc"}),
    "bearer token": dict(headers={"Authorization": "Bearer nothing"}),
    "XML asked": dict(headers={"Accept": "application/sparql-results+xml"}),
    "format parameter": dict(query_string={"query": LABEL, "format": "csv"}),
    "dataset parameter": dict(query_string={"query": LABEL, "default-graph-uri": graphs.DEMO.value}),
    "FROM": dict(query=f"SELECT ?l FROM <{graphs.DEMO.value}> WHERE {{ ?s ?p ?l }} LIMIT 1"),
    "SERVICE": dict(query="SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"),
    "CONSTRUCT": dict(query="CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"),
    "no query": dict(query_string={}),
    "blank query": dict(query_string={"query": "  "}),
    "two queries": dict(query_string=[("query", LABEL), ("query", LABEL)]),
    "update by GET": dict(query_string={"update": "CLEAR ALL"}),
    "POST": dict(method="POST"),
    "nothing fits": dict(headers={"Accept": "image/png"}),
}


@pytest.mark.parametrize("case", list(NOT_TAKEN))
def test_other_requests_go_to_the_route(site, case):
    options = {"query": LABEL, **NOT_TAKEN[case]}
    fast, route, took = _both(site, options.pop("query"), **options)
    assert not took
    content_type = [dict(answer[1]).get("content-type") for answer in (fast, route)]
    assert fast[0] == route[0] and content_type[0] == content_type[1]  # (bodies may hold new blank nodes)


def test_a_logged_in_curator_still_reads_private_graphs_over_http(site):
    """The fast path only ever answers as the anonymous caller: a curator's token (or session)
    goes to the route, which reads the private contacts for them."""
    query = "SELECT ?o WHERE { ?s <http://schema.org/email> ?o }"
    anonymous = requests.get(site.url + "/sparql", params={"query": query}, timeout=30).json()
    curator = requests.get(site.url + "/sparql", params={"query": query}, timeout=30,
                           headers=site.bearer("curator")).json()
    assert anonymous["results"]["bindings"] == []
    assert [b["o"]["value"] for b in curator["results"]["bindings"]] == [SECRET_MAIL]


def test_other_sites_tools_may_read_answers_and_errors(site):
    """CORS: results and error messages alike, and the preflight of a cross-site POST."""
    endpoint = site.url + "/sparql"
    answers = [requests.get(endpoint, params={"query": LABEL}, timeout=30),
               requests.get(endpoint, params={"query": "SELECT ?x WHERE { ?x ?y }"}, timeout=30),
               requests.post(endpoint, data=LABEL.encode(), timeout=30,
                             headers={"Content-Type": "application/sparql-query"})]
    assert [a.status_code for a in answers] == [200, 400, 200]
    assert all(a.headers["Access-Control-Allow-Origin"] == "*" for a in answers)
    preflight = requests.options(endpoint, timeout=30, headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()


def test_the_time_limit_is_answered_as_the_route_answers_it(site):
    """Last in this module: a runaway keeps its worker thread until it ends (limits.py)."""
    fast, route, took = _both(site, RUNAWAY)
    assert took and fast == route
    assert fast[0].startswith("503") and "délai" in json.loads(fast[2])["error"]

