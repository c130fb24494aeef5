"""The write path (oscartes_kg.ingest): parse, validate with the stored context, write all or nothing.

Real stores on disk, real files from tests/data/ingest/, and a real ``oscartes-kg load`` process
killed with SIGKILL for crash recovery.
"""
from __future__ import annotations

import http.server
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from oscartes_kg import bootstrap, graphs, ingest
from oscartes_kg.cli import main
from oscartes_kg.errors import NotFound, ParseError, RejectedInput, UnknownFormat
from oscartes_kg.store import open_store
from oscartes_kg.store.embedded import JOURNAL_GRAPHS, JOURNAL_QUADS

DATA = Path(__file__).parent / "data" / "ingest"
ID = "https://w3id.org/oscartes/id/"
INITIATIVE = ox.NamedNode(ID + "initiative/repair-cafe-exemple")
CARRIER = ox.NamedNode(ID + "organisation/porteur-exemple")
ATELIER = ox.NamedNode(ID + "organisation/atelier-velo-exemple")
CRITERION_1_PARTY = "une initiative ne peut pas être portée par un parti politique"
REVIEW_MESSAGE = "La relecture de charte ne permet pas de publier cette initiative"
#: Quads of the generated file for the crash test: over the bulk-load threshold (200,000), so
#: the load goes through pyoxigraph's non-transactional bulk loader and its journal.
BULK_ORGANISATIONS = 21_000
BULK_QUADS_EACH = 10
BULK_GRAPH = "https://w3id.org/oscartes/graph/import/crash-test"


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two stores built once: ``empty`` (schema graphs only) and ``demo`` (with the demo data)."""
    root = tmp_path_factory.mktemp("ingest-templates")
    for name, demo in (("empty", False), ("demo", True)):
        with open_store(data=root / name) as store:
            bootstrap.init_store(store, demo=demo)
    return {"empty": root / "empty", "demo": root / "demo"}


def _copy(templates: dict, name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(templates[name], tmp_path / name))


@pytest.fixture
def demo_dir(templates, tmp_path: Path) -> Path:
    """A private copy of the demo store's directory."""
    return _copy(templates, "demo", tmp_path)


@pytest.fixture
def empty_dir(templates, tmp_path: Path) -> Path:
    """A private copy of the schema-only store's directory."""
    return _copy(templates, "empty", tmp_path)


def canonical(store) -> ox.Dataset:
    """Every quad of ``store``, canonicalized (the shapes graph holds blank nodes)."""
    found = ox.Dataset(store.quads())
    found.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return found


# --- validation with the stored context --------------------------------------------------------

def test_initiative_with_carrier_and_reviewer_only_in_the_store_is_accepted(demo_dir):
    with open_store(data=demo_dir) as store:
        ingest.load(store, [DATA / "carrier-association.ttl"])
        staging = ingest.parse([DATA / "initiative-stored-context.ttl"])
        assert not any(True for _ in staging.quads_for_pattern(CARRIER, None, None))
        result = ingest.load(store, [DATA / "initiative-stored-context.ttl"])
        assert result.report.conforms
        assert result.quads == 29
        assert any(True for _ in store.quads(INITIATIVE, None, None, graphs.CONTRIBUTIONS))


def test_same_initiative_without_the_stored_reviewer_is_rejected(empty_dir):
    """The control of the test above: with no demo data the reviewer is no member of the collective."""
    with open_store(data=empty_dir) as store:
        ingest.load(store, [DATA / "carrier-association.ttl"])
        with pytest.raises(RejectedInput) as caught:
            ingest.load(store, [DATA / "initiative-stored-context.ttl"])
        assert REVIEW_MESSAGE in caught.value.report.to_text("fr")
        assert not any(True for _ in store.quads(INITIATIVE))


def test_same_initiative_with_stored_carrier_typed_political_party_is_rejected(demo_dir):
    with open_store(data=demo_dir) as store:
        ingest.load(store, [DATA / "carrier-political-party.ttl"])
        before = canonical(store)
        with pytest.raises(RejectedInput) as caught:
            ingest.load(store, [DATA / "initiative-stored-context.ttl"])
        [error] = caught.value.report.errors
        assert error.focus == INITIATIVE.value
        assert error.label == "Repair café Exemple"
        assert error.value == f"<{CARRIER.value}>"
        assert CRITERION_1_PARTY in error.message("fr")
        assert caught.value.exit_code == 1
        assert canonical(store) == before


def test_typing_a_stored_carrier_as_political_party_is_rejected_for_its_stored_initiative(demo_dir):
    """Regression: the input names only the carrier, yet it breaks the stored initiative it carries;
    ingest used to validate the input's own subjects only and wrote it."""
    with open_store(data=demo_dir) as store:
        ingest.load(store, [DATA / "carrier-association.ttl"])
        ingest.load(store, [DATA / "initiative-stored-context.ttl"])
        before = canonical(store)
        with pytest.raises(RejectedInput) as caught:
            ingest.load(store, [DATA / "carrier-political-party.ttl"])
        assert [e.focus for e in caught.value.report.errors] == [INITIATIVE.value]
        assert CRITERION_1_PARTY in caught.value.report.to_text("fr")
        assert canonical(store) == before


