"""The store API: the same tests on the embedded and the remote backend, then embedded-only guarantees."""
from __future__ import annotations

import gc
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import (
    BaseDirection, BlankNode, DefaultGraph, Literal, NamedNode, Quad, QueryBoolean,
    QueryResultsFormat, QuerySolution, QuerySolutions, QueryTriples, RdfFormat, Triple, Variable,
    parse, parse_query_results,
)

from oscartes_kg.errors import QueryError, StoreError, StoreLocked
from oscartes_kg.store import Solutions, Store, Triples, open_store
from oscartes_kg.store.embedded import JOURNAL_GRAPHS, JOURNAL_QUADS

ROOT = Path(__file__).resolve().parents[1]
EX = "http://example.org/"
A, B, C = NamedNode(EX + "graph/a"), NamedNode(EX + "graph/b"), NamedNode(EX + "graph/c")
NAME, KNOWS = NamedNode(EX + "name"), NamedNode(EX + "knows")
ALICE, BOB, CAROL = NamedNode(EX + "alice"), NamedNode(EX + "bob"), NamedNode(EX + "carol")
# Quotes, a newline, a brace and SPARQL text: escaping must keep it one harmless literal.
TRICKY = Literal('Le "Jardin" }\nINSERT DATA { <http://evil/s> <http://evil/p> "x" } #', language="fr")

DATA = [
    Quad(ALICE, NAME, Literal("Alice"), A),
    Quad(ALICE, KNOWS, BOB, A),
    Quad(BOB, NAME, TRICKY, B),
    Quad(CAROL, NAME, Literal("Carol"), DefaultGraph()),
]


def _triple(quad: Quad) -> Triple:
    """The triple of a quad."""
    return Triple(quad.subject, quad.predicate, quad.object)


@pytest.fixture
def filled(any_store: Store) -> Store:
    """A store of either backend holding DATA."""
    assert any_store.insert(DATA) == len(DATA)
    return any_store


# --- both backends -------------------------------------------------------------------------------

def test_insert_then_read_back(filled: Store):
    assert isinstance(filled, Store)
    assert set(filled.quads()) == set(DATA)
    assert filled.graphs() == [A, B]
    assert (filled.count(), filled.count(A), filled.count(B), filled.count(C)) == (4, 2, 1, 0)
    assert set(filled.quads(subject=ALICE, graph=A)) == set(DATA[:2])
    assert list(filled.quads(predicate=NAME, graph=DefaultGraph())) == [DATA[3]]
    assert list(filled.quads(object=TRICKY)) == [DATA[2]]


def test_select_returns_solutions_read_to_the_end(filled: Store):
    rows = filled.query("SELECT ?name WHERE { GRAPH ?g { ?who <http://example.org/name> ?name } }")
    assert isinstance(rows, Solutions)
    assert {row["name"] for row in rows} == {Literal("Alice"), TRICKY}
    assert list(rows) == []  # iterable once, like pyoxigraph's QuerySolutions


def test_solutions_read_like_pyoxigraph_ones(filled: Store):
    text = ("SELECT ?who ?name ?nothing WHERE { GRAPH ?g { ?who <http://example.org/name> ?name } }"
            " ORDER BY ?who")
    rows = filled.query(text)
    assert rows.variables == [Variable("who"), Variable("name"), Variable("nothing")]
    first = next(rows)
    assert isinstance(first, QuerySolution)
    assert (first["who"], first[1], first[Variable("nothing")]) == (ALICE, Literal("Alice"), None)
    who, name, nothing = next(rows)
    assert (who, name, nothing) == (BOB, TRICKY, None)
    with pytest.raises(StopIteration):
        next(rows)
    assert [(row["who"], row["name"]) for row in filled.query(text)] == [
        (ALICE, Literal("Alice")), (BOB, TRICKY)]


