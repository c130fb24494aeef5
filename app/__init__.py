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
    from . import agenda, api_entities, calls, contribute, entities, errors, graph_store, home, i18n, kb, login, map, named_queries, ontology_docs, search, service, sessions, site, sparql
    kb.init_app(app)
    errors.init_app(app)
    i18n.init_app(app)
    site.init_app(app)
    sessions.init_app(app)
    login.init_app(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(named_queries.bp)
    app.register_blueprint(service.bp)
    app.register_blueprint(agenda.bp)
    app.register_blueprint(calls.bp)
    app.register_blueprint(entities.bp)
    app.register_blueprint(ontology_docs.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(map.bp)
    app.register_blueprint(contribute.bp)
    app.register_blueprint(api_entities.bp)
    from .curation import bp as curation_bp; app.register_blueprint(curation_bp)  # noqa: E702
    from .exports import bp as exports_bp; app.register_blueprint(exports_bp)  # noqa: E702 - issue 6
    from .matches import bp as matches_bp; app.register_blueprint(matches_bp)  # noqa: E702 - issue 7
    from .competences import bp as competences_bp; app.register_blueprint(competences_bp)  # noqa: E702 - issue 7
    from .reconcile import bp as reconcile_bp; app.register_blueprint(reconcile_bp)  # noqa: E702 - issue 6
    from .privacy import bp as privacy_bp; app.register_blueprint(privacy_bp)  # noqa: E702 - GDPR notice
    from .history import bp as history_bp; app.register_blueprint(history_bp)  # noqa: E702 - write history
    from .watch import bp as watch_bp; app.register_blueprint(watch_bp)  # noqa: E702 - issue 7 watch
    from .dashboard import bp as dashboard_bp; app.register_blueprint(dashboard_bp)  # noqa: E702 - issue 7
    from .resources import bp as resources_bp; app.register_blueprint(resources_bp)  # noqa: E702 - issue 7 §5
    from .duplicates import bp as duplicates_bp; app.register_blueprint(duplicates_bp)  # noqa: E702 - issue 6 §2
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