def test_check_leaves_the_staging_store_as_it_was(demo_dir):
    with open_store(data=demo_dir) as store:
        staging = ingest.parse([DATA / "initiative-stored-context.ttl"])
        before = set(staging)
        assert ingest.check(store, staging).conforms  # with the stored reviewer's memberships
        assert set(staging) == before


# --- all or nothing -----------------------------------------------------------------------------

@pytest.mark.parametrize("second", ["organisation-siren-bad.ttl", "syntax-error-line-7.ttl",
                                    "remote-context.jsonld"])
def test_two_files_second_bad_writes_nothing_from_the_first(demo_dir, second):
    with open_store(data=demo_dir) as store:
        before = canonical(store)
        with pytest.raises((RejectedInput, ParseError)):
            ingest.load(store, [DATA / "atelier-velo.ttl", DATA / second])
        assert canonical(store) == before
        assert not any(True for _ in store.quads(ATELIER))


def test_quads_for_init_managed_graphs_are_left_out(empty_dir, tmp_path):
    source = tmp_path / "with-ontology.trig"
    source.write_text(
        f"<{graphs.ONTOLOGY.value}> {{ <{ID}x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" }}\n"
        f"<{graphs.CONTRIBUTIONS.value}> {{ <{ATELIER.value}> a <https://w3id.org/oscartes/ns#Association> ;"
        " <http://www.w3.org/2000/01/rdf-schema#label> \"Atelier vélo Exemple\"@fr }\n")
    with open_store(data=empty_dir) as store:
        ontology = store.count(graphs.ONTOLOGY)
        result = ingest.load(store, [source])
        assert (result.quads, result.skipped_schema_quads) == (2, 1)
        assert result.graphs == {graphs.CONTRIBUTIONS.value: 2}
        assert store.count(graphs.ONTOLOGY) == ontology


# --- parse errors -------------------------------------------------------------------------------

def test_turtle_syntax_error_names_file_and_line():
    with pytest.raises(ParseError) as caught:
        ingest.parse([DATA / "syntax-error-line-7.ttl"])
    assert caught.value.line == 7
    assert caught.value.file.endswith("syntax-error-line-7.ttl")
    assert "syntax-error-line-7.ttl, line 7" in str(caught.value)


def test_rdfxml_syntax_error_names_the_line():
    """pyoxigraph's RDF/XML errors carry no position: ingest finds the line with expat."""
    with pytest.raises(ParseError) as caught:
        ingest.parse([DATA / "syntax-error.rdf"])
    assert caught.value.line == 6


def test_unknown_extension_missing_file_and_directory(tmp_path):
    with pytest.raises(UnknownFormat):
        ingest.parse([tmp_path / "data.xlsx"])
    with pytest.raises(NotFound):
        ingest.parse([tmp_path / "nowhere.ttl"])
    (tmp_path / "folder.ttl").mkdir()
    with pytest.raises(ParseError, match="fichier illisible"):
        ingest.parse([tmp_path / "folder.ttl"])


def test_format_option_overrides_the_extension(tmp_path):
    source = tmp_path / "export.txt"
    shutil.copy(DATA / "atelier-velo.nt", source)
    assert len(ingest.parse([source], format="ntriples")) == 5


class _ContextServer(http.server.ThreadingHTTPServer):
    """A local HTTP server that serves a JSON-LD context and counts the requests it gets."""

    requests = 0


