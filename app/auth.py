"""Who is calling: the bearer token or logged-in user of a request, its role, and the guard for writes.

Machines send a bearer token; people log in and carry a session cookie (``app.sessions``). When
both come, the token wins (and the session is ignored). A request with neither is anonymous
(role None) and reads public graphs only. Routes that write call ``require(check)`` or use
``@require_role(check)``: 401 (with RFC 6750's ``WWW-Authenticate``) when no valid credentials
come, 403 when the role may not.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import current_app, g, request, session

from oscartes_kg import accounts, tokens
from oscartes_kg.errors import Forbidden, Unauthorized

from . import kb

__all__ = ["presented_token", "current_token", "current_user", "current_role", "require",
           "require_role"]


def presented_token() -> str | None:
    """The token of ``Authorization: Bearer TOKEN`` (RFC 6750 section 2.1), else None."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def current_token() -> tokens.Token | None:
    """The verified token of this request (looked up once per request), or None."""
    if "oscartes_token" not in g:
        presented = presented_token()
        g.oscartes_token = tokens.verify(kb.get_store(), presented) if presented else None
    return g.oscartes_token


def current_user() -> accounts.User | None:
    """The logged-in, enabled user of this request's session (looked up once), or None.

    The account is read again at each request, so a disabled account or a changed role takes
    effect at once. None when a bearer token was sent, or when ``app.sessions`` set the session
    aside (an unsafe request to a protocol route without a CSRF header).
    """
    if "oscartes_user" not in g:
        g.oscartes_user = None
        cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
        # Without the cookie, leave the session untouched (no "Vary: Cookie" on public pages).
        if (cookie in request.cookies and presented_token() is None
                and not g.get("oscartes_session_ignored") and session.get("login")):
            user = accounts.get(kb.get_store(), session["login"])
            if user is not None and not user.disabled and user.iri == session.get("uid"):
                g.oscartes_user = user
    return g.oscartes_user


def current_role() -> str | None:
    """The role of this request's valid token, else of its logged-in user, else None."""
    token = current_token()
    if token is not None:
        return token.role
    if presented_token() is not None:
        return None  # an invalid token is not made good by a session
    user = current_user()
    return user.role if user else None


def require(check: Callable[[str | None], bool]) -> str:
    """Return the caller's role if ``check(role)`` allows it.

    :raises Unauthorized: no token nor logged-in user, or a token that is malformed, unknown or
        revoked (401).
    :raises Forbidden: a valid token whose role ``check`` refuses (403).
    """
    role = current_role()
    if role is None:
        message = ("jeton absent ou invalide : envoyez « Authorization: Bearer JETON » / "
                   "missing or invalid token: send \"Authorization: Bearer TOKEN\"")
        if presented_token() is None:
            message = ("cette opération demande un jeton (« Authorization: Bearer JETON ») ou "
                       "une connexion (/login) / this operation needs a token "
                       "(\"Authorization: Bearer TOKEN\") or a login (/login)")
        raise Unauthorized(message, rule="token")
    if not check(role):
        raise Forbidden(f"le rôle « {role} » ne permet pas cette opération / "
                        f"role {role!r} may not do this", rule="role")
    return role


def require_role(check: Callable[[str | None], bool]):
    """Decorator form of ``require`` for a view: ``@require_role(roles.can_update)``."""
    def decorator(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            require(check)
            return view(*args, **kwargs)
        return guarded
    return decorator
