"""The store and the query runner of the running app: opened once per process, closed at exit."""
from __future__ import annotations

import atexit

from flask import Flask, current_app

from oscartes_kg import graphs
from oscartes_kg.config import Settings
from oscartes_kg.limits import Limits, Runner
from oscartes_kg.store import open_store

__all__ = ["init_app", "get_store", "settings", "runner", "runner_of", "run_public_query"]


def init_app(app: Flask) -> None:
    """Open the store named by the app's settings (the embedded store allows one process)."""
    settings = app.config["OSCARTES"]
    store = open_store(data=settings.data, remote_url=settings.remote_url,
                       remote_update_url=settings.remote_update_url,
                       remote_store_url=settings.remote_store_url, timeout=settings.remote_timeout,
                       read_only=settings.read_only)
    app.extensions["oscartes_store"] = store
    limits = Limits(timeout=settings.query_timeout, max_rows=settings.query_max_rows)
    app.extensions["oscartes_runner"] = Runner(limits, workers=settings.query_workers)
    # Queries that call a partner (SERVICE) get their own small pool: pyoxigraph has no timeout
    # for SERVICE calls, so a partner that hangs keeps a thread for good; it must never take
    # the threads every other query needs (the client still gets its answer at the time limit).
    app.extensions["oscartes_federation_runner"] = Runner(limits, workers=settings.query_workers)
    atexit.register(store.close)


def get_store():
    """The app's store."""
    return current_app.extensions["oscartes_store"]


def settings() -> Settings:
    """The app's settings."""
    return current_app.config["OSCARTES"]


def runner(*, federated: bool = False) -> Runner:
    """The pool that runs SPARQL queries under the time limit and row cap; ``federated``
    queries (with SERVICE) have a pool of their own."""
    return runner_of(current_app, federated=federated)


def runner_of(app: Flask, *, federated: bool = False) -> Runner:
    """``runner`` for a given app, outside a request (``app.fast_queries``)."""
    return app.extensions["oscartes_federation_runner" if federated else "oscartes_runner"]


def run_public_query(sparql: str):
    """Run a query typed by a visitor on the public graphs only (default and named graphs)."""
    from oscartes_kg.queries import run_text

    return run_text(get_store(), sparql, include_private=False)


def public_graphs() -> list:
    """The public graphs, for the home page's summary."""
    return graphs.public(get_store().graphs())