@pytest.mark.parametrize("fmt", [QueryResultsFormat.JSON, QueryResultsFormat.XML,
                                 QueryResultsFormat.CSV, QueryResultsFormat.TSV])
def test_solutions_serialize_as_pyoxigraph_does(filled: Store, fmt: QueryResultsFormat):
    filled.insert([Quad(BlankNode("b1"), NAME, Literal("x\ty", language="ar",
                                                       direction=BaseDirection.RTL), C)])
    # a stored blank node, a tab, a base direction, a triple term, a datatype, an unbound value
    text = ("SELECT ?who ?name ?t ?n ?none WHERE { GRAPH ?g { ?who <http://example.org/name> "
            '?name } BIND(<<( <http://example.org/s> <http://example.org/p> "x"@en--ltr )>> AS ?t)'
            " BIND(42 AS ?n) } ORDER BY ?name")
    expected = [tuple(row) for row in filled.query(text)]
    assert any(isinstance(row[0], BlankNode) for row in expected)
    body = filled.query(text).serialize(format=fmt)
    # byte for byte what pyoxigraph's own lazy results write (the remote backend has no lazy ones)
    assert body == filled.query(text, lazy=True).serialize(format=fmt)
    if fmt != QueryResultsFormat.CSV:  # CSV keeps plain values only
        parsed = parse_query_results(body, fmt)
        assert [v.value for v in parsed.variables] == ["who", "name", "t", "n", "none"]
        assert [tuple(row) for row in parsed] == expected
    output = io.BytesIO()
    rows = filled.query(text)
    next(rows)
    assert rows.serialize(output, fmt) is None  # like pyoxigraph: the rows not read yet
    assert output.getvalue() == filled.query(text + " OFFSET 1").serialize(format=fmt)


def test_substitutions_bind_values_without_injection(filled: Store):
    query = "SELECT ?who ?name WHERE { GRAPH ?g { ?who <http://example.org/name> ?name } }"
    rows = filled.query(query, substitutions={"name": TRICKY})
    assert [row["who"] for row in rows] == [BOB]
    rows = filled.query("SELECT ?who ?name WHERE { GRAPH ?g { ?who <http://example.org/name> ?name } }",
                        substitutions={"who": ALICE})
    assert [row["name"] for row in rows] == [Literal("Alice")]
    assert filled.count() == len(DATA)  # the text in TRICKY was not run


def test_default_graph_and_named_graphs_restrict_the_dataset(filled: Store):
    everything = "SELECT ?s WHERE { ?s ?p ?o }"
    assert list(filled.query(everything, default_graph=[B])) != []
    assert {r["s"] for r in filled.query(everything, default_graph=[A])} == {ALICE}
    assert [r["s"] for r in filled.query(everything, default_graph=[B])] == [BOB]
    assert not filled.query("ASK { ?s ?p <http://example.org/bob> }", default_graph=[B])
    # Naming only the default graph hides every named graph, also from GRAPH ?g.
    assert list(filled.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=[B])) == []
    named = filled.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[A])
    assert [r["g"] for r in named] == [A]
    assert list(filled.query(everything, named_graphs=[A])) == []


def test_construct_returns_triples_read_to_the_end(filled: Store):
    text = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://example.org/graph/a> { ?s ?p ?o } }"
    result = filled.query(text)
    assert isinstance(result, Triples)
    assert set(result) == {_triple(q) for q in DATA[:2]}
    assert list(result) == []  # iterable once, like pyoxigraph's QueryTriples
    first = next(filled.query(text))
    assert isinstance(first, Triple) and first in {_triple(q) for q in DATA[:2]}
    output = io.BytesIO()
    assert filled.query("CONSTRUCT WHERE { ?s ?p ?o }").serialize(output, RdfFormat.N_TRIPLES) is None
    assert {_triple(q) for q in parse(output.getvalue(), RdfFormat.N_TRIPLES)} == {_triple(DATA[3])}
    turtle = filled.query(text).serialize(format=RdfFormat.TURTLE)
    assert set(parse(turtle, RdfFormat.TURTLE)) == {Quad(*_triple(q)) for q in DATA[:2]}


