"""Validated writes other than loads (oscartes_kg.changes): SPARQL Update and Graph Store changes.

Real stores on both backends (``any_store``) holding the shipped schema and the demo data; every
refusal is checked to leave the store exactly as it was.
"""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from oscartes_kg import bootstrap, changes, graphs, roles
from oscartes_kg.errors import Forbidden, NotFound, QueryError, RejectedInput
from oscartes_kg.store import open_store

PREFIXES = """PREFIX osc: <https://w3id.org/oscartes/ns#>
PREFIX oscid: <https://w3id.org/oscartes/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ex: <http://example.org/>
"""
ID = "https://w3id.org/oscartes/id/"
AGGLO = ox.NamedNode(ID + "organisation/communaute-d-agglomeration-paris-saclay")
ULIS = ox.NamedNode(ID + "organisation/ville-des-ulis")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
EX = "http://example.org/"
G, H = ox.NamedNode(EX + "g"), ox.NamedNode(EX + "h")


@pytest.fixture
def demo(any_store):
    """A store on each backend with the schema graphs and the demo data."""
    bootstrap.init_store(any_store, demo=True)
    return any_store


def snapshot(store) -> set:
    """Every quad (without blank nodes: the shapes graph's blank nodes get new ids on a server)."""
    return {q for q in store.quads() if not any(isinstance(t, ox.BlankNode) for t in q)}


def readable(store, role="curator") -> list:
    return roles.readable_graphs(role, store.graphs())


def update(store, text, role="curator"):
    """Compute then apply an update as ``role`` would through the endpoint."""
    change = changes.from_update(store, PREFIXES + text, readable=readable(store, role))
    return changes.apply(store, change, role=role)


def small(store):
    """Two plain graphs g and h (no shapes target their terms)."""
    store.update('INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> '
                 '<http://example.org/p> 1, 2 ; <http://example.org/q> "x" . <http://example.org/b> '
                 '<http://example.org/p> 3 } GRAPH <http://example.org/h> { <http://example.org/a> '
                 '<http://example.org/p> 1 } }')
    return store


def delta(store, text, graphs_=(G, H)):
    change = changes.from_update(store, PREFIXES + text, readable=list(graphs_))
    return ({(q.subject.value, q.predicate.value.removeprefix(EX), _value(q.object),
              q.graph_name.value.removeprefix(EX)) for q in change.removed},
            {(q.subject.value, q.predicate.value.removeprefix(EX), _value(q.object),
              q.graph_name.value.removeprefix(EX)) for q in change.added})


def _value(term):
    return "_" if isinstance(term, ox.BlankNode) else term.value


A, B = EX + "a", EX + "b"


# --- the delta of each update form ---------------------------------------------------------------

def test_insert_data_and_delete_data(any_store):
    small(any_store)
    assert delta(any_store, "INSERT DATA { ex:c ex:p 4 . GRAPH ex:h { ex:c ex:p 5 } }") == (
        set(), {("http://example.org/c", "p", "4", graphs.CONTRIBUTIONS.value),
                ("http://example.org/c", "p", "5", "h")})
    # without GRAPH, a deleted triple leaves every readable graph that holds it, and only those
    assert delta(any_store, "DELETE DATA { ex:a ex:p 1 }") == ({(A, "p", "1", "g"), (A, "p", "1", "h")}, set())
    assert delta(any_store, "DELETE DATA { ex:a ex:p 1 }", graphs_=[H]) == ({(A, "p", "1", "h")}, set())
    assert delta(any_store, "DELETE DATA { GRAPH ex:g { ex:a ex:p 9 } }") == (set(), set())


def test_delete_insert_where_with_filter_optional_bind_values_and_paths(any_store):
    small(any_store)
    removed, added = delta(any_store, """
        DELETE { ?s ex:p ?o } INSERT { GRAPH ex:h { ?s ex:r ?n } }
        WHERE { ?s ex:p ?o OPTIONAL { ?s ex:q ?z FILTER(?o > 1) } VALUES ?o { 1 2 3 }
                BIND(?o * 10 AS ?n) FILTER(BOUND(?z) || ?o = 3) FILTER(?o != "}") # a } in a string
                FILTER NOT EXISTS { ?s ex:p/ex:next* ex:nowhere } }""")
    assert removed == {(A, "p", "2", "g"), (B, "p", "3", "g")}
    assert added == {(A, "r", "20", "h"), (B, "r", "30", "h")}


