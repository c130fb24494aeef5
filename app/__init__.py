"""The Flask browser and SPARQL endpoint over the knowledge base (a thin layer: no SPARQL here)."""
from __future__ import annotations

import logging
import threading

from flask import Flask

from oscartes_kg.config import Settings

__all__ = ["create_app", "serve"]

log = logging.getLogger("oscartes_kg.app")


def create_app(settings: Settings | None = None) -> Flask:
    """The app factory: tests pass ``Settings`` pointing at ``tmp_path``; production reads the env."""
    app = Flask(__name__)
    app.config["OSCARTES"] = settings or Settings.from_env()
    app.json.ensure_ascii = False
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


def serve(settings: Settings) -> None:
    """Run the app with waitress, a production WSGI server in pure Python (no C build, no CDN)."""
    from waitress import serve as waitress_serve

    app = create_app(settings)
    log.warning("oscartes-kg: http://%s:%s/ (SPARQL: /sparql)", settings.host, settings.port)
    threading.Thread(target=_warm_up, args=(app.extensions["oscartes_store"],), daemon=True,
                     name="warm-up").start()
    waitress_serve(app, host=settings.host, port=settings.port, threads=4)


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
