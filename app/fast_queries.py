"""The commonest request, answered without Flask's request machinery: an anonymous
``GET /sparql?query=...`` that wants SPARQL JSON results (what SPARQLWrapper, YASGUI, rdflib's
``SPARQLStore`` and scripts send, again and again).

Flask's request context, routing and hooks cost about 0.3 ms per request, a fifth of the whole
answer to a simple SELECT and most of the gap to Oxigraph's own server (bench/RESULTS.md,
issue 3). This WSGI middleware recognises such a request from the environ alone and answers it
with the route's own code (``app.sparql.answer_query``), so the two cannot differ; the tests
compare them byte for byte.

Anything else goes to Flask untouched: a cookie that may carry a session, a token, another
method, path, parameter or format, a query calling ``SERVICE``, a query rdflib must parse to be
checked. An error met on the way (time limit, busy, evaluation) is rendered by Flask's own error
handlers, as the route would render it.
"""
from __future__ import annotations

import functools
from urllib.parse import unquote_plus

from flask import Flask

from oscartes_kg import query_scope
from oscartes_kg.errors import OscartesError

from . import kb
from .result_formats import query_kind
from .sparql import answer_query, choose_format

__all__ = ["FastQueries"]

NO_DATASET = {"default": [], "named": []}
NOTHING_TO_CHECK = query_scope.Inspection()  # what ``inspect`` finds when ``needs_parse`` is false


class FastQueries:
    """WSGI middleware in front of ``flask_app.wsgi_app``; ``wrapped`` is what it falls back to."""

    def __init__(self, flask_app: Flask, wrapped):
        self.flask_app = flask_app
        self.wrapped = wrapped
        self.answered = 0  # requests answered here, errors included (for tests and curious admins)

    def __call__(self, environ, start_response):
        text = self._plain_query(environ, self.flask_app.config["SESSION_COOKIE_NAME"])
        if text is not None and not query_scope.needs_parse(text):
            try:
                chosen = choose_format(query_kind(text), "", environ.get("HTTP_ACCEPT", ""))
            except OscartesError:
                chosen = None  # 406: Flask says which formats fit
            if chosen is not None and chosen.extension == "json":
                return self._answer(environ, start_response, text, chosen)
        return self.wrapped(environ, start_response)

    @staticmethod
    def _plain_query(environ, session_cookie: str) -> str | None:
        """The query of an anonymous ``GET /sparql?query=TEXT`` with nothing else, else None.

        Decoded as werkzeug decodes ``request.args`` (UTF-8, bad bytes kept percent-encoded);
        a query string that is not plain ASCII goes to Flask.
        """
        raw = environ.get("QUERY_STRING", "")
        if (not raw.startswith("query=") or "&" in raw or not raw.isascii()
                or environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/sparql"
                or "HTTP_AUTHORIZATION" in environ
                or session_cookie in environ.get("HTTP_COOKIE", "")):
            return None
        text = unquote_plus(raw[6:], errors="werkzeug.url_quote")
        return text if text.strip() else None

    def _answer(self, environ, start_response, text: str, chosen):
        self.answered += 1  # not atomic across threads: a rough count is all it is for
        app = self.flask_app
        try:
            body, headers = answer_query(text, NO_DATASET, None, chosen,
                                         store=app.extensions["oscartes_store"],
                                         settings=app.config["OSCARTES"],
                                         runner=functools.partial(kb.runner_of, app),
                                         inspection=NOTHING_TO_CHECK)
        except Exception as error:  # noqa: BLE001 - rendered exactly as the route renders it
            return self._error(environ, start_response, error)
        start_response("200 OK", headers + [("Content-Length", str(len(body)))])
        return [body]

    def _error(self, environ, start_response, error: Exception):
        """Flask's answer to ``error`` raised by the route: its handlers, hooks and headers."""
        app = self.flask_app
        with app.request_context(environ):
            try:
                response = app.make_response(app.handle_user_exception(error))
            except Exception as unexpected:  # noqa: BLE001 - no handler: the 500 of the route
                response = app.make_response(app.handle_exception(unexpected))
            response = app.process_response(response)
            return response(environ, start_response)
