"""The web guard (app.auth): bearer tokens, 401 with WWW-Authenticate, 403 for a weak role.

The real app (``create_app`` on an embedded store on disk) with one test route guarded like a
write route, served over real HTTP.
"""
from __future__ import annotations

import pytest
import requests
from flask import Blueprint, jsonify

from app import create_app
from app.auth import current_role, require_role
from oscartes_kg import bootstrap, roles, tokens
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store


@pytest.fixture
def served(tmp_path, live_server):
    """(base URL, {role: token}, the app's store) for an app with a guarded /test-write route."""
    data = tmp_path / "data"
    with open_store(data=data) as store:
        bootstrap.init_store(store)
    app = create_app(Settings(data=data))
    guarded = Blueprint("guarded", __name__)

    @guarded.post("/test-write")
    @require_role(roles.can_update)
    def write():
        return jsonify({"role": current_role()})

    @guarded.get("/test-whoami")
    def whoami():
        return jsonify({"role": current_role()})

    app.register_blueprint(guarded)
    store = app.extensions["oscartes_store"]
    issued = {role: tokens.create(store, role)[1] for role in roles.ROLES}
    yield live_server(app), issued, store
    store.close()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def test_a_curator_or_admin_token_passes(served):
    url, issued, _ = served
    for role in ("curator", "admin"):
        answer = requests.post(f"{url}/test-write", headers=bearer(issued[role]), timeout=10)
        assert answer.status_code == 200 and answer.json() == {"role": role}


def test_no_or_invalid_token_is_401_with_the_bearer_challenge(served):
    url, issued, _ = served
    cases = [{}, bearer("oscartes_0123456789ab_nope"), bearer(""), bearer(issued["admin"] + "x"),
             {"Authorization": f"Basic {issued['admin']}"}]
    for headers in cases:
        answer = requests.post(f"{url}/test-write", headers={"Accept": "application/json", **headers},
                               timeout=10)
        assert answer.status_code == 401, headers
        assert answer.headers["WWW-Authenticate"] == 'Bearer realm="oscartes-kg"'
        body = answer.json()
        assert body["ok"] is False and body["status"] == 401 and "Bearer" in body["error"]


def test_a_contributor_token_is_403(served):
    url, issued, _ = served
    answer = requests.post(f"{url}/test-write", headers=bearer(issued["contributor"]), timeout=10)
    assert answer.status_code == 403
    assert "contributor" in answer.json()["error"]
    assert "WWW-Authenticate" not in answer.headers


def test_a_revoked_token_is_401_and_reads_are_anonymous_without_token(served):
    url, issued, store = served
    assert requests.get(f"{url}/test-whoami", timeout=10).json() == {"role": None}
    assert requests.get(f"{url}/test-whoami", headers=bearer(issued["curator"]),
                        timeout=10).json() == {"role": "curator"}
    tokens.revoke(store, issued["curator"].split("_")[1])
    assert requests.post(f"{url}/test-write", headers=bearer(issued["curator"]),
                         timeout=10).status_code == 401
    assert requests.get(f"{url}/test-whoami", headers=bearer(issued["curator"]),
                        timeout=10).json() == {"role": None}