def test_the_where_clause_gives_the_same_solutions_as_a_select(demo):
    where = """{ GRAPH ?g { ?o a ?type ; rdfs:label ?label } ?type rdfs:subClassOf* osc:Organisation .
                 OPTIONAL { ?o osc:siren ?siren } FILTER(LANG(?label) = "fr" && !BOUND(?siren))
                 VALUES ?type { osc:Association osc:LocalAuthority } BIND(STRLEN(?label) AS ?n) }"""
    expected = {(row["o"], row["g"]) for row in demo.query(
        PREFIXES + f"SELECT * WHERE {where}", default_graph=readable(demo), named_graphs=readable(demo))}
    change = changes.from_update(demo, PREFIXES + f"INSERT {{ GRAPH ?g {{ ?o ex:labelLength ?n }} }} "
                                 f"WHERE {where}", readable=readable(demo))
    assert expected and {(q.subject, q.graph_name) for q in change.added} == expected


def test_delete_where_with_and_using(any_store):
    small(any_store)
    assert delta(any_store, "DELETE WHERE { GRAPH ex:h { ?s ?p ?o } }") == ({(A, "p", "1", "h")}, set())
    assert delta(any_store, "DELETE WHERE { ?s ex:q ?o }") == ({(A, "q", "x", "g")}, set())
    # WITH: the WHERE reads h only, and templates without GRAPH mean h
    assert delta(any_store, "WITH ex:h DELETE { ?s ex:p ?o } INSERT { ?s ex:p 7 } WHERE { ?s ex:p ?o }") == (
        {(A, "p", "1", "h")}, {(A, "p", "7", "h")})
    # USING replaces the default graph; USING NAMED alone leaves it empty
    assert delta(any_store, "INSERT { GRAPH ex:h { ?s ex:seen true } } USING ex:g WHERE { ?s ex:p 3 }") == (
        set(), {(B, "seen", "true", "h")})
    assert delta(any_store, "INSERT { GRAPH ?g { ?s ex:seen true } } USING NAMED ex:h "
                            "WHERE { { ?s ex:p 3 } UNION { GRAPH ?g { ?s ex:p 1 } } }") == (
        set(), {(A, "seen", "true", "h")})


def test_graph_management_operations(any_store):
    small(any_store)
    g_quads = {(A, "p", "1", "g"), (A, "p", "2", "g"), (A, "q", "x", "g"), (B, "p", "3", "g")}
    assert delta(any_store, "CLEAR GRAPH ex:g") == (g_quads, set())
    assert delta(any_store, "DROP SILENT NAMED") == (g_quads | {(A, "p", "1", "h")}, set())
    assert delta(any_store, "COPY ex:g TO ex:h")[1] == {(s, p, o, "h") for s, p, o, _ in g_quads} - {(A, "p", "1", "h")}
    assert delta(any_store, "MOVE ex:h TO DEFAULT") == (
        {(A, "p", "1", "h")}, {(A, "p", "1", graphs.CONTRIBUTIONS.value)})
    assert delta(any_store, "ADD ex:h TO ex:g") == (set(), set())  # already there
    assert delta(any_store, "CREATE GRAPH ex:new") == (set(), set())
    with pytest.raises(QueryError, match="already exists"):
        delta(any_store, "CREATE GRAPH ex:g")
    assert delta(any_store, "CREATE SILENT GRAPH ex:g") == (set(), set())


def test_operations_apply_in_sequence(any_store):
    small(any_store)
    # the second operation's WHERE sees what the first inserted; the third what the second removed
    assert delta(any_store, "INSERT DATA { GRAPH ex:g { ex:c ex:p 9 } } ; "
                            "DELETE { GRAPH ex:g { ?s ex:p 9 } } INSERT { GRAPH ex:g { ?s ex:p 10 } } "
                            "WHERE { GRAPH ex:g { ?s ex:p 9 } } ; "
                            "INSERT { GRAPH ex:h { ?s ex:had9 true } } WHERE { GRAPH ex:g { ?s ex:p 9 } }") == (
        set(), {("http://example.org/c", "p", "10", "g")})
    # clearing then adding back cancels out
    assert delta(any_store, "CLEAR GRAPH ex:g ; ADD ex:h TO ex:g") == (
        {(A, "p", "2", "g"), (A, "q", "x", "g"), (B, "p", "3", "g")}, set())


