"""The ``oscartes-kg`` command line: every command, its formats, exit codes and error messages.

Each test works on its own copy of a store that ``init`` built once per module (with and without
the demo data); stores are compared through their full N-Quads dumps, canonicalized (RDFC-1.0)
because the shapes graph holds blank nodes.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import RDF, SH

from oscartes_kg import graphs, queries
from oscartes_kg.cli import main
from oscartes_kg.store import open_store

DATA = Path(__file__).parent / "data" / "ingest"
ID = "https://w3id.org/oscartes/id/"
OSC = "https://w3id.org/oscartes/ns#"
ATELIER = ID + "organisation/atelier-velo-exemple"
RESSOURCERIE = ID + "organisation/ressourcerie-exemple"
SIREN_MESSAGE = "Le numéro SIREN doit compter exactement 9 chiffres, sans espaces ni lettres."
CRITERION_1_PARTY = "une initiative ne peut pas être portée par un parti politique"
#: Environment of every CliRunner call: no setting leaks in from the shell running the tests.
CLEAN_ENV = {"OSCARTES_DATA": None, "OSCARTES_SPARQL_URL": None,
             "OSCARTES_SPARQL_UPDATE_URL": None, "OSCARTES_SPARQL_STORE_URL": None}


def run(*args, env: dict | None = None):
    """Invoke ``oscartes-kg ARGS`` in this process; stdout and stderr stay apart."""
    result = CliRunner().invoke(main, [str(a) for a in args], env={**CLEAN_ENV, **(env or {})})
    assert "Traceback" not in result.output, result.output
    return result


def dataset(store_dir: Path) -> ox.Dataset:
    """The store's full N-Quads dump (through ``dump``), canonicalized."""
    result = run("dump", "--data", store_dir, "--format", "nquads")
    assert result.exit_code == 0, result.stderr
    found = ox.Dataset(ox.parse(result.stdout_bytes, format=ox.RdfFormat.N_QUADS))
    found.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return found


