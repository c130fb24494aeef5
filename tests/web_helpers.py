"""What the web tests share: a site on the demo data with one account per role, and logging in.

Tests of the contribution, review, history and GDPR pages each build this same site, so it
lives here once: the real app on an embedded store on disk, driven through Flask's test client.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from app import create_app
from oscartes_kg import accounts, bootstrap
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

PASSWORD = "un mot de passe assez long"
#: A steering-committee member of the demo data: a curator acting for it may sign reviews.
MEMBER = "https://w3id.org/oscartes/id/organisation/poles-noe"
#: One account per role (login -> (role, display name, acts for)).
ACCOUNTS = {
    "cura@example.org": ("curator", "Camille Curatrice", MEMBER),
    "contrib": ("contributor", "Côme Contributeur", None),
    "contrib2": ("contributor", "Cléo Contributrice", None),
    "root": ("admin", "Ada Admin", None),
}


def csrf_from(html: str) -> str:
    """The CSRF token of the first form of ``html``."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, login: str = "cura@example.org", password: str = PASSWORD, **extra):
    """Log ``client`` in through the real login form (with its CSRF token)."""
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token},
                       **extra)


def make_site_data(data: Path) -> dict:
    """Create a store at ``data`` with the demo data and ``ACCOUNTS``; return login -> account IRI."""
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        return {login: accounts.create(store, login, PASSWORD, role, name, acts_for=acts_for).iri
                for login, (role, name, acts_for) in ACCOUNTS.items()}


@contextmanager
def site(tmp_path: Path, **settings):
    """The app on a fresh demo store with ``ACCOUNTS``; yields (app, login -> account IRI)."""
    data = tmp_path / "kb"
    iris = make_site_data(data)
    app = create_app(Settings(data=data, **settings))
    try:
        yield app, iris
    finally:
        app.extensions["oscartes_runner"].shutdown()
        app.extensions["oscartes_store"].close()