def test_insert_templates_get_fresh_blank_nodes_per_solution(any_store):
    small(any_store)
    change = changes.from_update(any_store, PREFIXES + "INSERT { GRAPH ex:h { ?s ex:note _:n . _:n ex:v ?o } } "
                                 "WHERE { GRAPH ex:g { ?s ex:p ?o } }", readable=[G, H])
    notes = {q.object for q in change.added if q.predicate.value == EX + "note"}
    assert len(notes) == 3 and all(isinstance(n, ox.BlankNode) for n in notes)
    assert {q.subject for q in change.added if q.predicate.value == EX + "v"} == notes
    changes.apply(any_store, change, role="admin")
    rows = any_store.query("SELECT ?s ?o WHERE { GRAPH <http://example.org/h> { ?s <http://example.org/note> ?n . "
                           "?n <http://example.org/v> ?o } }")
    assert sorted((r["s"].value, r["o"].value) for r in rows) == [(A, "1"), (A, "2"), (B, "3")]


def test_stored_blank_nodes_are_deleted_themselves_on_the_embedded_store(embedded_store):
    store = small(embedded_store)
    store.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/n> _:x . "
                 "_:x <http://example.org/v> 1 . <http://example.org/b> <http://example.org/n> _:y . "
                 "_:y <http://example.org/v> 2 } }")
    change = changes.from_update(store, PREFIXES + "DELETE { GRAPH ex:g { ?n ex:v 1 } } INSERT { GRAPH ex:g { ?n ex:v 5 } } "
                                 "WHERE { GRAPH ex:g { ex:a ex:n ?n } }", readable=[G, H])
    changes.apply(store, change, role="admin")
    rows = store.query("SELECT ?s ?v WHERE { GRAPH ?g { ?s <http://example.org/n> ?n . ?n <http://example.org/v> ?v } }")
    assert sorted((r["s"].value, r["v"].value) for r in rows) == [(A, "5"), (B, "2")]


def test_a_remote_store_refuses_to_delete_a_blank_node(remote_store):
    store = small(remote_store)
    store.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/n> _:x } }")
    before = store.count()
    with pytest.raises(QueryError, match="blank node"):
        changes.from_update(store, PREFIXES + "DELETE WHERE { GRAPH ex:g { ex:a ex:n ?n } }", readable=[G])
    blank = next(q for q in store.quads(None, None, None, G) if isinstance(q.object, ox.BlankNode))
    with pytest.raises(QueryError, match="blank node"):
        changes.apply(store, changes.Change([blank], []), role="admin")
    assert store.count() == before


def test_refused_forms(any_store):
    small(any_store)
    for text, words in [("LOAD <http://example.org/data.ttl>", "LOAD is refused"),
                        ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
                        ("INSERT DATA { schema:a schema:b 1 }", "schema"),
                        ("INSERT DATA { <relative> ex:p 1 }", "relative"),
                        ("INSERT DATA {\n ex:a ex:p }", "line")]:
        with pytest.raises(QueryError, match=words):
            changes.from_update(any_store, PREFIXES + text, readable=[G, H])


# --- validation, atomicity, roles -----------------------------------------------------------------

def test_a_conforming_update_is_written_and_counted(demo):
    result = update(demo, 'DELETE { GRAPH ?g { <https://w3id.org/oscartes/id/organisation/ville-des-ulis> rdfs:label ?l } } '
                          'INSERT { GRAPH ?g { <https://w3id.org/oscartes/id/organisation/ville-des-ulis> rdfs:label "Les Ulis"@fr } } '
                          'WHERE { GRAPH ?g { <https://w3id.org/oscartes/id/organisation/ville-des-ulis> rdfs:label ?l } }')
    assert result.removed == {graphs.DEMO.value: 1} and result.added == {graphs.DEMO.value: 1}
    assert [q.object.value for q in demo.quads(ULIS, LABEL, None, graphs.DEMO)] == ["Les Ulis"]


@pytest.mark.parametrize("text, message", [
    ("DELETE WHERE { GRAPH ?g { <https://w3id.org/oscartes/id/organisation/ville-des-ulis> rdfs:label ?l } }", "rdfs:label"),
    ('INSERT DATA { GRAPH <https://w3id.org/oscartes/graph/demo> { <https://w3id.org/oscartes/id/organisation/ville-des-ulis> '
     'osc:siren "12" } }', "SIREN"),
    # typing a stored carrier as a party breaks the stored initiatives it carries (criterion 1)
    ("INSERT DATA { GRAPH <https://w3id.org/oscartes/graph/demo> { "
     "<https://w3id.org/oscartes/id/organisation/communaute-d-agglomeration-paris-saclay> a osc:PoliticalParty } }", "parti politique"),
])
def test_a_violating_update_is_refused_with_the_report_and_the_store_unchanged(demo, text, message):
    before = snapshot(demo)
    with pytest.raises(RejectedInput) as refused:
        update(demo, text)
    assert message in refused.value.report.to_text("fr")
    assert snapshot(demo) == before


