"""Issue 5 section 6: every write route refuses unauthenticated and under-privileged callers and
form posts without a CSRF token; a contributor edits only their own entries and never
publishes; private content never reaches a public route.

The routes are read from the app's URL map, so a route added later is covered without editing
this file: an unsafe method (POST, PUT, PATCH, DELETE) is refused unless the route is listed in
``PUBLIC_WRITES`` with the reason it is safe. The real app on an embedded store on disk.
"""
from __future__ import annotations

import gzip
import hashlib
import re
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import pytest

from oscartes_kg import graphs
from web_helpers import csrf_from, log_in, site

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
#: Unsafe methods anyone may use, and why nothing is written through them without more.
PUBLIC_WRITES = {
    "login.login": "logging in (itself CSRF-protected and throttled)",
    "reconcile.endpoint": "reconciliation queries are reads (OpenRefine posts them)",
    "reconcile.propose_properties": "a read",
    "watch.unsubscribe": "one-click unsubscribe: the unguessable token in the URL is the credential",
    "sparql.endpoint": "SPARQL queries may be posted; updates need a role (tested below)",
}
#: Routes only curators and admins may write through.
CURATOR_ONLY = {"curation.post_review", "curation.post_publish", "curation.post_withdraw",
                "history.revert", "graph_store.graph_store"}
MARKER = "zq9marqueurprive"  # a string no public route may ever show
#: Another word of the same private texts: searching for it must not echo MARKER back.
BAIT = "quetzalcoatlus"


def _values(store) -> dict:
    """A real value for every URL variable of the app's routes."""
    changeset = next(iter(store.query(
        "SELECT ?c WHERE { GRAPH ?g { ?c a <https://w3id.org/oscartes/ns#Changeset> } } LIMIT 1",
        union_default_graph=True)))[0].value
    return {"kind": "initiative", "slug": "agissons-pour-le-climat", "changeset_id":
            changeset.rsplit("/", 1)[1], "watch_id": "x", "token": "x", "format_name": "geojson",
            "name": "collective_members", "extension": "ttl", "filename": "site/site.css"}


def _unsafe_routes(app, store) -> list[tuple[str, str, str]]:
    """(endpoint, method, URL) for every unsafe method of every route."""
    values = _values(store)
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(set(rule.methods) & set(UNSAFE)):
            url = rule.rule
            for name in rule.arguments:
                url = re.sub(r"<(?:[^:>]+:)?%s>" % name, values[name], url)
            if rule.endpoint == "graph_store.graph_store":
                url += "?graph=" + graphs.DEMO.value
            found.append((rule.endpoint, method, url))
    return found


def _fingerprint(store) -> str:
    """A digest of every quad of the store: equal before and after means nothing was written."""
    lines = sorted(str(q) for q in store.quads())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@pytest.fixture
def kb(tmp_path):
    with site(tmp_path) as (app, iris):
        yield app, iris, app.extensions["oscartes_store"]


def test_every_unsafe_route_refuses_anonymous_callers_and_writes_nothing(kb):
    app, _, store = kb
    client = app.test_client()
    routes = _unsafe_routes(app, store)
    assert len(routes) >= 15  # the URL map was read
    before = _fingerprint(store)
    for endpoint, method, url in routes:
        if endpoint in PUBLIC_WRITES and endpoint != "sparql.endpoint":
            continue
        body = {"update": "INSERT DATA { GRAPH <https://w3id.org/oscartes/graph/demo> "
                          f"{{ <https://w3id.org/oscartes/id/x> <http://e/p> \"{MARKER}\" }} }}",
                "label": MARKER, "name": MARKER, "comment": MARKER, "reason": MARKER}
        response = client.open(url, method=method, data=body)
        refused = response.status_code in (400, 401, 403, 404, 405) or (
            response.status_code in (302, 303) and "/login" in response.headers["Location"])
        assert refused, (endpoint, method, url, response.status_code)
    assert _fingerprint(store) == before


