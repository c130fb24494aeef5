"""Federation (issue 6 §4): SERVICE to an allowlisted partner map from /sparql and from the named
query ``actors_same_as_partner``, against a second real Oxigraph server on 127.0.0.1 loaded with
partner data; partners that are down (a closed port) or hang (a socket server that accepts and
never answers) give a clear error, or partial results with SERVICE SILENT, within the time limit;
an endpoint outside the allowlist is never called."""
from __future__ import annotations

import socket
import subprocess
import threading
import time

import pyoxigraph as ox
import pytest
import requests

from conftest import _free_port, _oxigraph_executable, _wait_until_answers
from oscartes_kg import bootstrap, graphs
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

ID = "https://w3id.org/oscartes/id/"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
JSON_RESULTS = "application/sparql-results+json"
TIME_LIMIT = 2.0
PARTNER_DATA = f"""
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix p: <https://carte-partenaire.example/acteur/> .
p:1 rdfs:label "Pôles NOE (carte partenaire)" ; owl:sameAs <{ID}organisation/poles-noe> .
p:2 rdfs:label "Maison Cocagne (carte partenaire)" ; owl:sameAs <{ID}organisation/maison-cocagne> .
p:3 rdfs:label "Mairie des Ulis (carte partenaire)" .
p:4 rdfs:label "Recyclerie imaginaire" .
p:5 rdfs:label "Jardin partagé imaginaire" ; owl:sameAs <https://ailleurs.example/jardin> .
"""
OURS_TO_THEIRS = (ID + "organisation/ville-des-ulis", "https://carte-partenaire.example/acteur/3")


