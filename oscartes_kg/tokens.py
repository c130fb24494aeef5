"""API tokens: created with a role, stored hashed in the private accounts graph, verified per request.

A token reads ``oscartes_<id>_<secret>``: the id finds the stored record, the secret proves it.
Only a SHA-256 hash of the secret is stored. A fast hash is the right one here: the secret is
32 random bytes (``secrets.token_urlsafe(32)``, 256 bits), so no amount of hashing speed makes
guessing it feasible, whereas slow password hashes (scrypt, argon2) exist to protect
low-entropy passwords and would cost tens of milliseconds on every authorised request.
Tokens are not user data, so no shape checks them; each write is still one atomic store write.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from pyoxigraph import Literal, NamedNode, Quad

from . import graphs, roles
from .errors import NotFound, UsageError
from .namespaces import OSC, OSCID

__all__ = ["Token", "PREFIX", "create", "verify", "list_tokens", "revoke", "token_iri"]

PREFIX = "oscartes"
_ID = re.compile(r"^[0-9a-f]{12}$")
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_CREATED = NamedNode("http://purl.org/dc/terms/created")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPE, _HASH, _ROLE, _REVOKED = (NamedNode(str(term)) for term in
                                 (OSC.ApiToken, OSC.tokenHash, OSC.role, OSC.revoked))
_TRUE = Literal("true", datatype=NamedNode(_XSD + "boolean"))
_FALSE = Literal("false", datatype=NamedNode(_XSD + "boolean"))


@dataclass(frozen=True)
class Token:
    """A stored token as callers may see it: never its secret nor its hash."""

    id: str
    role: str
    label: str | None
    created: str
    revoked: bool


def token_iri(token_id: str) -> NamedNode:
    """The IRI of a token record: ``oscid:token/{id}``."""
    return NamedNode(f"{OSCID}token/{token_id}")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(store, role: str, label: str | None = None) -> tuple[str, str]:
    """Create a token for ``role``; return ``(token_id, token)``, the full token to give out.

    The token is shown once: only its hash is stored. Written in one atomic store write.

    >>> from oscartes_kg.store import open_store
    >>> store = open_store()
    >>> token_id, token = create(store, "curator", "relecture")
    >>> token.startswith(f"oscartes_{token_id}_"), verify(store, token).role
    (True, 'curator')

    :raises UsageError: ``role`` is not one of ``roles.ROLES``.
    """
    if not roles.is_role(role):
        raise UsageError(f"rôle inconnu « {role} » : choisissez parmi {', '.join(roles.ROLES)} / "
                         f"unknown role {role!r}: choose one of {', '.join(roles.ROLES)}", rule="role")
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    node, graph = token_iri(token_id), graphs.PRIVATE_ACCOUNTS
    created = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    quads = [Quad(node, _RDF_TYPE, _TYPE, graph),
             Quad(node, _HASH, Literal(_hash(secret)), graph),
             Quad(node, _ROLE, Literal(role), graph),
             Quad(node, _CREATED, Literal(created, datatype=NamedNode(_XSD + "dateTime")), graph),
             Quad(node, _REVOKED, _FALSE, graph)]
    if label:
        quads.append(Quad(node, _LABEL, Literal(label), graph))
    store.apply([], quads)
    store.flush()
    return token_id, f"{PREFIX}_{token_id}_{secret}"


def _split(presented: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed token, else None."""
    prefix, _, rest = (presented or "").strip().partition("_")
    token_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not _ID.match(token_id) or not secret:
        return None
    return token_id, secret


def _record(store, token_id: str) -> dict | None:
    """Predicate IRI -> value of one stored token, or None if there is no such token."""
    values = {quad.predicate.value: quad.object
              for quad in store.quads(token_iri(token_id), None, None, graphs.PRIVATE_ACCOUNTS)}
    return values if values.get(_RDF_TYPE.value) == _TYPE else None


def _token(token_id: str, values: dict) -> Token:
    label = values.get(_LABEL.value)
    return Token(token_id, values[_ROLE.value].value, label.value if label else None,
                 values[_CREATED.value].value, values.get(_REVOKED.value) == _TRUE)


def verify(store, presented: str | None) -> Token | None:
    """The token ``presented`` stands for, or None if it is malformed, unknown or revoked.

    The hashes are compared in constant time (``hmac.compare_digest``), so timing says nothing
    about how much of a guess was right.
    """
    parts = _split(presented or "")
    if parts is None:
        return None
    values = _record(store, parts[0])
    stored = values.get(_HASH.value) if values else None
    if stored is None or not hmac.compare_digest(stored.value, _hash(parts[1])):
        return None
    token = _token(parts[0], values)
    return None if token.revoked or not roles.is_role(token.role) else token


def list_tokens(store) -> list[Token]:
    """Every token, oldest first (ids, roles, labels, dates, revoked flags; no secret, no hash)."""
    records: dict[str, dict] = {}
    for quad in store.quads(None, _RDF_TYPE, _TYPE, graphs.PRIVATE_ACCOUNTS):
        token_id = quad.subject.value.rsplit("/", 1)[1]
        records[token_id] = _record(store, token_id)
    tokens = [_token(token_id, values) for token_id, values in records.items() if values]
    return sorted(tokens, key=lambda token: (token.created, token.id))


def revoke(store, token_id: str) -> Token:
    """Revoke a token for good (one atomic write); revoking twice is harmless.

    :raises NotFound: there is no token with this id.
    """
    values = _record(store, token_id) if _ID.match(token_id or "") else None
    if values is None:
        raise NotFound(f"aucun jeton « {token_id} » / no token {token_id!r}", entity=token_id)
    node = token_iri(token_id)
    current = values.get(_REVOKED.value)
    store.apply([Quad(node, _REVOKED, current, graphs.PRIVATE_ACCOUNTS)] if current else [],
                [Quad(node, _REVOKED, _TRUE, graphs.PRIVATE_ACCOUNTS)])
    store.flush()
    return _token(token_id, {**values, _REVOKED.value: _TRUE})