def test_contributors_are_refused_on_curator_routes_and_protocol_writes(kb):
    app, _, store = kb
    client = app.test_client()
    log_in(client, "contrib")
    token = csrf_from(client.get("/contribute/initiative").text)
    before = _fingerprint(store)
    checked = set()
    for endpoint, method, url in _unsafe_routes(app, store):
        if endpoint not in CURATOR_ONLY:
            continue
        response = client.open(url, method=method, headers={"X-CSRFToken": token},
                               data={"csrf_token": token, "comment": MARKER, "reason": MARKER})
        assert response.status_code == 403, (endpoint, method, url, response.status_code)
        checked.add(endpoint)
    update = client.post("/sparql", headers={"X-CSRFToken": token}, data={
        "update": f'INSERT DATA {{ GRAPH <{graphs.DEMO.value}> {{ <http://e/s> <http://e/p> "{MARKER}" }} }}'})
    assert update.status_code in (401, 403)
    assert checked == CURATOR_ONLY
    assert _fingerprint(store) == before


def test_form_posts_without_a_valid_csrf_token_are_refused(kb):
    app, _, store = kb
    client = app.test_client()
    log_in(client, "cura@example.org")
    before = _fingerprint(store)
    posted = 0
    for endpoint, method, url in _unsafe_routes(app, store):
        if method != "POST" or endpoint in PUBLIC_WRITES or endpoint.startswith(("api_entities.", "graph_store.")):
            continue  # the API and the Graph Store take bearer tokens (sessions need X-CSRFToken there)
        for token in (None, "forged-token"):
            data = {"label": MARKER, "comment": MARKER, "reason": MARKER, "name": MARKER}
            if token:
                data["csrf_token"] = token
            response = client.post(url, data=data)
            assert response.status_code == 400, (endpoint, url, token, response.status_code)
            assert "CSRF" in response.text or "jeton" in response.text.lower()
            posted += 1
    assert posted >= 10
    # The session-authenticated JSON API needs the CSRF header just the same.
    api = client.post("/api/entities", json={"@type": "Organisation", "label": MARKER})
    assert api.status_code in (400, 401, 403)
    assert _fingerprint(store) == before


def _propose(client, label: str, description: str = "Une initiative écrite pour les tests.") -> str:
    """Propose an initiative through the form; return its path."""
    token = csrf_from(client.get("/contribute/initiative").text)
    response = client.post("/contribute/initiative", data={
        "csrf_token": token, "label": label, "commune": "Massy (91377)",
        "description": description})
    assert response.status_code == 303, response.text[:500]
    mine = client.get("/my-contributions").text
    return re.search(r'href="(/id/initiative/[^"/]+)/edit"', mine).group(1)


def test_a_contributor_edits_only_their_own_entries_and_never_publishes(kb):
    app, iris, store = kb
    owner, other = app.test_client(), app.test_client()
    log_in(owner, "contrib")
    log_in(other, "contrib2")
    path = _propose(owner, "Initiative de Côme")
    slug = path.rsplit("/", 1)[1]
    before = _fingerprint(store)
    assert other.get(path + "/edit").status_code in (403, 404)
    token = csrf_from(other.get("/contribute/initiative").text)
    assert other.post(path + "/edit", data={"csrf_token": token, "label": "Volée"}).status_code in (403, 404)
    patched = other.patch(f"/api/entities/initiative/{slug}", json={"label": "Volée"},
                          headers={"X-CSRFToken": token}, content_type="application/ld+json")
    assert patched.status_code in (403, 404)
    own_token = csrf_from(owner.get("/contribute/initiative").text)
    for action in ("", "/publish"):
        response = owner.post(f"/curation/initiative/{slug}{action}", data={
            "csrf_token": own_token, **{f"verdict-{c}": "affirmed" for c in (
                "independance", "reponse-crise-systemique", "poursuite-des-communs",
                "refus-violence-discrimination", "ouverture-partage")}, "comment": "auto"})
        assert response.status_code == 403
    assert _fingerprint(store) == before
    # The owner may edit their own proposal.
    form = owner.get(path + "/edit")
    assert form.status_code == 200 and "Initiative de Côme" in form.text


