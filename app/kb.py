"""The store for the running app: opened once per process, closed when the process ends."""
from __future__ import annotations

import atexit

from flask import Flask, current_app

from oscartes_kg import graphs
from oscartes_kg.store import open_store

__all__ = ["init_app", "get_store", "run_public_query"]


def init_app(app: Flask) -> None:
    """Open the store named by the app's settings (the embedded store allows one process)."""
    settings = app.config["OSCARTES"]
    store = open_store(data=settings.data, remote_url=settings.remote_url,
                       remote_update_url=settings.remote_update_url,
                       remote_store_url=settings.remote_store_url, timeout=settings.remote_timeout)
    app.extensions["oscartes_store"] = store
    atexit.register(store.close)


def get_store():
    """The app's store."""
    return current_app.extensions["oscartes_store"]


def run_public_query(sparql: str):
    """Run a query typed by a visitor on the public graphs only (default and named graphs)."""
    from oscartes_kg.queries import run_text

    return run_text(get_store(), sparql, include_private=False)


def public_graphs() -> list:
    """The public graphs, for the home page's summary."""
    return graphs.public(get_store().graphs())