def graph_quads(store_dir: Path, graph: str) -> set:
    """The quads of one graph, as N-Quads lines (no blank nodes in test data)."""
    with open_store(data=store_dir) as store:
        return {str(q) for q in store.quads(graph=ox.NamedNode(graph))}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two stores built once by ``init``: ``empty`` (schema only) and ``demo`` (``--demo``)."""
    root = tmp_path_factory.mktemp("templates")
    for name, extra in (("empty", []), ("demo", ["--demo"])):
        result = run("init", "--data", root / name, *extra)
        assert result.exit_code == 0, result.stderr
    return {"empty": root / "empty", "demo": root / "demo"}


@pytest.fixture
def empty_store(templates, tmp_path: Path) -> Path:
    """A private copy of the schema-only store."""
    return Path(shutil.copytree(templates["empty"], tmp_path / "empty"))


@pytest.fixture
def demo_store(templates, tmp_path: Path) -> Path:
    """A private copy of the demo store."""
    return Path(shutil.copytree(templates["demo"], tmp_path / "demo"))


def _write_bad_store(store_dir: Path) -> None:
    """Write an invalid organisation straight into the store (bypassing ``load``)."""
    with open_store(data=store_dir) as store:
        store.insert(ox.Quad(t.subject, t.predicate, t.object, graphs.CONTRIBUTIONS) for t in
                     ox.parse(path=DATA / "organisation-siren-bad.ttl", format=ox.RdfFormat.TURTLE))


# --- init ---------------------------------------------------------------------------------------

def test_init_writes_schema_graphs_and_demo_adds_demo_graphs(templates):
    with open_store(data=templates["empty"]) as empty, open_store(data=templates["demo"]) as demo:
        assert set(empty.graphs()) == set(graphs.SCHEMA_GRAPHS)
        assert {graphs.DEMO, graphs.TERRITORIES} <= set(demo.graphs())
        for graph in graphs.SCHEMA_GRAPHS:
            assert empty.count(graph) > 0
            assert empty.count(graph) == demo.count(graph)


def test_init_twice_changes_nothing(demo_store):
    before = dataset(demo_store)
    result = run("init", "--data", demo_store, "--demo")
    assert result.exit_code == 0, result.stderr
    assert dataset(demo_store) == before


def test_data_comes_from_OSCARTES_DATA(tmp_path):
    env = {"OSCARTES_DATA": str(tmp_path / "kb")}
    assert run("init", env=env).exit_code == 0
    assert run("load", DATA / "atelier-velo.ttl", env=env).exit_code == 0
    result = run("query", "--format", "csv",
                 f"SELECT ?label WHERE {{ <{ATELIER}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}",
                 env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["label", "Atelier vélo Exemple"]


# --- load: formats, graphs, all or nothing ------------------------------------------------------

@pytest.mark.parametrize("suffix", ["ttl", "trig", "nt", "nq", "jsonld", "rdf"])
def test_load_reads_every_rdf_format(empty_store, suffix):
    result = run("load", "--data", empty_store, DATA / f"atelier-velo.{suffix}")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"5\t{graphs.CONTRIBUTIONS.value}\n"
    assert "Chargé / loaded: 5 quads" in result.stderr
    reference = ox.Store()  # the store writes literals in canonical form (48.700 -> 48.7)
    reference.load(path=DATA / "atelier-velo.ttl", format=ox.RdfFormat.TURTLE,
                   to_graph=graphs.CONTRIBUTIONS)
    expected = {str(quad) for quad in reference}
    assert len(expected) == 5
    assert graph_quads(empty_store, graphs.CONTRIBUTIONS.value) == expected


def test_load_graph_option_and_private_graphs_hidden_from_query(empty_store):
    private = graphs.PRIVATE_PROPOSALS.value
    result = run("load", "--data", empty_store, "--graph", private, DATA / "atelier-velo.ttl")
    assert result.exit_code == 0, result.stderr
    assert len(graph_quads(empty_store, private)) == 5
    ask = f"ASK {{ <{ATELIER}> ?p ?o }}"
    assert run("query", "--data", empty_store, ask).stdout == "false\n"
    assert run("query", "--data", empty_store, "--all-graphs", ask).stdout == "true\n"


def test_load_two_files_second_rejected_writes_nothing_from_the_first(demo_store):
    before = dataset(demo_store)
    result = run("load", "--data", demo_store, DATA / "atelier-velo.ttl",
                 DATA / "organisation-siren-bad.ttl")
    assert result.exit_code == 1
    assert "rien n'a été enregistré" in result.stderr
    assert dataset(demo_store) == before


def test_load_two_files_second_not_parsable_writes_nothing_from_the_first(demo_store):
    before = dataset(demo_store)
    result = run("load", "--data", demo_store, DATA / "atelier-velo.ttl",
                 DATA / "syntax-error-line-7.ttl")
    assert result.exit_code == 1
    assert dataset(demo_store) == before


def test_load_output_has_no_progress_bar_when_not_a_terminal(empty_store):
    result = run("load", "--data", empty_store, DATA / "atelier-velo.ttl", DATA / "atelier-velo.nt")
    assert result.exit_code == 0, result.stderr
    assert "\r" not in result.output
    for noise in ("lecture", "fichier/s", "it/s", "%|"):
        assert noise not in result.output


# --- load: bad input gets its own message, a non-zero status, and changes nothing ---------------

BAD_INPUTS = {
    # name: (file maker, exit code, words the message must hold)
    "syntax error on line 7": (lambda tmp: DATA / "syntax-error-line-7.ttl", 1,
                               ["syntax-error-line-7.ttl", "line 7", "erreur de syntaxe", "theme:"]),
    "RDF/XML syntax error": (lambda tmp: DATA / "syntax-error.rdf", 1,
                             ["syntax-error.rdf", "line 6", "erreur de syntaxe"]),
    "unknown format": (lambda tmp: _make(tmp / "data.xlsx", b"PK\x03\x04 not RDF"), 1,
                       ["data.xlsx", "format de fichier non reconnu", ".xlsx"]),
    "a directory": (lambda tmp: _make_dir(tmp / "folder.ttl"), 1,
                    ["folder.ttl", "fichier illisible", "unreadable file"]),
    "binary garbage": (lambda tmp: _make(tmp / "garbage.ttl", bytes(range(128, 256)) * 4), 1,
                       ["garbage.ttl", "line 1", "UTF-8"]),
    "remote JSON-LD context": (lambda tmp: DATA / "remote-context.jsonld", 1,
                               ["remote-context.jsonld", "contexte JSON-LD distant refusé"]),
    "missing file": (lambda tmp: tmp / "nowhere.ttl", 1, ["nowhere.ttl", "fichier introuvable"]),
    "shape violation": (lambda tmp: DATA / "organisation-siren-bad.ttl", 1,
                        ["Refusé", "« Ressourcerie Exemple »", f"<{RESSOURCERIE}>",
                         "« numéro SIREN » (osc:siren)", '"123 456 789"', SIREN_MESSAGE]),
}


def _make(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _make_dir(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_load_bad_input_is_refused_with_its_own_message_and_store_unchanged(demo_store, tmp_path,
                                                                             case):
    make, code, words = BAD_INPUTS[case]
    before = dataset(demo_store)
    result = run("load", "--data", demo_store, make(tmp_path))
    assert result.exit_code == code, result.output
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    assert dataset(demo_store) == before


def test_bad_input_messages_are_all_different(demo_store, tmp_path):
    firsts = set()
    for make, _code, _words in BAD_INPUTS.values():
        result = run("load", "--data", demo_store, make(tmp_path))
        firsts.add(result.stderr.splitlines()[0].split(": ", 2)[-1])
    assert len(firsts) == len(BAD_INPUTS)


def test_locked_store_is_refused_with_exit_3_and_left_unchanged(demo_store):
    before = dataset(demo_store)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from oscartes_kg.store import open_store\n"
         f"store = open_store(data=Path({str(demo_store)!r}))\nprint('ready', flush=True)\n"
         "time.sleep(60)\n"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        for command in (["load", DATA / "atelier-velo.ttl"], ["validate"], ["dump"]):
            result = run(command[0], "--data", demo_store, *command[1:])
            assert result.exit_code == 3, result.output
            assert "déjà ouverte par un autre programme" in result.stderr
            assert "already open in another process" in result.stderr
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert dataset(demo_store) == before


# --- validate -----------------------------------------------------------------------------------

def test_validate_demo_store_conforms(demo_store):
    result = run("validate", "--data", demo_store)
    assert result.exit_code == 0, result.output
    assert "Conforme" in result.stdout


def test_validate_text_report_names_label_iri_property_and_message(demo_store):
    _write_bad_store(demo_store)
    result = run("validate", "--data", demo_store)
    assert result.exit_code == 1
    assert "1 erreur(s)" in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.startswith("ERREUR"))
    for word in ("« Ressourcerie Exemple »", f"<{RESSOURCERIE}>", "« numéro SIREN » (osc:siren)",
                 '"123 456 789"', SIREN_MESSAGE):
        assert word in line


def test_validate_english_report(demo_store):
    _write_bad_store(demo_store)
    result = run("validate", "--data", demo_store, "--lang", "en")
    assert result.exit_code == 1
    assert "1 error(s)" in result.stdout and "ERROR:" in result.stdout
    assert "The SIREN number must have exactly 9 digits, without spaces or letters." in result.stdout


def test_validate_json_report(demo_store):
    _write_bad_store(demo_store)
    result = run("validate", "--data", demo_store, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    [error] = report["errors"]
    assert error["entity"] == RESSOURCERIE
    assert error["label"] == "Ressourcerie Exemple"
    assert error["property"] == OSC + "siren"
    assert error["rule"] == "PatternConstraintComponent"
    assert error["message"] == SIREN_MESSAGE


def test_validate_turtle_report_is_a_shacl_validation_report(demo_store):
    _write_bad_store(demo_store)
    result = run("validate", "--data", demo_store, "--format", "turtle")
    assert result.exit_code == 1
    report = rdflib.Graph().parse(data=result.stdout, format="turtle")
    [node] = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == rdflib.Literal(False)
    [found] = report.objects(node, SH.result)
    assert report.value(found, SH.focusNode) == rdflib.URIRef(RESSOURCERIE)
    assert report.value(found, SH.resultPath) == rdflib.URIRef(OSC + "siren")
    assert rdflib.Literal(SIREN_MESSAGE, lang="fr") in set(report.objects(found, SH.resultMessage))


def test_validate_conforming_turtle_report(demo_store):
    result = run("validate", "--data", demo_store, "--format", "turtle")
    assert result.exit_code == 0
    report = rdflib.Graph().parse(data=result.stdout, format="turtle")
    [node] = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == rdflib.Literal(True)


def test_validate_files_uses_stored_context_and_writes_nothing(demo_store):
    assert run("load", "--data", demo_store, DATA / "carrier-political-party.ttl").exit_code == 0
    before = dataset(demo_store)
    result = run("validate", "--data", demo_store, DATA / "initiative-stored-context.ttl")
    assert result.exit_code == 1
    assert "« Repair café Exemple »" in result.stdout and CRITERION_1_PARTY in result.stdout
    assert dataset(demo_store) == before


def test_validate_files_accepted_with_stored_carrier_and_reviewer(demo_store):
    assert run("load", "--data", demo_store, DATA / "carrier-association.ttl").exit_code == 0
    result = run("validate", "--data", demo_store, DATA / "initiative-stored-context.ttl")
    assert result.exit_code == 0, result.stdout


# --- dump ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dump_format,suffix", [("nquads", "nq"), ("trig", "trig"),
                                                ("jsonld", "jsonld")])
def test_dump_loads_back_into_a_fresh_store_quad_for_quad(templates, tmp_path, dump_format,
                                                          suffix):
    dumped = tmp_path / f"dump.{suffix}"
    result = run("dump", "--data", templates["demo"], "--format", dump_format, "-o", dumped)
    assert result.exit_code == 0, result.stderr
    fresh = tmp_path / "fresh"
    assert run("init", "--data", fresh).exit_code == 0
    result = run("load", "--data", fresh, dumped)
    assert result.exit_code == 0, result.stderr
    assert "graphes gérés par `init` ignorés" in result.stderr
    assert dataset(fresh) == dataset(templates["demo"])


def test_dump_turtle_is_the_union_of_the_graphs(templates):
    result = run("dump", "--data", templates["demo"], "--format", "turtle")
    assert result.exit_code == 0
    union = rdflib.Graph().parse(data=result.stdout_bytes, format="turtle")
    assert (rdflib.URIRef(ID + "group/animation"), RDF.type,
            rdflib.URIRef(OSC + "WorkingGroup")) in union          # demo graph
    assert (rdflib.URIRef(OSC + "Initiative"), RDF.type,
            rdflib.URIRef("http://www.w3.org/2002/07/owl#Class")) in union  # ontology graph


# --- query --------------------------------------------------------------------------------------

GROUPS = ("PREFIX osc: <https://w3id.org/oscartes/ns#> "
          "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?group ?label WHERE { ?group a osc:WorkingGroup ; rdfs:label ?label "
          "FILTER(lang(?label) = 'fr') } ORDER BY ?group")


def test_query_csv_has_header_and_plain_values(templates):
    result = run("query", "--data", templates["demo"], "--format", "csv", GROUPS)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["group", "label"]
    assert rows[1] == [ID + "group/animation", "Animation"]
    assert len(rows) == 6
    assert "<" not in result.stdout and "@fr" not in result.stdout


def test_query_json_is_sparql_json_results(templates):
    result = run("query", "--data", templates["demo"], "--format", "json", GROUPS)
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer["head"]["vars"] == ["group", "label"]
    first = answer["results"]["bindings"][0]
    assert first["group"] == {"type": "uri", "value": ID + "group/animation"}
    assert first["label"] == {"type": "literal", "value": "Animation", "xml:lang": "fr"}


def test_query_table(templates):
    result = run("query", "--data", templates["demo"], GROUPS)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["group", "label"]
    assert lines[2].split() == [ID + "group/animation", "Animation"]


def test_query_construct_as_turtle(templates):
    construct = ("CONSTRUCT { ?g a <https://w3id.org/oscartes/ns#WorkingGroup> } WHERE "
                 "{ ?g a <https://w3id.org/oscartes/ns#WorkingGroup> }")
    result = run("query", "--data", templates["demo"], "--format", "turtle", construct)
    assert result.exit_code == 0, result.stderr
    found = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert len(found) == 5
    assert (rdflib.URIRef(ID + "group/animation"), RDF.type,
            rdflib.URIRef(OSC + "WorkingGroup")) in found


def test_query_named_collective_members(templates):
    named = queries.get("collective_members")
    required = [p.name for p in named.params if p.required]
    assert not required, f"collective_members takes no required parameter, got {required}"
    result = run("query", "--data", templates["demo"], "--name", "collective_members",
                 "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert ID + "organisation/poles-noe" in result.stdout  # member through the steering committee
    listed = run("query", "--list")
    assert "collective_members" in listed.stdout


def test_query_usage_errors_exit_2(templates):
    both = run("query", "--data", templates["demo"], "--name", "x", "ASK {}")
    assert both.exit_code == 2 and "QUERY or --name" in both.stderr
    neither = run("query", "--data", templates["demo"])
    assert neither.exit_code == 2
    bad_param = run("query", "--data", templates["demo"], "--name", "x", "--param", "novalue")
    assert bad_param.exit_code == 2 and "KEY=VALUE" in bad_param.stderr
    unknown = run("query", "--data", templates["demo"], "--name", "no_such_query")
    assert unknown.exit_code == 1 and "requête nommée inconnue" in unknown.stderr


def test_query_malformed_sparql_is_refused_with_exit_1(templates):
    result = run("query", "--data", templates["demo"], "SELEC ?x")
    assert result.exit_code == 1 and result.stderr


# --- usage and environment errors --------------------------------------------------------------

def test_no_store_given_is_a_usage_error():
    result = run("load", DATA / "atelier-velo.ttl")
    assert result.exit_code == 2
    assert "--data" in result.stderr


def test_load_without_files_is_a_usage_error(empty_store):
    result = run("load", "--data", empty_store)
    assert result.exit_code == 2


def test_store_that_does_not_exist_is_not_created_by_load(tmp_path):
    result = run("load", "--data", tmp_path / "missing", DATA / "atelier-velo.ttl")
    assert result.exit_code == 1
    assert "oscartes-kg init --data" in result.stderr
    assert not (tmp_path / "missing").exists()


def test_unreachable_remote_server_exits_3():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/query"
    result = run("query", "--remote", url, "ASK {}")
    assert result.exit_code == 3
    assert "injoignable" in result.stderr


# --- the remote backend -------------------------------------------------------------------------

def test_remote_init_load_query(oxigraph_server):
    url = f"{oxigraph_server}/query"
    with open_store(remote_url=url) as store:
        store.update("DROP ALL")
    assert run("init", "--remote", url).exit_code == 0
    result = run("load", "--remote", url, DATA / "atelier-velo.ttl")
    assert result.exit_code == 0, result.stderr
    select = f"SELECT ?label WHERE {{ <{ATELIER}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
    result = run("query", "--remote", url, "--format", "csv", select)
    assert result.stdout.splitlines() == ["label", "Atelier vélo Exemple"]
    assert run("validate", "--remote", url).exit_code == 0
    rejected = run("load", "--remote", url, DATA / "organisation-siren-bad.ttl")
    assert rejected.exit_code == 1 and SIREN_MESSAGE in rejected.stderr
    env_result = run("query", "--format", "csv", select, env={"OSCARTES_SPARQL_URL": url})
    assert env_result.stdout.splitlines() == ["label", "Atelier vélo Exemple"]


# --- the installed entry point ------------------------------------------------------------------

def _entry_point() -> str:
    """The ``oscartes-kg`` script installed next to this Python (PATH as fallback)."""
    beside = Path(sys.executable).with_name("oscartes-kg")
    found = str(beside) if beside.exists() else shutil.which("oscartes-kg")
    assert found, "the oscartes-kg entry point is not installed"
    return found


def test_installed_entry_point(empty_store):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    good = subprocess.run([_entry_point(), "load", "--data", str(empty_store),
                           str(DATA / "atelier-velo.ttl")], capture_output=True, text=True,
                          env=env, timeout=60)
    assert good.returncode == 0, good.stderr
    assert good.stdout == f"5\t{graphs.CONTRIBUTIONS.value}\n"
    assert "\r" not in good.stderr and "lecture" not in good.stderr  # stderr is a pipe: no bar
    bad = subprocess.run([_entry_point(), "load", "--data", str(empty_store),
                          str(DATA / "syntax-error-line-7.ttl")], capture_output=True, text=True,
                         env=env, timeout=60)
    assert bad.returncode == 1
    assert "syntax-error-line-7.ttl, line 7" in bad.stderr
    assert "Traceback" not in bad.stderr + bad.stdout
    helped = subprocess.run([_entry_point(), "--help"], capture_output=True, text=True, env=env,
                            timeout=60)
    assert "Exit codes" in helped.stdout
