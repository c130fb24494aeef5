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


def _reply(status: int, message: str, errors: list | None = None):
    if _wants_html():
        return render_template("error.html", status=status, message=message), status
    return jsonify(error_body(status, message, errors)), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(OscartesError)
    def expected(error: OscartesError):
        report = getattr(error, "report", None)
        return _reply(error.status, error.message, report.to_json()["errors"] if report else None)

    @app.errorhandler(HTTPException)
    def http(error: HTTPException):
        return _reply(error.code or 500, error.description or error.name)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # the outer edge: log the traceback, show a plain message
        log.exception("unexpected error")
        return _reply(500, "Erreur interne du serveur / internal server error")
