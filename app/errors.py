"""Turn expected errors into a JSON error or a page; log unexpected ones and say little."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from oscartes_kg.errors import OscartesError

log = logging.getLogger("oscartes_kg.app")


def error_body(status: int, message: str, errors: list | None = None) -> dict:
    """The one shape of every JSON error."""
    return {"ok": False, "error": message, "errors": errors or [], "status": status}


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes[best] > request.accept_mimetypes["application/json"]


def _wants_turtle() -> bool:
    """A client that prefers Turtle gets a rejected write's report as a SHACL report graph."""
    accept = request.accept_mimetypes
    best = accept.best_match(["application/json", "text/turtle"])
    return best == "text/turtle" and accept[best] > accept["application/json"]


def _reply(status: int, message: str, errors: list | None = None, headers: dict | None = None):
    if _wants_html():
        return render_template("error.html", status=status, message=message), status, headers or {}
    return jsonify(error_body(status, message, errors)), status, headers or {}


def _headers(status: int, error: Exception) -> dict:
    """Headers a status requires: who may retry how (RFC 6750 for 401, RFC 9110 for 405)."""
    if status == 401:
        return {"WWW-Authenticate": 'Bearer realm="oscartes-kg"'}
    if isinstance(error, HTTPException):
        return {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")}
    return {}


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(OscartesError)
    def expected(error: OscartesError):
        report = getattr(error, "report", None)
        headers = _headers(error.status, error) | (getattr(error, "headers", None) or {})
        if report is not None and _wants_turtle():
            body = report.to_graph().serialize(format="turtle")
            return body, error.status, headers | {"Content-Type": "text/turtle; charset=utf-8"}
        return _reply(error.status, error.message,
                      report.to_json()["errors"] if report else None, headers)

    @app.errorhandler(HTTPException)
    def http(error: HTTPException):
        return _reply(error.code or 500, error.description or error.name,
                      headers=_headers(error.code or 500, error))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # the outer edge: log the traceback, show a plain message
        log.exception("unexpected error")
        return _reply(500, "Erreur interne du serveur / internal server error")
