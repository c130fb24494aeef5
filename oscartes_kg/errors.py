"""Errors a volunteer can act on: each names what went wrong, where, and carries its exit code."""
from __future__ import annotations

__all__ = [
    "OscartesError", "ParseError", "UnknownFormat", "RejectedInput", "NotFound", "Unauthorized",
    "Forbidden", "MethodNotAllowed", "NotAcceptable", "QueryError", "QueryTimeout", "Busy",
    "StoreError", "StoreLocked", "ConfigError", "UsageError",
]


class OscartesError(Exception):
    """Base of every expected error: a message for people, plus where it happened.

    ``status`` is the HTTP status a web route answers with; ``exit_code`` is the CLI's
    (0 ok, 1 input rejected, 2 usage, 3 store or environment).
    """

    status = 500
    exit_code = 3

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 entity: str | None = None, prop: str | None = None, rule: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.entity = entity
        self.prop = prop
        self.rule = rule

    def __str__(self) -> str:
        where = self.file or ""
        if self.file and self.line:
            where += f", line {self.line}"
        return f"{where}: {self.message}" if where else self.message


class ParseError(OscartesError):
    """The input is not well-formed RDF (or not the format it claims to be)."""

    status = 400
    exit_code = 1


class UnknownFormat(OscartesError):
    """The format of a file could not be recognised or is not supported."""

    status = 415
    exit_code = 1


class RejectedInput(OscartesError):
    """The input parsed but breaks shapes of severity Violation; carries the validation report."""

    status = 422
    exit_code = 1

    def __init__(self, message: str, report=None, **where):
        super().__init__(message, **where)
        self.report = report


class NotFound(OscartesError):
    """A file, graph, entity or named query does not exist."""

    status = 404
    exit_code = 1


class Unauthorized(OscartesError):
    """No valid credentials: the route needs a token (``Authorization: Bearer ...``).

    ``headers`` go with the HTTP answer: RFC 6750 section 3 asks a 401 to say how to authenticate.
    """

    status = 401
    exit_code = 1
    headers = {"WWW-Authenticate": 'Bearer realm="oscartes-kg"'}


class Forbidden(OscartesError):
    """The caller's role does not allow this (private graph, write without a token)."""

    status = 403
    exit_code = 1


class MethodNotAllowed(OscartesError):
    """An HTTP method a route does not serve (GET for an update, PUT on /sparql...)."""

    status = 405
    exit_code = 2


class NotAcceptable(OscartesError):
    """No format the client accepts is one this kind of result can be written in."""

    status = 406
    exit_code = 2


class QueryError(OscartesError):
    """A SPARQL query or update is malformed, refused (e.g. SERVICE) or hit a limit."""

    status = 400
    exit_code = 1


class QueryTimeout(OscartesError):
    """A query ran past its time limit."""

    status = 503
    exit_code = 3


class Busy(OscartesError):
    """Every query thread is taken (by slow queries): try again shortly."""

    status = 503
    exit_code = 3


class StoreError(OscartesError):
    """The store cannot be opened, read or written (disk, network, remote server errors)."""

    status = 503
    exit_code = 3


class StoreLocked(StoreError):
    """Another process already holds the embedded store open for writing."""


class ConfigError(OscartesError):
    """A setting is missing or invalid."""

    status = 500
    exit_code = 3


class UsageError(OscartesError):
    """The command was called the wrong way (missing option, bad parameter)."""

    status = 400
    exit_code = 2
