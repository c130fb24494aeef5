"""Login sessions and CSRF: the signing key, the session cookie's flags, and when a form needs a token.

Sessions are Flask's signed cookies (no server-side session table): they hold the login, the
account IRI and a random id that changes at each login. Flask-WTF's ``CSRFProtect`` makes and
checks the form tokens (signed with the same key, bound to the session); we decide where:

- every POST/PUT/PATCH/DELETE that carries the session cookie needs a valid token (form field
  ``csrf_token`` or header ``X-CSRFToken``): CSRF abuses what a cookie authorises, so a request
  without the cookie has nothing to forge and meets the route's own guard (401) instead;
- forms marked ``@always_csrf`` (the login form: login CSRF would log a victim into the
  attacker's account) need the token even without a cookie;
- requests with ``Authorization: Bearer`` need none (browsers never add that header on their
  own, so it cannot be forged cross-site); their session is ignored;
- on the machine protocols (``/sparql``, ``/graph-store``) a request without a CSRF header is
  served *anonymously*: SPARQL clients keep posting queries, while a logged-in user's cookie
  never authorises an update unless the page sent the header.
"""
from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from oscartes_kg.config import Settings
from oscartes_kg.errors import UsageError

from . import auth

__all__ = ["init_app", "secret_key", "always_csrf", "PROTOCOL_BLUEPRINTS"]

log = logging.getLogger("oscartes_kg.app")
csrf = CSRFProtect()
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PROTOCOL_BLUEPRINTS = frozenset({"sparql", "graph_store"})
CSRF_HEADERS = ("X-CSRFToken", "X-CSRF-Token")
_ALWAYS: set = set()


def always_csrf(view):
    """Mark a form view whose posts need a CSRF token even from a visitor without a session."""
    _ALWAYS.add(view)
    return view


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, ``Secure`` exactly when the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure


def secret_key(settings: Settings) -> str:
    """The key from the settings, else the embedded store's ``DATA/secret_key`` (made once, 0600).

    A remote store has no folder of ours: without the setting, each process makes a key of its
    own (logins end at restart and are not shared between processes), and says so in the log.
    """
    if settings.secret_key:
        return settings.secret_key
    if settings.data is not None and not settings.remote_url:
        path = Path(settings.data) / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        try:
            return _keep_new_key(path)
        except OSError as error:
            log.warning("cannot keep a secret key in %s (%s): using one for this process only",
                        path, error.strerror)
            return secrets.token_urlsafe(32)
    log.warning("no OSCARTES_SECRET_KEY with a remote store: logins last until this process "
                "stops and are not shared between processes; set OSCARTES_SECRET_KEY")
    return secrets.token_urlsafe(32)


def _keep_new_key(path: Path) -> str:
    """Write a new key to ``path`` (0600) atomically: written aside, then linked into place, so
    processes starting together never read a half-written file; the first one wins."""
    key = secrets.token_urlsafe(32)
    aside = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key)
    try:
        os.link(aside, path)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    finally:
        aside.unlink()
    log.warning("no OSCARTES_SECRET_KEY: generated a session key, kept in %s (mode 0600)", path)
    return key


def _has_csrf_header() -> bool:
    return any(request.headers.get(name) for name in CSRF_HEADERS)


def check_csrf() -> None:
    """Before each request: refuse an unsafe one without a valid CSRF token (see module doc)."""
    if request.method not in UNSAFE:
        return
    if auth.presented_token() is not None:
        g.oscartes_session_ignored = True
        return
    if request.blueprint in PROTOCOL_BLUEPRINTS and not _has_csrf_header():
        g.oscartes_session_ignored = True
        return
    if (current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
            and current_app.view_functions.get(request.endpoint) not in _ALWAYS):
        return
    try:
        csrf.protect()
    except CSRFError as error:
        log.info("CSRF refusal on %s: %s", request.path, error.description)
        raise UsageError("formulaire expiré ou invalide (jeton anti-falsification CSRF absent ou "
                         "incorrect) : rechargez la page et recommencez / expired or invalid form "
                         "(missing or wrong CSRF token): reload the page and try again",
                         rule="csrf") from None


def init_app(app: Flask) -> None:
    """Key, cookie flags, proxy trust and the CSRF check, from the app's settings."""
    settings: Settings = app.config["OSCARTES"]
    if settings.behind_proxy:  # only then may X-Forwarded-* say who the client is and how it came
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.secret_key = secret_key(settings)
    app.session_interface = SessionCookies()
    app.config.update(SESSION_COOKIE_NAME="oscartes_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
                      WTF_CSRF_CHECK_DEFAULT=False,  # check_csrf decides, see the module doc
                      WTF_CSRF_TIME_LIMIT=None)  # a token lives as long as its session
    csrf.init_app(app)
    app.before_request(check_csrf)
