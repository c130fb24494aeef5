"""Roles (oscartes_kg.roles): who may update, which graphs each role writes and reads."""
from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from oscartes_kg import graphs, roles

PUBLIC = [graphs.DEMO, graphs.TERRITORIES, graphs.CONTRIBUTIONS, graphs.import_graph("transiscope")]
PRIVATE = [graphs.PRIVATE_CONTACTS, graphs.PRIVATE_PROPOSALS, graphs.PRIVATE_ACCOUNTS,
           graphs.PRIVATE_HISTORY]
EVERY = list(graphs.SCHEMA_GRAPHS) + PUBLIC + PRIVATE


def test_only_curators_and_admins_may_update():
    assert [role for role in (None, *roles.ROLES) if roles.can_update(role)] == ["curator", "admin"]
    assert not roles.can_update("root")


@pytest.mark.parametrize("role", [None, *roles.ROLES, "root"])
def test_no_role_writes_the_schema_graphs(role):
    assert not any(roles.can_write_graph(role, graph) for graph in graphs.SCHEMA_GRAPHS)


def test_graphs_each_role_may_write():
    writable = {role: [g for g in EVERY if roles.can_write_graph(role, g)]
                for role in (None, *roles.ROLES)}
    assert writable[None] == []
    # contributors only through the contribution layer, which keeps them to their own entries
    assert writable["contributor"] == [g for g in EVERY
                                       if g in (graphs.CONTRIBUTIONS, graphs.PRIVATE_PROPOSALS, graphs.PRIVATE_CONTACTS)]
    assert not roles.can_update("contributor")  # so never through SPARQL Update or Graph Store
    assert writable["curator"] == PUBLIC + [g for g in PRIVATE if g in (graphs.PRIVATE_PROPOSALS, graphs.PRIVATE_CONTACTS)]
    assert writable["admin"] == PUBLIC + PRIVATE


def test_graphs_each_role_may_read():
    assert roles.readable_graphs(None, EVERY) == list(graphs.SCHEMA_GRAPHS) + PUBLIC
    assert roles.readable_graphs("contributor", EVERY) == list(graphs.SCHEMA_GRAPHS) + PUBLIC
    assert roles.readable_graphs("curator", EVERY) == [g for g in EVERY if g != graphs.PRIVATE_ACCOUNTS]
    assert roles.readable_graphs("admin", EVERY) == EVERY
    assert roles.readable_graphs("unknown", EVERY) == list(graphs.SCHEMA_GRAPHS) + PUBLIC


def test_a_graph_named_like_a_private_one_but_outside_the_prefix_is_public():
    lookalike = NamedNode(graphs.BASE + "privateer")
    assert roles.readable_graphs(None, [lookalike]) == [lookalike]
    assert roles.can_write_graph("curator", lookalike)