class Silent:
    """A TCP server that accepts connections and never answers (a hung partner); it counts them
    and closes them all when stopped, so that no query thread stays blocked after the test."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.accepted: list = []
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/sparql"
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def stop(self):
        self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
        self.thread.join(timeout=10)
        for connection in self.accepted:
            connection.close()


@pytest.fixture(scope="module")
def partner(tmp_path_factory):
    """A second real Oxigraph server: the partner map, its data in the default graph."""
    directory = tmp_path_factory.mktemp("partner-map")
    url = f"http://127.0.0.1:{_free_port()}"
    log = directory / "server.log"
    with open(log, "wb") as log_file:
        server = subprocess.Popen([_oxigraph_executable(), "serve", "--location", str(directory / "data"),
                                   "--bind", url.removeprefix("http://")],
                                  stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_until_answers(url, server, log)
        answer = requests.post(url + "/store?default", data=PARTNER_DATA.encode(),
                               headers={"Content-Type": "text/turtle"}, timeout=30)
        assert answer.status_code in (200, 201, 204), answer.text
        yield url + "/query"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def site(partner, tmp_path_factory, module_live_server):
    """Our app on an embedded store (demo data and one sameAs of ours to the partner), with the
    partner, a hung server and a closed port on the allowlist, and an outsider left off it."""
    from types import SimpleNamespace

    from app import create_app

    hung, outsider = Silent(), Silent()
    closed = f"http://127.0.0.1:{_free_port()}/sparql"
    data = tmp_path_factory.mktemp("federation") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        store.insert([ox.Quad(ox.NamedNode(OURS_TO_THEIRS[0]), ox.NamedNode(SAME_AS),
                              ox.NamedNode(OURS_TO_THEIRS[1]), graphs.DEMO)])
    app = create_app(Settings(data=data, query_timeout=TIME_LIMIT,
                              federation_allowlist=" ".join([partner, hung.url, closed])))
    url = module_live_server(app)
    yield SimpleNamespace(url=url, partner=partner, hung=hung, closed=closed, outsider=outsider,
                          app=app)
    hung.stop()
    outsider.stop()
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def _sparql(site, query):
    started = time.monotonic()
    answer = requests.post(site.url + "/sparql", data={"query": query},
                           headers={"Accept": JSON_RESULTS}, timeout=60)
    return answer, time.monotonic() - started


def _rows(answer) -> list[dict]:
    assert answer.status_code == 200, answer.text
    return [{k: v["value"] for k, v in b.items()} for b in answer.json()["results"]["bindings"]]


def _join(endpoint: str, silent: str = "") -> str:
    return f"""SELECT ?actor ?label ?theirs WHERE {{
        ?actor <{LABEL}> ?label .
        OPTIONAL {{ SERVICE {silent} <{endpoint}> {{ ?theirs <{SAME_AS}> ?actor }} }}
        FILTER(?actor IN (<{ID}organisation/poles-noe>, <{ID}organisation/odass>))
    }} ORDER BY ?label"""


def test_sparql_joins_our_actors_with_the_partner_map(site):
    answer, _ = _sparql(site, _join(site.partner))
    rows = _rows(answer)
    assert {"actor": ID + "organisation/poles-noe", "label": "PôleS NOE",
            "theirs": "https://carte-partenaire.example/acteur/1"} in rows
    assert {"actor": ID + "organisation/odass", "label": "ODASS"} in rows


def test_named_query_joins_both_directions_of_same_as(site):
    answer = requests.get(site.url + "/queries/actors_same_as_partner.json",
                          params={"partner": site.partner}, timeout=60)
    rows = _rows(answer)
    found = {(r["actor"], r["partnerActor"], r["declaredBy"]) for r in rows}
    assert found == {
        (ID + "organisation/poles-noe", "https://carte-partenaire.example/acteur/1", "partenaire"),
        (ID + "organisation/maison-cocagne", "https://carte-partenaire.example/acteur/2", "partenaire"),
        (*OURS_TO_THEIRS, "OSCARTES"),
    }
    ulis = next(r for r in rows if r["declaredBy"] == "OSCARTES")
    assert ulis["actorLabel"] == "Ville des Ulis" and ulis["partnerLabel"] == "Mairie des Ulis (carte partenaire)"


def test_named_query_refuses_a_partner_outside_the_allowlist(site):
    answer = requests.get(site.url + "/queries/actors_same_as_partner.json",
                          params={"partner": site.outsider.url}, timeout=60)
    assert answer.status_code == 403 and "refusé" in answer.json()["error"]
    answer, _ = _sparql(site, _join(site.outsider.url, "SILENT"))
    assert answer.status_code == 403
    assert site.outsider.accepted == []  # no request ever left


def test_a_partner_that_is_down_gives_a_clear_error_or_partial_results(site):
    answer, elapsed = _sparql(site, _join(site.closed))
    body = answer.json()
    assert answer.status_code >= 400 and body["ok"] is False and " / " in body["error"]
    assert elapsed < TIME_LIMIT + 3
    silent, _ = _sparql(site, _join(site.closed, "SILENT"))
    assert {r["actor"] for r in _rows(silent)} == {ID + "organisation/poles-noe", ID + "organisation/odass"}
    assert all("theirs" not in r for r in _rows(silent))
    named = requests.get(site.url + "/queries/actors_same_as_partner.json",
                         params={"partner": site.closed}, timeout=60)
    assert named.status_code >= 400 and named.json()["ok"] is False


def test_a_partner_that_hangs_is_cut_at_the_time_limit(site):
    answer, elapsed = _sparql(site, _join(site.hung.url))
    assert answer.status_code == 503 and "délai dépassé" in answer.json()["error"]
    assert elapsed < TIME_LIMIT + 3
    named = requests.get(site.url + "/queries/actors_same_as_partner.json",
                         params={"partner": site.hung.url}, timeout=60)
    assert named.status_code == 503 and named.json()["ok"] is False
    assert site.hung.accepted  # the partner was really called
    # The endpoint still answers other queries (the stuck thread is one of the pool's).
    assert _rows(_sparql(site, _join(site.partner))[0])


def test_partners_that_hang_never_take_the_threads_of_other_queries(site):
    """Federated queries have their own small pool: once a hung partner holds all of it, they
    are refused as busy, and every other query still runs."""
    federated = site.app.extensions["oscartes_federation_runner"].workers
    for _ in range(federated + 1):
        answer, _ = _sparql(site, _join(site.hung.url))
        assert answer.status_code == 503
    plain = requests.get(site.url + "/sparql", params={"query": "SELECT ?s WHERE { ?s a ?c } LIMIT 3"},
                         headers={"Accept": JSON_RESULTS}, timeout=60)
    assert plain.status_code == 200 and len(plain.json()["results"]["bindings"]) == 3
    named = requests.get(site.url + "/queries/collective_members.json", timeout=60)
    assert named.status_code == 200