def test_ask(filled: Store):
    yes = filled.query("ASK { GRAPH ?g { ?s <http://example.org/knows> ?o } }")
    no = filled.query("ASK { ?s <http://example.org/knows> ?o }")
    assert isinstance(yes, QueryBoolean)  # pyoxigraph's own: any thread may free it
    assert (bool(yes), bool(no)) == (True, False)


def test_quads_are_read_to_the_end(filled: Store):
    found = filled.quads(subject=ALICE)
    assert type(found) is type(iter([]))  # an iterator over a list: any thread may free it
    assert next(found) in DATA[:2] and set(found) | set(filled.quads(subject=ALICE)) == set(DATA[:2])


# pyoxigraph's lazy results: freed on another thread than their own, they leak and raise
# "... is unsendable, but is being dropped on another thread" (PyO3).
UNSENDABLE = (QuerySolutions, QueryTriples,
              type(pyoxigraph.Store().quads_for_pattern(None, None, None)))
QUERIES = {"select": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
           "construct": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
           "ask": "ASK { GRAPH ?g { ?s ?p ?o } }"}


def _freed_on_another_thread(make) -> list[str]:
    """Make a result on this thread inside a reference cycle (what rdflib's parser errors
    create), let the garbage collector free it on another thread, and return the unraisable
    errors that freeing raised."""
    errors: list[str] = []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda found: errors.append(f"{found.exc_type.__name__}: {found.exc_value}")
    gc.collect()
    gc.disable()  # no collection on this thread before the other one's
    try:
        cycle: dict = {"result": make()}
        cycle["self"] = cycle
        del cycle
        collector = threading.Thread(target=gc.collect)
        collector.start()
        collector.join()
    finally:
        gc.enable()
        sys.unraisablehook = hook
    return errors


def _reachable(root, depth: int = 6) -> list:
    """Every object ``root`` refers to, directly or through up to ``depth`` steps."""
    seen, found, layer = {id(root)}, [root], [root]
    for _ in range(depth):
        layer = [o for parent in layer for o in gc.get_referents(parent) if id(o) not in seen]
        seen.update(id(o) for o in layer)
        found += layer
    return found


def _started(result):
    """``result`` after one row was read, as a caller that stops early leaves it."""
    if not isinstance(result, QueryBoolean):
        next(result)
    return result


@pytest.mark.parametrize("kind", sorted(QUERIES))
def test_results_may_be_freed_on_another_thread(filled: Store, kind: str):
    assert _freed_on_another_thread(lambda: filled.query(QUERIES[kind])) == []
    result = filled.query(QUERIES[kind])
    assert not [o for o in _reachable(result) if isinstance(o, UNSENDABLE)]
    assert _freed_on_another_thread(lambda: filled.quads()) == []
    assert _freed_on_another_thread(lambda: _started(filled.query(QUERIES[kind]))) == []


def test_lazy_results_are_caught_when_freed_on_another_thread():
    """The check above sees the bug: pyoxigraph's lazy results (``lazy=True``) freed there."""
    with open_store() as store:
        store.insert(DATA)
        lazy = _freed_on_another_thread(lambda: store.query(QUERIES["select"], lazy=True))
        assert lazy and "unsendable" in lazy[0]
        assert _freed_on_another_thread(lambda: store.quads(lazy=True))


