"""User accounts for humans: login, display name, role, argon2 password hash, in the private accounts graph.

Passwords are hashed with argon2id through argon2-cffi's ``PasswordHasher`` (the winner of the
Password Hashing Competition, OWASP's first choice): it salts, encodes its parameters in the
stored string, verifies in constant time and says when a hash should be redone with newer
parameters. The password itself is never stored, returned or logged. Each write is one atomic
store write, checked first (role, login form, uniqueness).
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pyoxigraph import Literal, NamedNode, Quad

from . import graphs, roles
from .errors import NotFound, Unauthorized, UsageError
from .namespaces import OSC, OSCID

__all__ = ["User", "LoginFailed", "HASHER", "create", "authenticate", "get", "list_users",
           "set_role", "disable", "enable", "normalise_login"]

HASHER = PasswordHasher()  # argon2id with the library's current defaults (RFC 9106 profile)
MIN_PASSWORD = 10
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{1,253}$")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_CREATED = NamedNode("http://purl.org/dc/terms/created")
_TYPE, _LOGIN_P, _HASH, _ROLE, _DISABLED, _ACTS_FOR = (
    NamedNode(str(term)) for term in (OSC.UserAccount, OSC.login, OSC.passwordHash, OSC.role,
                                      OSC.disabled, OSC.actsFor))
_TRUE = Literal("true", datatype=NamedNode(_XSD + "boolean"))
_FALSE = Literal("false", datatype=NamedNode(_XSD + "boolean"))
# Verified when the login is unknown, so that an unknown login costs as much time as a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
_FAILED = ("identifiant ou mot de passe incorrect / wrong login or password")


class LoginFailed(Unauthorized):
    """Authentication refused: one message for unknown login, wrong password and disabled account."""


@dataclass(frozen=True)
class User:
    """An account as callers may see it: never the password nor its hash."""

    iri: str
    login: str
    name: str
    role: str
    created: str
    disabled: bool
    acts_for: str | None = None


def normalise_login(login: str) -> str:
    """The stored form of a login (trimmed, lower case), checked.

    >>> normalise_login("  Alice@Example.org ")
    'alice@example.org'

    :raises UsageError: not an e-mail address or user name (2-254 of ``a-z 0-9 . _ @ + -``).
    """
    value = (login or "").strip().lower()
    if not _LOGIN.match(value):
        raise UsageError(f"identifiant « {login} » invalide : une adresse électronique ou un nom "
                         f"d'utilisateur (lettres, chiffres, . _ @ + -) / invalid login {login!r}: "
                         f"an e-mail address or a user name", entity=login, prop="osc:login",
                         rule="login")
    return value


def _check_role(role: str) -> None:
    if not roles.is_role(role):
        raise UsageError(f"rôle inconnu « {role} » : choisissez parmi {', '.join(roles.ROLES)} / "
                         f"unknown role {role!r}: choose one of {', '.join(roles.ROLES)}",
                         prop="osc:role", rule="role")


def _find(store, login: str) -> tuple[NamedNode, dict] | None:
    """(IRI, predicate IRI -> value) of the account with this (normalised) login, or None."""
    for quad in store.quads(None, _LOGIN_P, Literal(login), graphs.PRIVATE_ACCOUNTS):
        values = {q.predicate.value: q.object
                  for q in store.quads(quad.subject, None, None, graphs.PRIVATE_ACCOUNTS)}
        if values.get(_RDF_TYPE.value) == _TYPE:
            return quad.subject, values
    return None


def _user(node: NamedNode, values: dict) -> User:
    acts_for = values.get(_ACTS_FOR.value)
    return User(node.value, values[_LOGIN_P.value].value, values[_LABEL.value].value,
                values[_ROLE.value].value, values[_CREATED.value].value,
                values.get(_DISABLED.value) == _TRUE, acts_for.value if acts_for else None)


def _require(store, login: str) -> tuple[NamedNode, dict]:
    found = _find(store, normalise_login(login))
    if found is None:
        raise NotFound(f"aucun compte « {login} » / no account {login!r}", entity=login)
    return found


def create(store, login: str, password: str, role: str, name: str | None = None,
           acts_for: str | None = None) -> User:
    """Create an account; only the argon2 hash of ``password`` is stored. One atomic write.

    >>> from oscartes_kg.store import open_store
    >>> store = open_store()
    >>> create(store, "Alice@example.org", "un long secret", "curator", "Alice").login
    'alice@example.org'
    >>> authenticate(store, "alice@example.org", "un long secret").role
    'curator'

    :raises UsageError: invalid login, unknown role, a password shorter than 10 characters, an
        ``acts_for`` that is not an IRI, or a login already taken.
    """
    login = normalise_login(login)
    _check_role(role)
    if len(password or "") < MIN_PASSWORD:
        raise UsageError(f"mot de passe trop court pour « {login} » : au moins {MIN_PASSWORD} "
                         f"caractères / password too short: at least {MIN_PASSWORD} characters",
                         entity=login, prop="osc:passwordHash", rule="password-length")
    if _find(store, login) is not None:
        raise UsageError(f"l'identifiant « {login} » est déjà pris / login {login!r} is taken",
                         entity=login, prop="osc:login", rule="unique-login")
    try:
        actor = NamedNode(acts_for) if acts_for else None
    except ValueError:
        raise UsageError(f"« {acts_for} » n'est pas une IRI / is not an IRI", entity=login,
                         prop="osc:actsFor", rule="iri") from None
    node, graph = NamedNode(f"{OSCID}user/{secrets.token_hex(8)}"), graphs.PRIVATE_ACCOUNTS
    created = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    quads = [Quad(node, _RDF_TYPE, _TYPE, graph), Quad(node, _LOGIN_P, Literal(login), graph),
             Quad(node, _LABEL, Literal((name or "").strip() or login), graph),
             Quad(node, _ROLE, Literal(role), graph),
             Quad(node, _HASH, Literal(HASHER.hash(password)), graph),
             Quad(node, _CREATED, Literal(created, datatype=NamedNode(_XSD + "dateTime")), graph),
             Quad(node, _DISABLED, _FALSE, graph)]
    if actor is not None:
        quads.append(Quad(node, _ACTS_FOR, actor, graph))
    store.apply([], quads)
    store.flush()
    return _user(node, {q.predicate.value: q.object for q in quads})


def authenticate(store, login: str, password: str) -> User:
    """The account if ``password`` is right and the account enabled; rehash if parameters changed.

    An unknown login is checked against a dummy hash, so all three refusals take the same time
    and carry the same message (no account enumeration, OWASP authentication cheat sheet).

    :raises LoginFailed: unknown login, wrong password or disabled account (one message).
    """
    try:
        found = _find(store, normalise_login(login))
    except UsageError:
        found = None
    values = found[1] if found else {}
    stored = values.get(_HASH.value)
    try:
        HASHER.verify(stored.value if stored else _DUMMY_HASH, password or "")
        ok = found is not None and values.get(_DISABLED.value) != _TRUE
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise LoginFailed(_FAILED, rule="login")
    node = found[0]
    if HASHER.check_needs_rehash(stored.value):
        fresh = Literal(HASHER.hash(password))
        store.apply([Quad(node, _HASH, stored, graphs.PRIVATE_ACCOUNTS)],
                    [Quad(node, _HASH, fresh, graphs.PRIVATE_ACCOUNTS)])
        store.flush()
    return _user(node, values)


def get(store, login: str) -> User | None:
    """The account with this login, or None (also for a malformed login)."""
    try:
        found = _find(store, normalise_login(login))
    except UsageError:
        return None
    return _user(*found) if found else None


def list_users(store) -> list[User]:
    """Every account, oldest first (never a password hash)."""
    users = []
    for quad in store.quads(None, _RDF_TYPE, _TYPE, graphs.PRIVATE_ACCOUNTS):
        values = {q.predicate.value: q.object
                  for q in store.quads(quad.subject, None, None, graphs.PRIVATE_ACCOUNTS)}
        users.append(_user(quad.subject, values))
    return sorted(users, key=lambda user: (user.created, user.login))


def _replace(store, login: str, predicate: NamedNode, value) -> User:
    """Set one value of an account in one atomic write."""
    node, values = _require(store, login)
    current = values.get(predicate.value)
    graph = graphs.PRIVATE_ACCOUNTS
    store.apply([Quad(node, predicate, current, graph)] if current is not None else [],
                [Quad(node, predicate, value, graph)])
    store.flush()
    return _user(node, {**values, predicate.value: value})


def set_role(store, login: str, role: str) -> User:
    """Give the account ``login`` the role ``role`` (its sessions get it at their next request).

    :raises UsageError: unknown role. :raises NotFound: no such account.
    """
    _check_role(role)
    return _replace(store, login, _ROLE, Literal(role))


def disable(store, login: str) -> User:
    """Disable an account: no more logins, and its open sessions stop counting.

    :raises NotFound: no such account.
    """
    return _replace(store, login, _DISABLED, _TRUE)


def enable(store, login: str) -> User:
    """Enable a disabled account again. :raises NotFound: no such account."""
    return _replace(store, login, _DISABLED, _FALSE)
