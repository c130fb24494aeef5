"""Logging in through the form in a real headless Chromium (Debian's, driven by playwright):
the header shows who is connected, the log-out button ends the session, and the session cookie
is out of reach of page scripts (HttpOnly)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app import create_app
from oscartes_kg import accounts, bootstrap
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

PASSWORD = "un mot de passe assez long"


@pytest.fixture(scope="module")
def site(tmp_path_factory, module_live_server):
    """The app on the demo data with one curator account, over HTTP on 127.0.0.1."""
    data = tmp_path_factory.mktemp("login-browser") / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        accounts.create(store, "camille@example.org", PASSWORD, "curator", "Camille <b>Curatrice</b>")
    app = create_app(Settings(data=data))
    yield module_live_server(app)
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def test_log_in_see_the_header_and_log_out(browser, site):
    context = browser.new_context(locale="fr-FR")
    own = urlsplit(site).netloc
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == own
                  else route.abort())
    try:
        page = context.new_page()
        page.goto(site + "/agenda")
        page.get_by_role("link", name="Se connecter").click()
        page.wait_for_url(lambda url: urlsplit(url).path == "/login")
        page.get_by_label("Identifiant").fill("camille@example.org")
        page.get_by_label("Mot de passe").fill("pas le bon")
        page.get_by_role("button", name="Se connecter").click()
        assert page.get_by_role("alert").inner_text() == "Identifiant ou mot de passe incorrect."
        assert page.get_by_label("Identifiant").input_value() == "camille@example.org"
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(site + "/agenda")  # back where the visitor was
        status = page.locator(".account-status")
        # The display name is shown as text: its markup is escaped, not rendered.
        assert status.locator(".account-name").inner_text() == "Camille <b>Curatrice</b>"
        assert "Connecté·e en tant que" in status.inner_text() and "curator" in status.inner_text()
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["oscartes_session"]["httpOnly"] is True
        assert cookies["oscartes_session"]["sameSite"] == "Lax"
        assert "oscartes_session" not in page.evaluate("document.cookie")
        status.get_by_role("button", name="se déconnecter").click()
        page.wait_for_url(site + "/")
        assert page.locator(".account-status").inner_text().strip() == "Se connecter"
        assert page.locator(".account-name").count() == 0
    finally:
        context.close()
