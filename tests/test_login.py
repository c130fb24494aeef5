"""Logging in with sessions (app.login, app.sessions, app.auth): cookies, CSRF, throttling, roles.

The real app on an embedded store on disk, through Flask's test client (http and https) and over
real HTTP (live server). How CSRF applies to the protocols, as tested here: on /sparql and
/graph-store a session cookie counts only when the request carries a valid ``X-CSRFToken``
header; without it the request is anonymous (SPARQL clients keep posting queries), so a
cross-site form can never write with a curator's cookie. Bearer-token calls need no CSRF token.
"""
from __future__ import annotations

import os
import stat

import pytest
import requests
from flask import Blueprint, jsonify
from werkzeug.http import parse_cookie

from app import create_app
from app.auth import current_role, current_user, require_role
from oscartes_kg import accounts, bootstrap, roles, tokens
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

from web_helpers import PASSWORD, csrf_from, log_in
COLLECTIVE = "https://w3id.org/oscartes/id/organisation/oscartes"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
REFUSED = "Identifiant ou mot de passe incorrect."


@pytest.fixture
def app(tmp_path):
    """The app on the demo data, with a curator, a contributor, an admin and a disabled curator,
    and a form route guarded like the coming contribution forms (``POST /test-form``)."""
    data = tmp_path / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        accounts.create(store, "cura@example.org", PASSWORD, "curator", "Camille Curatrice")
        accounts.create(store, "contrib", PASSWORD, "contributor", "Côme Contributeur")
        accounts.create(store, "root", PASSWORD, "admin", "Ada Admin")
        accounts.create(store, "gone", PASSWORD, "curator", "Gaston Parti")
        accounts.disable(store, "gone")
    app = create_app(Settings(data=data))
    guarded = Blueprint("guarded_form", __name__)

    @guarded.post("/test-form")
    @require_role(roles.can_update)
    def form():
        return jsonify({"role": current_role(), "login": current_user().login})

    app.register_blueprint(guarded)
    yield app
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def session_cookie(response) -> dict:
    """The attributes of the session's Set-Cookie, lower-cased names (value under 'value')."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("oscartes_session="):
            parts = [p.strip() for p in header.split(";")]
            attributes = {p.split("=", 1)[0].lower(): (p.split("=", 1) + [True])[1] for p in parts[1:]}
            return {"value": parts[0].split("=", 1)[1], **attributes}
    raise AssertionError("no session cookie")


def test_login_shows_the_user_in_the_header_and_logout_ends_it(app):
    client = app.test_client()
    page = client.get("/login")
    assert page.status_code == 200 and "Connexion" in page.text and 'lang="fr"' in page.text
    answer = log_in(client)
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    home = client.get("/")
    assert "Connecté·e en tant que" in home.text and "Camille Curatrice" in home.text
    assert "(<span class=\"account-role\">curator</span>)" in home.text
    out = client.post("/logout", data={"csrf_token": csrf_from(home.text)})
    assert out.status_code == 303
    after = client.get("/")
    assert "Camille Curatrice" not in after.text and 'href="/login?next=' in after.text


def test_the_login_page_in_english(app):
    page = app.test_client().get("/login?lang=en")
    assert "Log in" in page.text and "Password" in page.text and 'action="/login?lang=en"' in page.text


def test_cookie_flags_over_http_and_https(app):
    plain = log_in(app.test_client())
    cookie = session_cookie(plain)
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax" and "secure" not in cookie
    assert "expires" in cookie  # the login ends after session_hours
    secure_client = app.test_client()
    token = csrf_from(secure_client.get("/login", base_url="https://localhost").text)
    answer = secure_client.post("/login", base_url="https://localhost",
                                headers={"Referer": "https://localhost/login"},
                                data={"login": "cura@example.org", "password": PASSWORD,
                                      "csrf_token": token})
    assert answer.status_code == 303
    cookie = session_cookie(answer)
    assert cookie["secure"] is True and cookie["httponly"] is True and cookie["samesite"] == "Lax"


def test_forwarded_proto_counts_only_behind_a_trusted_proxy(tmp_path):
    data = tmp_path / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store)
    headers = {"X-Forwarded-Proto": "https"}
    for behind, secure in ((False, False), (True, True)):
        app = create_app(Settings(data=data, behind_proxy=behind))
        try:
            answer = app.test_client().get("/login", headers=headers)
            assert ("secure" in session_cookie(answer)) is secure
        finally:
            app.extensions["oscartes_runner"].shutdown()
            app.extensions["oscartes_store"].close()


def test_posts_without_a_valid_csrf_token_are_refused_in_french(app):
    client = app.test_client()
    client.get("/login")
    for data in ({"login": "cura@example.org", "password": PASSWORD},
                 {"login": "cura@example.org", "password": PASSWORD, "csrf_token": "forged"}):
        answer = client.post("/login", data=data, headers={"Accept": "text/html"})
        assert answer.status_code == 400
        assert "jeton anti-falsification CSRF" in answer.text and "Camille" not in answer.text
    # A token from another browser's session is worth nothing here either.
    other = csrf_from(app.test_client().get("/login").text)
    answer = client.post("/login", data={"login": "cura@example.org", "password": PASSWORD,
                                         "csrf_token": other})
    assert answer.status_code == 400 and answer.json["status"] == 400
    log_in(client)
    assert client.post("/logout").status_code == 400
    assert "Camille Curatrice" in client.get("/").text


def test_the_session_is_rotated_at_login(app):
    client = app.test_client()
    before_token = csrf_from(client.get("/login").text)
    before_cookie = client.get_cookie("oscartes_session").value
    log_in(client)
    assert client.get_cookie("oscartes_session").value != before_cookie
    after_token = csrf_from(client.get("/").text)
    assert after_token != before_token
    # The token of the pre-login session no longer validates anything.
    assert client.post("/logout", data={"csrf_token": before_token}).status_code == 400
    assert client.post("/logout", data={"csrf_token": after_token}).status_code == 303


def test_wrong_unknown_and_disabled_get_the_same_answer(app):
    answers = []
    for login, password in (("cura@example.org", "pas le bon mot de passe"),
                            ("personne@example.org", PASSWORD), ("gone", PASSWORD)):
        client = app.test_client()
        answer = log_in(client, login, password)
        answers.append((answer.status_code, REFUSED in answer.text))
        assert "Connecté·e" not in client.get("/").text
    assert answers == [(200, True)] * 3


def test_five_failures_lock_a_login_from_any_address(app):
    client = app.test_client()
    for attempt in range(5):
        answer = log_in(client, "contrib", "faux", environ_base={"REMOTE_ADDR": f"10.0.0.{attempt}"})
        assert REFUSED in answer.text
    locked = log_in(client, "contrib", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert locked.status_code == 429 and "Trop de tentatives" in locked.text
    assert 800 < int(locked.headers["Retry-After"]) <= 900
    assert "Connecté·e" not in client.get("/").text
    # Another login from a fresh address is not affected.
    assert log_in(app.test_client(), "root", PASSWORD,
                  environ_base={"REMOTE_ADDR": "10.0.2.1"}).status_code == 303


def test_five_failures_lock_an_address_for_every_login(app):
    client = app.test_client()
    for attempt in range(5):
        log_in(client, f"inconnu{attempt}", "faux", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    locked = log_in(client, "root", PASSWORD, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert locked.status_code == 429
    assert log_in(app.test_client(), "root", PASSWORD,
                  environ_base={"REMOTE_ADDR": "10.9.9.8"}).status_code == 303


def test_a_successful_login_resets_the_count(app):
    for _ in range(2):
        for attempt in range(4):
            log_in(app.test_client(), "contrib", "faux", environ_base={"REMOTE_ADDR": f"10.1.{attempt}.1"})
        assert log_in(app.test_client(), "contrib", PASSWORD,
                      environ_base={"REMOTE_ADDR": "10.1.9.1"}).status_code == 303


def test_next_stays_on_this_site(app):
    client = app.test_client()
    token = csrf_from(client.get("/login?next=/agenda").text)
    for target, expected in (("/agenda", "/agenda"), ("//evil.example/x", "/"),
                             ("https://evil.example/", "/"), ("/\\evil.example", "/")):
        answer = client.post("/login", data={"login": "root", "password": PASSWORD,
                                             "csrf_token": token, "next": target})
        assert answer.headers["Location"] == expected
        token = csrf_from(client.get("/login").text)


# --- the session's role reaches auth.require ---------------------------------------------------

def test_a_guarded_form_takes_the_session_role_with_its_csrf_token(app):
    json = {"Accept": "application/json"}
    anonymous = app.test_client().post("/test-form", headers=json)
    assert anonymous.status_code == 401 and "/login" in anonymous.json["error"]
    client = app.test_client()
    log_in(client)
    token = csrf_from(client.get("/").text)
    assert client.post("/test-form", headers=json).status_code == 400
    answer = client.post("/test-form", data={"csrf_token": token}, headers=json)
    assert answer.status_code == 200
    assert answer.json == {"role": "curator", "login": "cura@example.org"}
    contributor = app.test_client()
    log_in(contributor, "contrib")
    token = csrf_from(contributor.get("/").text)
    refused = contributor.post("/test-form", data={"csrf_token": token}, headers=json)
    assert refused.status_code == 403 and "contributor" in refused.json["error"]
    # Logging out needs the token even without a session (no cross-site log-out either).
    assert app.test_client().post("/logout").status_code == 400


def _update(link: str) -> dict:
    return {"update": f"INSERT DATA {{ <{COLLECTIVE}> <{SEE_ALSO}> <{link}> }}"}


def _has_link(app, link: str) -> bool:
    store = app.extensions["oscartes_store"]
    return bool(store.query(f"ASK {{ GRAPH ?g {{ <{COLLECTIVE}> <{SEE_ALSO}> <{link}> }} }}"))


def test_a_logged_in_curator_updates_sparql_only_with_the_csrf_header(app):
    client = app.test_client()
    log_in(client)
    token = csrf_from(client.get("/").text)
    without = client.post("/sparql", data=_update("https://example.org/no-header"),
                          headers={"Accept": "application/json"})
    assert without.status_code == 401  # the cookie alone counts for nothing on the protocols
    assert not _has_link(app, "https://example.org/no-header")
    forged = client.post("/sparql", data=_update("https://example.org/forged"),
                         headers={"X-CSRFToken": "forged", "Accept": "application/json"})
    assert forged.status_code == 400 and not _has_link(app, "https://example.org/forged")
    answer = client.post("/sparql", data=_update("https://example.org/with-header"),
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 204, answer.text
    assert _has_link(app, "https://example.org/with-header")
    # Anonymous SPARQL clients still POST queries without any CSRF token.
    query = app.test_client().post("/sparql", data={"query": "ASK {}"},
                                   headers={"Accept": "application/sparql-results+json"})
    assert query.status_code == 200 and query.json["boolean"] is True


def test_a_logged_in_contributor_is_403_and_the_graph_store_follows_the_same_rule(app):
    client = app.test_client()
    log_in(client, "contrib")
    token = csrf_from(client.get("/").text)
    answer = client.post("/sparql", data=_update("https://example.org/contrib"),
                         headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert answer.status_code == 403 and "contributor" in answer.json["error"]
    curator = app.test_client()
    log_in(curator)
    token = csrf_from(curator.get("/").text)
    graph = "https://w3id.org/oscartes/graph/contributions"
    body = f"<{COLLECTIVE}> <{SEE_ALSO}> <https://example.org/gsp> ."
    headers = {"Content-Type": "text/turtle", "Accept": "application/json"}
    assert curator.post("/graph-store", query_string={"graph": graph}, data=body,
                        headers=headers).status_code == 401
    done = curator.post("/graph-store", query_string={"graph": graph}, data=body,
                        headers={**headers, "X-CSRFToken": token})
    assert done.status_code in (200, 201, 204), done.text
    assert _has_link(app, "https://example.org/gsp")


def test_a_bearer_token_wins_over_the_session_and_needs_no_csrf(app):
    store = app.extensions["oscartes_store"]
    curator_token = tokens.create(store, "curator")[1]
    client = app.test_client()
    log_in(client, "contrib")
    answer = client.post("/sparql", data=_update("https://example.org/bearer"),
                         headers={"Authorization": f"Bearer {curator_token}"})
    assert answer.status_code == 204 and _has_link(app, "https://example.org/bearer")
    # An invalid token is not made good by a curator's session.
    log_in(client)
    token = csrf_from(client.get("/").text)
    bad = client.post("/sparql", data=_update("https://example.org/bad-bearer"),
                      headers={"Authorization": "Bearer oscartes_0123456789ab_nope",
                               "X-CSRFToken": token, "Accept": "application/json"})
    assert bad.status_code == 401


def test_disabling_or_changing_a_role_applies_to_open_sessions(app):
    store = app.extensions["oscartes_store"]
    client = app.test_client()
    log_in(client, "root")
    assert "Ada Admin" in client.get("/").text
    accounts.set_role(store, "root", "contributor")
    assert "(<span class=\"account-role\">contributor</span>)" in client.get("/").text
    accounts.disable(store, "root")
    assert "Ada Admin" not in client.get("/").text


def test_the_secret_key_is_kept_in_the_data_folder_with_mode_0600(app, tmp_path):
    key_file = tmp_path / "kb" / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert app.secret_key == key_file.read_text(encoding="utf-8").strip() and len(app.secret_key) >= 40
    assert not [p for p in key_file.parent.iterdir() if p.name.startswith(".secret_key.")]


def test_a_set_secret_key_is_used_and_shared_between_processes(tmp_path):
    data = tmp_path / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store)
        accounts.create(store, "nina", PASSWORD, "curator", "Nina")
    first = create_app(Settings(data=data, secret_key="k" * 40))
    client = first.test_client()
    log_in(client, "nina")
    cookie = client.get_cookie("oscartes_session").value
    first.extensions["oscartes_runner"].shutdown()
    first.extensions["oscartes_store"].close()
    assert not (data / "secret_key").exists()
    for key, seen in (("k" * 40, True), ("z" * 40, False)):
        other = create_app(Settings(data=data, secret_key=key))
        try:
            browser = other.test_client()
            browser.set_cookie("oscartes_session", cookie)
            assert ("Nina" in browser.get("/").text) is seen
        finally:
            other.extensions["oscartes_runner"].shutdown()
            other.extensions["oscartes_store"].close()


# --- over real HTTP ----------------------------------------------------------------------------

def test_login_and_logout_over_a_live_server(app, live_server):
    url = live_server(app)
    browser = requests.Session()
    page = browser.get(f"{url}/login", timeout=10)
    answer = browser.post(f"{url}/login", timeout=10, allow_redirects=False,
                          data={"login": "cura@example.org", "password": PASSWORD,
                                "csrf_token": csrf_from(page.text)})
    assert answer.status_code == 303
    raw = [h for h in answer.raw.headers.getlist("Set-Cookie") if h.startswith("oscartes_session=")]
    assert len(raw) == 1 and "HttpOnly" in raw[0] and "SameSite=Lax" in raw[0]
    assert "Secure" not in raw[0]
    assert "session" not in parse_cookie(raw[0].split(";")[0])  # named oscartes_session
    home = browser.get(f"{url}/", timeout=10)
    assert "Camille Curatrice" in home.text
    out = browser.post(f"{url}/logout", data={"csrf_token": csrf_from(home.text)}, timeout=10)
    assert out.status_code == 200 and "Camille Curatrice" not in out.text
    refused = requests.post(f"{url}/login", data={"login": "cura@example.org", "password": PASSWORD},
                            headers={"Accept": "text/html"}, timeout=10)
    assert refused.status_code == 400 and "CSRF" in refused.text
