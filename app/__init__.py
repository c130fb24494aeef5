"""The Flask browser and SPARQL endpoint over the knowledge base (a thin layer: no SPARQL here)."""
from __future__ import annotations

import logging
import os
import signal
import threading
import time

from flask import Flask

from oscartes_kg.config import Settings

__all__ = ["create_app", "serve"]

log = logging.getLogger("oscartes_kg.app")


def create_app(settings: Settings | None = None) -> Flask:
    """The app factory: tests pass ``Settings`` pointing at ``tmp_path``; production reads the env."""
    app = Flask(__name__)
    app.config["OSCARTES"] = settings or Settings.from_env()
    app.json.ensure_ascii = False
    from .fast_queries import FastQueries

    app.wsgi_app = FastQueries(app, app.wsgi_app)  # plain public queries skip Flask's machinery
    from . import (agenda, api_entities, calls, competences, contribute, curation, dashboard,
                   duplicates, entities, errors, exports, graph_store, history, home, i18n, kb,
                   login, map, matches, named_queries, ontology_docs, privacy, reconcile,
                   resources, search, service, sessions, site, sparql, watch)
    for module in (kb, errors, i18n, site, sessions, login):
        module.init_app(app)
    # Browsing and the protocols (issues 2-4), contributing and curating (5), interlinking (6),
    # matching, watch and dashboards (7).
    for module in (home, sparql, graph_store, named_queries, service, agenda, calls, entities,
                   ontology_docs, search, map, privacy,
                   contribute, api_entities, curation, history,
                   exports, reconcile, duplicates,
                   matches, competences, watch, dashboard, resources):
        app.register_blueprint(module.bp)
    return app


#: The HTTP servers ``serve`` can run the app with; the first is the default.
SERVERS = ("granian", "waitress")


def serve(settings: Settings, server: str = SERVERS[0]) -> None:
    """Run the app under a production HTTP server until stopped.

    granian (HTTP in Rust, the WSGI app on Python threads) by default: a request costs about
    0.3 ms less than under waitress, whose pure-Python HTTP handling alone takes most of the
    1.5x budget against Oxigraph's own server (bench/RESULTS.md, issue 3). waitress (pure
    Python, no compiled part) remains for platforms without a granian wheel.
    """
    log.warning("oscartes-kg: http://%s:%s/ (SPARQL: /sparql), %s", settings.host, settings.port,
                server)
    if server == "waitress":
        from waitress import serve as waitress_serve

        waitress_serve(_started(settings), host=settings.host, port=settings.port, threads=4)
        return
    from granian.constants import Interfaces
    from granian.server import Server

    # One worker process (the embedded store admits one writer), forked once the server listens;
    # it makes the app itself, so that the store is opened in the process that serves it.
    parent = os.getpid()

    def worker_app(_target):
        _stop_when_orphaned(parent)
        return _started(settings)

    Server("app:create_app", address=settings.host, port=settings.port, interface=Interfaces.WSGI,
           workers=1, blocking_threads=4, log_access=False).serve(target_loader=worker_app)


def _stop_when_orphaned(parent: int) -> None:
    """Stop this worker when its parent is gone: killed outright (SIGKILL), granian's main
    process cannot stop it, and it would keep the port and the store's lock for good."""
    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        log.warning("oscartes-kg: the server's main process is gone; stopping")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10.0)  # a graceful stop finishes the requests under way...
        os._exit(1)  # ...but must not wait forever for a client that is gone

    threading.Thread(target=watch, daemon=True, name="orphan-watch").start()


def _started(settings: Settings) -> Flask:
    """The app, with its per-version caches being built in the background."""
    app = create_app(settings)
    threading.Thread(target=_warm_up, args=(app.extensions["oscartes_store"],), daemon=True,
                     name="warm-up").start()
    return app


def _warm_up(store) -> None:
    """Build what some pages read once per data version (the matching index, the history's
    first months) while the server already answers: at 100,000 organisations they take 20 s
    and 5 s, which the first visitor of those pages would otherwise wait (bench/RESULTS.md)."""
    from oscartes_kg import dashboard, matching_index

    for build in (matching_index.index, dashboard.first_months):
        try:
            build(store)
        except Exception:  # a page builds it again on demand, and reports what went wrong
            log.exception("warm-up: %s failed", build.__qualname__)
