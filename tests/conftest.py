"""Shared pytest fixtures: real stores (embedded pyoxigraph on disk, a real Oxigraph server) and more."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from oscartes_kg.store import open_store

# ============================================================================================
# Store fixtures (oscartes_kg.store): a real Oxigraph SPARQL server started on 127.0.0.1 for the
# remote backend, and `any_store`, which runs a test on both backends.
# ============================================================================================


def _oxigraph_executable() -> str:
    """The `oxigraph` server binary of the PyPI package, next to this Python (PATH as fallback)."""
    beside_python = Path(sys.executable).with_name("oxigraph")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("The `oxigraph` executable is missing: pip install 'oscartes-kg[test]'")
    return found


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answers(url: str, server: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    """Poll the server until its query endpoint answers; fail with its log if it dies or hangs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            with requests.post(f"{url}/query", data={"query": "ASK {}"}, timeout=1) as answer:
                if answer.ok:
                    return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"oxigraph serve did not answer within {seconds} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory):
    """Start `oxigraph serve` on a free port for the whole session; yield its base URL."""
    directory = tmp_path_factory.mktemp("oxigraph-server")
    url = f"http://127.0.0.1:{_free_port()}"
    log = directory / "server.log"
    with open(log, "wb") as log_file:
        server = subprocess.Popen(
            [_oxigraph_executable(), "serve", "--location", str(directory / "data"),
             "--bind", url.removeprefix("http://")],
            stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_until_answers(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def remote_store(oxigraph_server: str):
    """A remote store on the session's server, emptied (DROP ALL) before the test."""
    with open_store(remote_url=f"{oxigraph_server}/query") as store:
        store.update("DROP ALL")
        yield store


@pytest.fixture
def embedded_store(tmp_path: Path):
    """An embedded store on disk in a fresh directory."""
    with open_store(data=tmp_path / "data") as store:
        yield store


@pytest.fixture(params=["embedded", "remote"])
def any_store(request: pytest.FixtureRequest):
    """Each backend in turn: the same test must pass on both."""
    return request.getfixturevalue(f"{request.param}_store")


# ============================================================================================
# (more fixtures below)
# ============================================================================================


# ============================================================================================
# Live HTTP server (protocol and browser tests): a real WSGI server on 127.0.0.1, in a thread.
# Use the `live_server` factory fixture, `url = live_server(app)`, or, from a fixture with a
# wider scope, the `running_server(app)` context manager it is built on.
# ============================================================================================

from contextlib import ExitStack, contextmanager  # noqa: E402
from threading import Thread  # noqa: E402

from werkzeug.serving import make_server  # noqa: E402


@contextmanager
def running_server(app):
    """Serve ``app`` on a free port of 127.0.0.1 in a thread; yield its base URL, then stop it.

    werkzeug's threaded server, not Flask's test client: requests go over real HTTP, so the
    headers, conditional GETs and a browser see what a deployment would send.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_server():
    """Factory: ``live_server(app)`` serves a Flask app over HTTP and returns its base URL
    (``http://127.0.0.1:PORT``); every server started this way stops at the end of the test."""
    with ExitStack() as stack:
        yield lambda app: stack.enter_context(running_server(app))


@pytest.fixture(scope="module")
def module_live_server():
    """The same factory for module-scoped fixtures: servers stop at the end of the module."""
    with ExitStack() as stack:
        yield lambda app: stack.enter_context(running_server(app))



# ============================================================================================
# A served knowledge base on either backend: demo data, one private quad, one token per role.
# Test modules build their own module-scoped fixture with `served_site(request, ...)`.
# ============================================================================================

SECRET_PERSON = "https://w3id.org/oscartes/id/person/secret"
SECRET_MAIL = "secret@example.org"


@contextmanager
def served_site(request, tmp_path_factory, live_factory, backend: str, **settings):
    """Serve the app over HTTP on a fresh store of ``backend`` ("embedded" or "remote")."""
    from types import SimpleNamespace

    import pyoxigraph as ox

    from app import create_app
    from oscartes_kg import bootstrap, graphs, tokens
    from oscartes_kg.config import Settings

    if backend == "embedded":
        location = {"data": tmp_path_factory.mktemp("site") / "kb"}
    else:
        location = {"remote_url": request.getfixturevalue("oxigraph_server") + "/query"}
    with open_store(**location) as store:
        if backend == "remote":
            store.update("DROP ALL")
        bootstrap.init_store(store, demo=True)
        store.insert([ox.Quad(ox.NamedNode(SECRET_PERSON), ox.NamedNode("http://schema.org/email"),
                              ox.Literal(SECRET_MAIL), graphs.PRIVATE_CONTACTS)])
        issued = {role: tokens.create(store, role)[1] for role in ("contributor", "curator", "admin")}
    app = create_app(Settings(**location, **settings))
    url = live_factory(app)
    try:
        yield SimpleNamespace(url=url, tokens=issued, app=app, backend=backend,
                              bearer=lambda role: {"Authorization": f"Bearer {issued[role]}"})
    finally:
        app.extensions["oscartes_runner"].shutdown()
        app.extensions["oscartes_store"].close()


class ServedURL(str):
    """A base URL that also knows the pid of the process serving it."""

    pid: int


@contextmanager
def serve_process(*args: str, seconds: float = 60):
    """Run ``oscartes-kg serve ARGS --port P`` as a real process until it answers on
    127.0.0.1; yield its base URL (a ``ServedURL``), then stop it."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "oscartes_kg", "serve", *map(str, args),
                               "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = ServedURL(f"http://127.0.0.1:{port}")
    url.pid = server.pid
    try:
        deadline = time.monotonic() + seconds
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"serve exited with {server.returncode}: {server.stderr.read()}")
            assert time.monotonic() < deadline, "serve did not start"
            try:
                requests.get(url + "/", timeout=5)
                break
            except requests.RequestException:  # not listening yet, or still busy starting
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        finally:
            server.stderr.close()


# ============================================================================================
# Headless Chromium for browser tests: Debian's package, driven by playwright; never a browser
# downloaded by `playwright install`. Flags keep it off the network (closed here anyway).
# ============================================================================================

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium (/usr/bin/chromium), one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