class _ContextHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.requests += 1
        body = b'{"@context": {"name": "http://www.w3.org/2000/01/rdf-schema#label"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_remote_jsonld_context_is_refused_and_never_fetched(tmp_path):
    server = _ContextServer(("127.0.0.1", 0), _ContextHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/context.jsonld"
        source = tmp_path / "local-context.jsonld"
        source.write_text(f'{{"@context": "{url}", "@id": "{ATELIER.value}", "name": "Atelier"}}')
        for path in (source, DATA / "remote-context.jsonld"):  # a local and a schema.org context
            with pytest.raises(ParseError) as caught:
                ingest.parse([path])
            assert caught.value.message == ingest.REMOTE_CONTEXT_MESSAGE
            assert caught.value.rule == "jsonld-remote-context"
        assert server.requests == 0
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- a load killed midway -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def bulk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """210,000 valid quads (fictional organisations with labels) in a new graph."""
    path = tmp_path_factory.mktemp("bulk") / "organisations.nq"
    graph = f"<{BULK_GRAPH}>"
    with open(path, "w", encoding="utf-8") as out:
        for i in range(BULK_ORGANISATIONS):
            subject = f"<{ID}organisation/crash-test-{i}>"
            out.write(f"{subject} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                      f"<https://w3id.org/oscartes/ns#Association> {graph} .\n")
            out.write(f'{subject} <http://www.w3.org/2000/01/rdf-schema#label> '
                      f'"Organisation fictive {i}"@fr {graph} .\n')
            for j in range(BULK_QUADS_EACH - 2):
                out.write(f'{subject} <http://www.w3.org/2004/02/skos/core#altLabel> '
                          f'"Nom {j} de l\'organisation fictive {i}"@fr {graph} .\n')
    return path


def _entry_point() -> str:
    beside = Path(sys.executable).with_name("oscartes-kg")
    return str(beside) if beside.exists() else shutil.which("oscartes-kg")


def _kill_load(store_dir: Path, source: Path, moment: str) -> bool:
    """Start ``oscartes-kg load`` and SIGKILL it at ``moment``: a delay in seconds, or
    ``journal+S``: S seconds after the bulk-load journal appears. Return whether the journal
    existed when the process was killed (the kill hit the write phase)."""
    process = subprocess.Popen([_entry_point(), "load", "--data", str(store_dir), str(source)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = store_dir / JOURNAL_GRAPHS
    try:
        if moment.startswith("journal+"):
            deadline = time.monotonic() + 60
            while not journal.exists() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(float(moment.removeprefix("journal+")))
        else:
            time.sleep(float(moment))
        in_write_phase = journal.exists() and process.poll() is None
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    return in_write_phase


def test_load_killed_midway_leaves_a_store_that_reopens_before_or_after(templates, tmp_path,
                                                                        bulk_file):
    with open_store(data=templates["empty"]) as store:
        before = store.count()
    after = before + BULK_ORGANISATIONS * BULK_QUADS_EACH
    hit_write_phase = []
    for number, moment in enumerate(["0.5", "journal+0", "journal+1.0"]):
        store_dir = Path(shutil.copytree(templates["empty"], tmp_path / f"store-{number}"))
        hit_write_phase.append(_kill_load(store_dir, bulk_file, moment))
        with open_store(data=store_dir) as store:  # reopening undoes an interrupted bulk load
            assert store.count() in (before, after), moment
            if store.count() == before:
                assert ox.NamedNode(BULK_GRAPH) not in store.graphs()
        assert not (store_dir / JOURNAL_QUADS).exists() and not (store_dir / JOURNAL_GRAPHS).exists()
        result = CliRunner().invoke(main, ["validate", "--data", str(store_dir)])
        assert result.exit_code == 0, result.output
    assert any(hit_write_phase), "no kill landed while the bulk load was writing"


def _first_load_store(path: Path, threshold: int):
    """A fresh store (schema graphs only) whose bulk path starts at ``threshold`` quads."""
    from oscartes_kg.store.embedded import EmbeddedStore

    store = EmbeddedStore(path, bulk_threshold=threshold)
    bootstrap.init_store(store)
    return store


def test_a_first_load_written_while_it_validates_gives_the_same_store(tmp_path):
    """A first bulk load is written in the background while it is validated (journaled): the
    store ends up as with the write after the validation, history and derived keys included."""
    from oscartes_kg import resources

    files = sorted(resources.demo_files())
    stores = {}
    for name, threshold in (("overlapped", 1), ("after", 10**9)):
        store = _first_load_store(tmp_path / name, threshold)
        result = ingest.load(store, files, author="cli")
        stores[name] = (store, result)
    (overlapped, first), (after, second) = stores["overlapped"], stores["after"]
    try:
        def public(store):  # (init's shapes hold blank nodes, named anew in each store)
            return {q for q in store.quads() if q.graph_name != graphs.PRIVATE_HISTORY
                    and q.graph_name not in graphs.SCHEMA_GRAPHS}
        assert public(overlapped) == public(after) and graphs.DERIVED in overlapped.graphs()
        assert first.quads == second.quads and first.graphs == second.graphs
        changesets = [q for q in overlapped.quads(None, None, None, graphs.PRIVATE_HISTORY)
                      if q.object == ox.NamedNode("https://w3id.org/oscartes/ns#Changeset")]
        assert len(changesets) == 1
        assert not (overlapped.path / JOURNAL_QUADS).exists()
        assert not (overlapped.path / JOURNAL_GRAPHS).exists()
    finally:
        overlapped.close()
        after.close()


def test_a_refused_first_load_leaves_nothing_behind(tmp_path):
    """Its background write is undone: the same graphs and quads as before, no journal, no
    history delta file."""
    store = _first_load_store(tmp_path / "kb", 1)
    try:
        before = set(store.quads())
        with pytest.raises(RejectedInput):
            ingest.load(store, [DATA / "organisation-siren-bad.ttl"])
        assert set(store.quads()) == before
        assert set(store.graphs()) == set(graphs.SCHEMA_GRAPHS)
        assert not (store.path / JOURNAL_QUADS).exists() and not (store.path / JOURNAL_GRAPHS).exists()
        assert not list(store.path.glob("history/*"))
    finally:
        store.close()