def _crawl(client, start: list[str], limit: int = 400) -> dict[str, bytes]:
    """GET every same-site link reachable from ``start`` (at most ``limit`` pages)."""
    seen: dict[str, bytes] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        body = response.data
        response.close()  # a file sent by send_file stays open until then
        if response.headers.get("Content-Encoding") == "gzip" or url.endswith(".gz"):
            body = gzip.decompress(body)
        seen[url] = body
        if "html" in response.headers.get("Content-Type", ""):
            for href in re.findall(r'href="([^"#]+)"', body.decode("utf-8", "replace")):
                target = urljoin(url, href.replace("&amp;", "&"))
                parts = urlsplit(target)
                if not parts.netloc and parts.path.startswith("/") and not parts.path.startswith("/static/"):
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_private_content_never_reaches_a_public_route(kb):
    """A unique marker in every kind of private data (a proposal, a person's contacts, the
    history of both, an account's display name, a saved search), then every public route."""
    app, _, store = kb
    contributor = app.test_client()
    log_in(contributor, "contrib")
    # (the label gives the slug, which a URL shows: the marker goes in the description)
    path = _propose(contributor, "Projet confidentiel", f"Description {MARKER} {BAIT} du projet.")
    token = csrf_from(contributor.get("/watch").text)
    contributor.post("/watch", data={"csrf_token": token, "name": f"Veille {MARKER}", "q": BAIT})
    person = ox.NamedNode("https://w3id.org/oscartes/id/person/secret")
    store.insert([ox.Quad(person, ox.NamedNode("http://schema.org/email"),
                          ox.Literal(f"{MARKER}.{BAIT}@example.org"), graphs.PRIVATE_CONTACTS)])
    from oscartes_kg import accounts
    accounts.create(store, "marqueur", "un mot de passe assez long", "contributor", f"{MARKER} {BAIT}")
    private = [g for g in store.graphs() if not graphs.is_public(g)]
    assert {graphs.PRIVATE_PROPOSALS, graphs.PRIVATE_CONTACTS, graphs.PRIVATE_HISTORY,
            graphs.PRIVATE_ACCOUNTS} <= set(private)
    assert any(MARKER in str(q) for g in private for q in store.quads(None, None, None, g))

    anonymous = app.test_client()
    sparql = [
        f'SELECT * WHERE {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{BAIT}")) }}',
        f'SELECT * WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(CONTAINS(STR(?o), "{BAIT}")) }}',
        *[f'SELECT * FROM <{g.value}> WHERE {{ ?s ?p ?o }}' for g in private],
        *[f'SELECT * FROM NAMED <{g.value}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}' for g in private],
        f"DESCRIBE <https://w3id.org/oscartes/id/person/secret> <https://w3id.org/oscartes{path}>",
    ]
    start = ["/", "/search?q=" + BAIT, "/search.json?q=" + BAIT, "/api/map.geojson",
             "/calls.atom", "/initiatives.atom", "/agenda.ics", "/dumps/public.nq.gz",
             "/dumps/public.ttl", "/void", "/queries", "/watch/feed.atom?q=" + BAIT,
             "/reconcile?queries=" + '{"q0":{"query":"%s"}}' % BAIT,
             "/reconcile/suggest/entity?prefix=" + BAIT, "/reconcile/suggest/entity?prefix=Projet", path, path + ".ttl", path + "/history",
             "/id/person/secret", "/id/person/secret.ttl", "/my-contributions", "/curation",
             *[f"/export/{name}" for name in ("geojson", "csv", "jsonld", "gogocarto", "murmurations")],
             *[f"/graph-store?graph={g.value}" for g in private], "/graph-store?default"]
    pages = _crawl(anonymous, start)
    for query in sparql:
        for params in ({"query": query}, {"query": query, "default-graph-uri": private[0].value},
                       {"query": query, "named-graph-uri": private[0].value}):
            pages[f"/sparql {params}"] = anonymous.get("/sparql", query_string=params).data
    assert len(pages) > 40
    leaks = [url for url, body in pages.items() if MARKER.encode() in body]
    assert leaks == []
    # The marker is there to be found: a curator reads the proposal on its curation page.
    curator = app.test_client()
    log_in(curator, "cura@example.org")
    assert MARKER in curator.get(path.replace("/id/", "/curation/")).text
