"""Serving for real, as the README documents it: granian (or waitress), read-only workers sharing a snapshot,
the Oxigraph server opening a store made by `init`, and writers told clearly that a server holds
the store."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import _free_port, _oxigraph_executable, _wait_until_answers, serve_process
from oscartes_kg import bootstrap, tokens
from oscartes_kg.store import open_store

COLLECTIVE = "https://w3id.org/oscartes/id/organisation/oscartes"
LABEL_QUERY = ("SELECT ?l WHERE { <%s> <http://www.w3.org/2000/01/rdf-schema#label> ?l }" % COLLECTIVE)


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "oscartes_kg", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def demo_dir(tmp_path: Path) -> tuple[Path, str]:
    """A closed demo store and an admin token for it."""
    data = tmp_path / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        token = tokens.create(store, "admin")[1]
    return data, token


def _labels(url: str) -> list[str]:
    answer = requests.get(url + "/sparql", params={"query": LABEL_QUERY}, timeout=30,
                          headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    return sorted(b["l"]["value"] for b in answer.json()["results"]["bindings"])


@pytest.mark.parametrize("option, server", [((), "granian"), (("--server", "waitress"), "waitress")])
def test_serve_uses_a_production_server(demo_dir, option, server):
    data, _ = demo_dir
    with serve_process("--data", data, *option) as url:
        assert requests.get(url + "/", timeout=10).headers["Server"] == server
        assert _labels(url)


def test_a_killed_server_leaves_neither_port_nor_store_behind(demo_dir):
    """granian serves from a worker process: when the main process is killed outright (no
    chance to stop its worker), the worker notices and stops, releasing the store."""
    data, _ = demo_dir
    with serve_process("--data", data) as url:
        os.kill(url.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(url + "/", timeout=2)
            except requests.RequestException:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the worker kept serving after its main process was killed")
        while True:  # the worker exits once it has closed the store
            try:
                with open_store(data=data) as store:
                    assert store.count() > 0
                break
            except Exception:
                assert time.monotonic() < deadline, "the store stayed locked"
                time.sleep(0.2)


def test_read_only_workers_share_one_snapshot_and_refuse_writes(demo_dir, tmp_path):
    data, token = demo_dir
    copy = tmp_path / "kb-snapshot"
    made = _cli("snapshot", "--data", data, "--to", copy)
    assert made.returncode == 0, made.stderr
    again = _cli("snapshot", "--data", data, "--to", copy)
    assert again.returncode == 3 and "existe déjà" in again.stderr
    with serve_process("--data", copy, "--read-only") as first, \
            serve_process("--data", copy, "--read-only") as second:
        labels = _labels(first)
        assert labels == _labels(second) != []
        refused = requests.post(first + "/sparql", timeout=30, data={
            "update": f"INSERT DATA {{ <{COLLECTIVE}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
                      "<https://example.org/x> }"},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        assert refused.status_code == 503 and "lecture seule" in refused.json()["error"]
    with serve_process("--data", data) as writer:  # the original store still opens read-write
        assert _labels(writer) == labels


def test_snapshot_while_a_server_holds_the_store_says_so(demo_dir, tmp_path):
    data, _ = demo_dir
    with serve_process("--data", data):
        held = _cli("snapshot", "--data", data, "--to", tmp_path / "copy")
        load = _cli("load", "--data", data, tmp_path / "missing.ttl")
    assert held.returncode == 3 and "déjà ouverte par un autre programme" in held.stderr
    assert "--remote URL" in held.stderr and "Traceback" not in held.stderr
    assert load.returncode in (1, 3) and "Traceback" not in load.stderr
    assert not (tmp_path / "copy").exists()


def test_the_oxigraph_server_opens_a_store_made_by_init(demo_dir, tmp_path):
    """The README's multi-process recipe: `oxigraph serve --location DIR/oxigraph`, app on it."""
    data, _ = demo_dir
    url = f"http://127.0.0.1:{_free_port()}"
    log = tmp_path / "oxigraph.log"
    with open(log, "wb") as output:
        server = subprocess.Popen([_oxigraph_executable(), "serve", "--location", str(data / "oxigraph"),
                                   "--bind", url.removeprefix("http://"), "--timeout-s", "10"],
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_answers(url, server, log)
        with serve_process("--remote", url + "/query") as first, \
                serve_process("--remote", url + "/query") as second:
            assert _labels(first) == _labels(second) != []
        listed = _cli("query", "--remote", url + "/query", "--name", "collective_members",
                      "--format", "csv")
        assert listed.returncode == 0 and listed.stdout.count("\n") > 5
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_warms_the_per_version_caches_up(tmp_path, monkeypatch):
    """`serve` builds the matching index and the history's first months in the background, so
    the first visitor of a need's page or a dashboard does not wait for them: after the warm-up,
    the pages' calls build nothing (the real builders run, counted)."""
    from app import _warm_up
    from oscartes_kg import bootstrap, dashboard, matching_index
    from oscartes_kg.store import open_store

    built = []
    for module, name in ((matching_index, "build"), (dashboard, "_read_first_months")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda store, real=real, name=name: built.append(name) or real(store))
    with open_store(data=tmp_path / "kb") as store:
        bootstrap.init_store(store, demo=True)
        _warm_up(store)
        assert built == ["build", "_read_first_months"]
        matching_index.index(store)
        dashboard.first_months(store)
        assert built == ["build", "_read_first_months"]  # nothing built again


def test_the_warm_up_and_a_first_page_build_the_matching_index_once(tmp_path, monkeypatch):
    """Two threads asking for a store's first index (serve's warm-up and a visitor) wait for one
    build instead of making two."""
    import threading

    from oscartes_kg import bootstrap, matching_index
    from oscartes_kg.store import open_store

    built, started = [], threading.Event()
    real = matching_index.build

    def counted(store):
        built.append(1)
        started.set()
        return real(store)

    monkeypatch.setattr(matching_index, "build", counted)
    with open_store(data=tmp_path / "kb") as store:
        bootstrap.init_store(store, demo=True)
        results = []
        threads = [threading.Thread(target=lambda: results.append(matching_index.index(store)))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(built) == 1 and results[0] is results[1]
