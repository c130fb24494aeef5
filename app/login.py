"""Log in and out: ``/login`` (a form, throttled), ``POST /logout``; the header shows who is connected.

A successful login clears the session and starts a fresh one (new random id, new CSRF token), so
a session fixed before login is worth nothing after it (OWASP session management).
"""
from __future__ import annotations

import math
import secrets

from flask import Blueprint, Flask, current_app, redirect, render_template, request, session

from oscartes_kg import accounts

from . import auth, kb
from .sessions import always_csrf
from .i18n import tr
from .throttle import Throttle

__all__ = ["bp", "init_app"]

bp = Blueprint("login", __name__)


def _throttle() -> Throttle:
    return current_app.extensions["oscartes_login_throttle"]


def _safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (other host, scheme) becomes ``/``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _form(error: str | None = None, status: int = 200, login: str = "", headers=None):
    return render_template("account/login.html", error=error, login=login,
                           next=_safe_next(request.values.get("next"))), status, headers or {}


@bp.get("/login")
def login_form():
    """The login form (already logged-in users see who they are)."""
    return _form()


@bp.post("/login")
@always_csrf
def login():
    """Check the password (unless throttled); on success rotate the session and go on."""
    login_name = (request.form.get("login") or "").strip()
    keys = (f"login:{login_name.lower()}", f"addr:{request.remote_addr}")
    wait = _throttle().wait(*keys)
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        return _form(tr(f"Trop de tentatives échouées : réessayez dans {minutes} minute(s).",
                        f"Too many failed attempts: try again in {minutes} minute(s)."),
                     429, login_name, {"Retry-After": str(math.ceil(wait))})
    try:
        user = accounts.authenticate(kb.get_store(), login_name, request.form.get("password") or "")
    except accounts.LoginFailed:
        _throttle().fail(*keys)
        return _form(tr("Identifiant ou mot de passe incorrect.", "Wrong login or password."),
                     200, login_name)
    _throttle().reset(keys[0])
    session.clear()
    session.permanent = True
    session.update(login=user.login, uid=user.iri, sid=secrets.token_urlsafe(16))
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.post("/logout")
@always_csrf
def logout():
    """End the session (the form carries a CSRF token, so no other site can log people out)."""
    session.clear()
    return redirect("/", 303)


def init_app(app: Flask) -> None:
    """The throttle (in memory, per process) and ``current_user`` for the header."""
    app.extensions["oscartes_login_throttle"] = Throttle(limit=5, window=15 * 60)
    app.jinja_env.globals["current_user"] = auth.current_user
    app.register_blueprint(bp)