def test_a_violation_in_a_later_operation_refuses_the_whole_request(demo):
    before = snapshot(demo)
    with pytest.raises(RejectedInput):
        update(demo, 'INSERT DATA { GRAPH <https://w3id.org/oscartes/graph/demo> { ex:fine ex:p 1 } } ; '
                     'DELETE WHERE { GRAPH ?g { <https://w3id.org/oscartes/id/organisation/ville-des-ulis> rdfs:label ?l } }')
    assert snapshot(demo) == before


def test_roles_and_graphs_are_enforced_before_anything_is_written(demo):
    before = snapshot(demo)
    cases = [("curator", "INSERT DATA { GRAPH <https://w3id.org/oscartes/graph/private/accounts> { ex:a ex:p 1 } }",
              "private/accounts"),
             ("admin", "INSERT DATA { GRAPH <https://w3id.org/oscartes/graph/shapes> { ex:a ex:p 1 } }", "graph/shapes"),
             ("admin", "DROP ALL", "graph/meta"),
             ("curator", "DROP SILENT GRAPH <https://w3id.org/oscartes/graph/private/accounts>", "private/accounts"),
             # contributors write contributions only through oscartes_kg.contributions, which
             # keeps them to their own entries; never the public graphs of others
             ("contributor", "INSERT DATA { GRAPH <https://w3id.org/oscartes/graph/demo> { ex:a ex:p 1 } }",
              "graph/demo")]
    for role, text, graph in cases:
        with pytest.raises(Forbidden, match=graph):
            update(demo, text, role=role)
    assert snapshot(demo) == before


def test_private_graphs_are_invisible_to_whoever_may_not_read_them(demo):
    demo.update("INSERT DATA { GRAPH <https://w3id.org/oscartes/graph/private/accounts> { "
                "<http://example.org/a> <http://example.org/p> 1 } }")
    change = changes.from_update(demo, PREFIXES + "DELETE WHERE { ?s ex:p ?o }", readable=readable(demo, "curator"))
    assert change.removed == []
    change = changes.from_update(demo, PREFIXES + "DELETE WHERE { ?s ex:p ?o }", readable=readable(demo, "admin"))
    assert [q.graph_name for q in change.removed] == [graphs.PRIVATE_ACCOUNTS]


# --- Graph Store Protocol changes -------------------------------------------------------------------

def test_graph_store_put_post_delete(demo):
    graph = graphs.import_graph("essai")
    org = ox.NamedNode(ID + "organisation/essai")
    label = lambda text: ox.Quad(org, LABEL, ox.Literal(text, language="fr"))  # noqa: E731
    typed = ox.Quad(org, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    ox.NamedNode("https://w3id.org/oscartes/ns#Association"))
    changes.apply(demo, changes.add_to_graph(graph, [typed, label("Essai")]), role="curator")
    result = changes.apply(demo, changes.replace_graph(demo, graph, [typed, label("Essai renommé")]),
                           role="curator")
    assert result.removed == {graph.value: 1} and result.added == {graph.value: 1}
    before = snapshot(demo)
    with pytest.raises(RejectedInput):
        changes.apply(demo, changes.replace_graph(demo, graph, [typed]), role="curator")  # no label
    assert snapshot(demo) == before
    changes.apply(demo, changes.drop_graph(demo, graph), role="curator")
    assert graph not in demo.graphs()
    with pytest.raises(NotFound):
        changes.drop_graph(demo, graph)


def test_store_apply_is_one_write_on_both_backends(any_store):
    small(any_store)
    old = ox.Quad(ox.NamedNode(A), ox.NamedNode(EX + "p"), ox.Literal("1", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer")), G)
    new = ox.Quad(ox.NamedNode(A), ox.NamedNode(EX + "p"), ox.Literal('say "}" \n'), G)
    any_store.apply([old], [new])
    assert old not in set(any_store.quads()) and new in set(any_store.quads())
    before = set(any_store.quads())
    with pytest.raises(TypeError):
        any_store.apply([new], ["not a quad"])
    assert set(any_store.quads()) == before


def test_an_in_memory_store_and_the_doctest_agree():
    store = open_store()
    change = changes.from_update(store, "INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> 1 } }",
                                 readable=[])
    changes.apply(store, change, role="admin")
    assert store.count(ox.NamedNode("http://e/g")) == 1  # (and the history graph its changeset)
