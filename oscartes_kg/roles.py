"""Roles and the one place that decides what each may read and write.

Three roles, from the accounts issue: a *contributor* proposes entries and edits their own
(through the contribution forms, never through the raw protocols); a *curator* is a member of
the collective who reviews and publishes; an *admin* manages accounts and tokens. Anonymous
callers (role None) read the public graphs only.
"""
from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import NamedNode

from . import graphs

__all__ = ["ROLES", "is_role", "can_update", "can_write_graph", "readable_graphs"]

ROLES = ("contributor", "curator", "admin")


def is_role(name: str | None) -> bool:
    """Whether ``name`` is one of ``ROLES``.

    >>> is_role("curator"), is_role("Curator"), is_role(None)
    (True, False, False)
    """
    return name in ROLES


def can_update(role: str | None) -> bool:
    """Whether ``role`` may send SPARQL Update or Graph Store writes at all.

    Only curators and admins: these protocols write any triple in one go, which is reviewing
    and publishing, the curator's job. Contributors go through forms that keep their entries
    to themselves until a curator publishes them.

    >>> [can_update(r) for r in (None, "contributor", "curator", "admin")]
    [False, False, True, True]
    """
    return role in ("curator", "admin")


def can_write_graph(role: str | None, graph: NamedNode) -> bool:
    """Whether ``role`` may change ``graph`` through SPARQL Update or the Graph Store Protocol.

    Contributors write only the contributions, proposals and contacts graphs (a person's
    contact details, GDPR), and only through
    ``oscartes_kg.contributions``, which keeps them to their own entries (``can_update`` keeps
    them off the raw protocols). No role writes the schema graphs (``graphs.SCHEMA_GRAPHS``): they come from the shipped
    files through ``init``, and the shapes that guard every write live there. Curators write the
    public graphs, the unpublished proposals they review and persons' contact details; accounts
    and history are personal data (GDPR art. 5(1)(f), integrity and confidentiality) kept to admins.

    >>> from oscartes_kg import graphs
    >>> can_write_graph("curator", graphs.DEMO), can_write_graph("curator", graphs.PRIVATE_ACCOUNTS)
    (True, False)
    >>> can_write_graph("admin", graphs.PRIVATE_ACCOUNTS), can_write_graph("admin", graphs.SHAPES)
    (True, False)
    >>> can_write_graph("contributor", graphs.DEMO), can_write_graph(None, graphs.CONTRIBUTIONS)
    (False, False)
    """
    if not isinstance(graph, NamedNode) or graph in graphs.SCHEMA_GRAPHS:
        return False
    if role == "admin":
        return True
    if role == "curator":
        return graphs.is_public(graph) or graph in (graphs.PRIVATE_PROPOSALS, graphs.PRIVATE_CONTACTS)
    if role == "contributor":  # only through the contribution layer, which checks ownership
        return graph in (graphs.CONTRIBUTIONS, graphs.PRIVATE_PROPOSALS, graphs.PRIVATE_CONTACTS)
    return False


def readable_graphs(role: str | None, all_graphs: Iterable[NamedNode]) -> list[NamedNode]:
    """The graphs among ``all_graphs`` that ``role`` may read, in order.

    Anonymous callers and contributors read the public graphs (a contributor's own proposals
    are shown by the contribution pages, not by SPARQL). Curators also read the private graphs
    they need to review (proposals, contacts, history) but not accounts and tokens, nor who
    watches what (saved searches and their e-mail addresses, ``oscartes_kg.watch``); admins read
    everything.

    >>> from oscartes_kg import graphs
    >>> every = [graphs.DEMO, graphs.PRIVATE_PROPOSALS, graphs.PRIVATE_ACCOUNTS]
    >>> [g.value.rsplit("/", 1)[1] for g in readable_graphs("curator", every)]
    ['demo', 'proposals']
    >>> len(readable_graphs(None, every)), len(readable_graphs("admin", every))
    (1, 3)
    """
    every = [g for g in all_graphs if isinstance(g, NamedNode)]
    if role == "admin":
        return every
    if role == "curator":
        return [g for g in every if g not in (graphs.PRIVATE_ACCOUNTS, graphs.PRIVATE_WATCH)]
    return graphs.public(every)
