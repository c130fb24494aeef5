"""Who is calling: the bearer token of a request, its role, and the guard for write routes.

A request without a valid token is anonymous (role None) and reads public graphs only. Routes
that write call ``require(check)`` or use ``@require_role(check)``: 401 (with RFC 6750's
``WWW-Authenticate``) when the token is missing or invalid, 403 when its role may not.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g, request

from oscartes_kg import tokens
from oscartes_kg.errors import Forbidden, Unauthorized

from . import kb

__all__ = ["presented_token", "current_token", "current_role", "require", "require_role"]


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


def current_role() -> str | None:
    """The role of this request's valid token, or None for an anonymous request."""
    token = current_token()
    return token.role if token else None


def require(check: Callable[[str | None], bool]) -> str:
    """Return the caller's role if ``check(role)`` allows it.

    :raises Unauthorized: no token, or one that is malformed, unknown or revoked (401).
    :raises Forbidden: a valid token whose role ``check`` refuses (403).
    """
    role = current_role()
    if role is None:
        message = ("jeton absent ou invalide : envoyez « Authorization: Bearer JETON » / "
                   "missing or invalid token: send \"Authorization: Bearer TOKEN\"")
        if presented_token() is None:
            message = ("cette opération demande un jeton (« Authorization: Bearer JETON ») / "
                       "this operation needs a token (\"Authorization: Bearer TOKEN\")")
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