def test_lazy_streams_on_the_embedded_store(embedded_store: Store):
    # A million rows, no LIMIT: a lazy caller reads three and stops.
    text = ("SELECT * WHERE { VALUES ?a { " + " ".join(map(str, range(100))) + " } "
            "VALUES ?b { " + " ".join(map(str, range(100))) + " } "
            "VALUES ?c { " + " ".join(map(str, range(100))) + " } }")
    rows = embedded_store.query(text, lazy=True)
    assert isinstance(rows, QuerySolutions)
    assert [v.value for v in rows.variables] == ["a", "b", "c"]
    assert len([next(rows) for _ in range(3)]) == 3
    del rows  # on this thread, as every lazy caller must
    embedded_store.insert(DATA)
    quads = embedded_store.quads(graph=A, lazy=True)
    assert isinstance(quads, UNSENDABLE) and set(quads) == set(DATA[:2])
    del quads


def test_lazy_on_the_remote_store_gives_the_same_results(remote_store: Store):
    remote_store.insert(DATA)
    rows = remote_store.query(QUERIES["select"], lazy=True)
    assert isinstance(rows, Solutions)
    assert {(r["s"], r["p"], r["o"], r["g"]) for r in rows} == {tuple(q) for q in DATA[:3]}
    assert set(remote_store.quads(graph=A, lazy=True)) == set(DATA[:2])


def test_malformed_query_gives_parser_message(filled: Store):
    with pytest.raises(QueryError, match=r"^erreur de syntaxe SPARQL ligne 1, colonne 10 : "
                                         r"expected CONSTRUCT / SPARQL syntax error at line 1"):
        filled.query("SELEC ?s WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="expected"):
        filled.update("INSERT DATA { <http://e/s> }")


def test_failing_update_changes_nothing(filled: Store):
    before = set(filled.quads())
    with pytest.raises(StoreError):  # CREATE of an existing graph fails after the insert ran
        filled.update(f"INSERT DATA {{ GRAPH <{C.value}> {{ <{EX}x> <{EX}p> 1 }} }} ;"
                      f" CREATE GRAPH <{A.value}>")
    with pytest.raises(QueryError):
        filled.update(f"INSERT DATA {{ GRAPH <{C.value}> {{ <{EX}x> <{EX}p> 1 }} }} ; DELET")
    assert set(filled.quads()) == before


def test_insert_is_all_or_nothing(filled: Store):
    def quads_then_failure():
        yield Quad(BOB, KNOWS, CAROL, C)
        raise ValueError("broken source")

    with pytest.raises(ValueError):
        filled.insert(quads_then_failure())
    with pytest.raises(TypeError):
        filled.insert([Quad(BOB, KNOWS, CAROL, C), "not a quad"])
    assert set(filled.quads()) == set(DATA)
    assert filled.insert([]) == 0


def test_replace_graph(filled: Store):
    new = [Quad(BOB, KNOWS, CAROL, C), Triple(CAROL, NAME, Literal("Caroline"))]
    filled.replace_graph(A, new)
    assert set(filled.quads(graph=A)) == {Quad(BOB, KNOWS, CAROL, A), Quad(CAROL, NAME, Literal("Caroline"), A)}
    assert set(filled.quads(graph=B)) == {DATA[2]}
    assert filled.graphs() == [A, B]


def test_remove_graph(filled: Store):
    filled.remove_graph(A)
    filled.remove_graph(C)  # absent: no error
    assert filled.graphs() == [B]
    assert set(filled.quads()) == set(DATA[2:])


def test_outgoing(filled: Store):
    filled.insert([Quad(ALICE, KNOWS, CAROL, DefaultGraph())])
    found = filled.outgoing([ALICE, CAROL, ALICE])
    assert sorted(map(str, found)) == sorted(map(str, DATA[:2] + DATA[3:] + [Quad(ALICE, KNOWS, CAROL)]))
    assert filled.outgoing([]) == []


def test_outgoing_many_nodes(any_store: Store):
    people = [NamedNode(f"{EX}person/{i}") for i in range(450)]
    any_store.insert(Quad(p, NAME, Literal(str(i)), A) for i, p in enumerate(people))
    assert len(any_store.outgoing(people[::2])) == 225


@pytest.mark.parametrize("fmt", [RdfFormat.N_QUADS, RdfFormat.TRIG, RdfFormat.JSON_LD])
def test_dump_then_reload_gives_same_quads(filled: Store, fmt: RdfFormat):
    filled.insert([Quad(BlankNode(), NAME, Literal("anonyme"), A)])
    output = io.BytesIO()
    filled.dump(output, fmt)
    with open_store() as fresh:
        fresh.insert(parse(output.getvalue(), fmt))
        assert set(fresh.quads()) == set(filled.quads())


def test_dump_turtle_is_the_union_of_all_graphs(filled: Store):
    output = io.BytesIO()
    filled.dump(output, RdfFormat.TURTLE)
    assert {_triple(q) for q in parse(output.getvalue(), RdfFormat.TURTLE)} == {_triple(q) for q in DATA}


# --- remote only ---------------------------------------------------------------------------------

def test_remote_graph_store_protocol(oxigraph_server: str, remote_store: Store):
    remote_store.insert(DATA)
    with open_store(remote_url=f"{oxigraph_server}/query", remote_store_url=f"{oxigraph_server}/store") as gsp:
        gsp.replace_graph(A, [Quad(BOB, KNOWS, CAROL, C)])
        assert set(gsp.quads(graph=A)) == {Quad(BOB, KNOWS, CAROL, A)}
        output = io.BytesIO()
        gsp.dump(output, RdfFormat.N_QUADS)
        assert set(parse(output.getvalue(), RdfFormat.N_QUADS)) == set(remote_store.quads())


def test_remote_unreachable_names_the_url():
    with open_store(remote_url="http://127.0.0.1:9/query", timeout=2) as store:
        with pytest.raises(StoreError, match=r"http://127\.0\.0\.1:9/query") as caught:
            store.count()
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
        with pytest.raises(StoreError, match=r"http://127\.0\.0\.1:9/update"):
            store.insert(DATA)


def test_remote_cut_answer_fails_inside_query(remote_store: Store):
    # Oxigraph's server answers a failing SERVICE with HTTP 200 and a cut body (PITFALLS.md):
    # the rows are read to the end inside query(), so the caller gets a StoreError there.
    text = ("SELECT * WHERE { { VALUES ?x { 1 2 } } UNION "
            "{ SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } }")
    with pytest.raises(StoreError, match="broken answer"):
        remote_store.query(text)


def test_remote_read_only_refuses_writes(oxigraph_server: str):
    with open_store(remote_url=f"{oxigraph_server}/query", read_only=True) as store:
        with pytest.raises(StoreError, match="read-only"):
            store.insert(DATA)


# --- embedded only -------------------------------------------------------------------------------

def _run_python(code: str, *args: str, wait: bool = True):
    """Run Python code in a child process with the repository importable."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", textwrap.dedent(code), *args]
    if wait:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_embedded_data_survive_reopening(tmp_path: Path):
    with open_store(data=tmp_path) as store:
        store.insert(DATA)
    assert (tmp_path / "oxigraph").is_dir()
    with open_store(data=tmp_path) as store:
        assert set(store.quads()) == set(DATA)
    with open_store(data=tmp_path, read_only=True) as store:
        assert store.count() == len(DATA)
        with pytest.raises(StoreError, match="read-only"):
            store.insert(DATA)
        named = sorted({q.graph_name for q in DATA if isinstance(q.graph_name, NamedNode)},
                       key=lambda g: g.value)
        listed = store.graphs()  # read once, then kept: a read-only store never changes
        assert listed == named and named
        listed.clear()
        assert store.graphs() == named


def test_embedded_second_process_gets_store_locked(tmp_path: Path):
    with open_store(data=tmp_path):
        child = _run_python("""
            import sys
            from pathlib import Path
            from oscartes_kg.errors import StoreLocked
            from oscartes_kg.store import open_store
            try:
                open_store(data=Path(sys.argv[1]))
            except StoreLocked as error:
                print(error)
                sys.exit(7)
            """, str(tmp_path))
    assert child.returncode == 7, child.stderr
    assert f"La base de données {tmp_path} est déjà ouverte" in child.stdout
    assert f"The store {tmp_path} is already open in another process" in child.stdout


def test_embedded_same_process_gets_store_locked(tmp_path: Path):
    with open_store(data=tmp_path):
        with pytest.raises(StoreLocked, match=str(tmp_path)):
            open_store(data=tmp_path)


LOAD_300K = """
    import sys
    from pathlib import Path
    from pyoxigraph import Literal, NamedNode, Quad
    from oscartes_kg.store import open_store
    ex = "http://example.org/"
    name, old, new = NamedNode(ex + "name"), NamedNode(ex + "graph/a"), NamedNode(ex + "graph/new")
    store = open_store(data=Path(sys.argv[1]))
    quads = [Quad(NamedNode(f"{ex}p/{i}"), name, Literal(str(i)), old if i % 2 else new)
             for i in range(300_000)]
    quads.append(Quad(NamedNode(ex + "alice"), name, Literal("Alice"), old))  # already there
    store.insert(quads)
    print("finished", file=sys.stderr)
    """


def test_embedded_bulk_load_killed_midway_is_undone(tmp_path: Path):
    with open_store(data=tmp_path) as store:
        store.insert(DATA)
    child = _run_python(LOAD_300K, str(tmp_path), wait=False)
    deadline = time.monotonic() + 60
    while not (tmp_path / JOURNAL_QUADS).exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(0.2)  # let bulk_extend start writing
    child.send_signal(signal.SIGKILL)
    _, errors = child.communicate()
    assert child.returncode == -signal.SIGKILL, f"the load was not interrupted: {errors.decode()}"
    with open_store(data=tmp_path) as store:
        assert set(store.quads()) == set(DATA)
        assert store.graphs() == [A, B]
    assert not (tmp_path / JOURNAL_QUADS).exists() and not (tmp_path / JOURNAL_GRAPHS).exists()


def test_embedded_load_finished_but_not_committed_is_undone(tmp_path: Path):
    """A crash between the end of bulk_extend and the journal's deletion: reopen undoes it all."""
    store = open_store(data=tmp_path)
    store.insert(DATA)
    load = [Quad(NamedNode(f"{EX}p/{i}"), NAME, Literal(str(i)), [A, C, DefaultGraph()][i % 3])
            for i in range(3000)] + DATA
    store._write_journal(load)
    store._db.bulk_extend(load)
    store.close()  # the journal is still there, as after a kill
    with open_store(data=tmp_path) as store:
        assert set(store.quads()) == set(DATA)
        assert store.graphs() == [A, B]
    assert not (tmp_path / JOURNAL_QUADS).exists()


def test_embedded_bulk_insert_completes_without_journal(tmp_path: Path):
    from oscartes_kg.store.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path, bulk_threshold=1000) as store:
        store.insert(DATA)
        load = [Quad(NamedNode(f"{EX}p/{i}"), NAME, Literal(str(i)), [A, C, DefaultGraph()][i % 3])
                for i in range(5000)]
        assert store.insert(load) == 5000
        assert not (tmp_path / JOURNAL_QUADS).exists() and not (tmp_path / JOURNAL_GRAPHS).exists()
    with open_store(data=tmp_path) as store:
        assert set(store.quads()) == set(DATA) | set(load)


def test_embedded_read_only_with_interrupted_load_refuses(tmp_path: Path):
    with open_store(data=tmp_path) as store:
        store.insert(DATA)
        store._write_journal([Quad(BOB, KNOWS, CAROL, C)])
    with pytest.raises(StoreError, match="interrupted load"):
        open_store(data=tmp_path, read_only=True)
    with open_store(data=tmp_path) as store:
        assert set(store.quads()) == set(DATA)
