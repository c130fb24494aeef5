"""The SPARQL endpoint over HTTP against Oxigraph's own server, on the same store, in one run.

Both servers open the same store read-only (``oscartes-kg serve --read-only`` and ``oxigraph
serve-read-only``) and are measured alternately by the same client process, so the noisy
machine affects both alike. Prints, for issue 3:

- the median latency of a simple SELECT (one entity's label), and the ratio to Oxigraph;
- the throughput of a named query with N concurrent clients (``/queries/NAME.json`` against the
  same SPARQL posted to Oxigraph);
- the median latency of the simple SELECT while a runaway query runs, against the same without it.

Usage (a store made by ``bench/run.py`` or by ``oscartes-kg init`` + ``load``)::

    python bench/http_bench.py --store /tmp/bench-store --repeat 300 --clients 8 --duration 20
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests

from oscartes_kg import queries

ORGANISATION = "https://w3id.org/oscartes/id/organisation/"
SIMPLE = "SELECT ?l WHERE { <%s> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?p ?d }"
JSON = {"Accept": "application/sparql-results+json"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def process(command: list[str], url: str, probe: str):
    """Start a server process, wait until ``url + probe`` answers, and yield the process."""
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                raise SystemExit(f"server exited: {' '.join(command)}")
            try:
                requests.get(url + probe, timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise SystemExit(f"server did not start: {' '.join(command)}") from None
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by ``pid`` and its children (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1]: the parent
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def wait_until_idle(pid: int, limit: float, quiet: float = 5.0) -> float:
    """Wait until the server tree used under 5% of a core for ``quiet`` seconds (at most
    ``limit`` seconds); return how long it took."""
    started = time.monotonic()
    before = cpu_seconds(pid)
    while time.monotonic() - started < limit:
        time.sleep(quiet)
        now = cpu_seconds(pid)
        if now - before < 0.05 * quiet:
            break
        before = now
    return time.monotonic() - started


def latencies(session: requests.Session, send, repeat: int) -> list[float]:
    """Seconds per request, ``repeat`` times (after 10 warm-up requests)."""
    for _ in range(10):
        send(session, 0)
    out = []
    for i in range(repeat):
        started = time.perf_counter()
        answer = send(session, i)
        out.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise SystemExit(f"HTTP {answer.status_code}: {answer.text[:300]}")
    return out


def interleaved(session: requests.Session, first, second, repeat: int):
    """Seconds per request of ``first`` and of ``second``, one request of each in turn, so that
    the machine's moods hit both alike (after 10 warm-up requests each)."""
    timed: tuple[list[float], list[float]] = ([], [])
    for i in range(-10, repeat):
        for send, out in zip((first, second), timed):
            started = time.perf_counter()
            answer = send(session, i)
            if i >= 0:
                out.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise SystemExit(f"HTTP {answer.status_code}: {answer.text[:300]}")
    return timed


def throughput(send, clients: int, duration: float) -> float:
    """Requests per second with ``clients`` concurrent clients for ``duration`` seconds."""
    stop = time.monotonic() + duration
    counts = [0] * clients

    def client(index: int) -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            answer = send(session, counts[index])
            if answer.status_code != 200:
                raise SystemExit(f"HTTP {answer.status_code}: {answer.text[:300]}")
            counts[index] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return sum(counts) / (time.monotonic() - started)


def sample_organisations(store: Path, count: int = 500) -> list[str]:
    """IRIs of labelled organisations, spread over the store (read before the servers start)."""
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store / "oxigraph"))
    rows = db.query("SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                    f'FILTER(STRSTARTS(STR(?s), "{ORGANISATION}")) }}', use_default_graph_as_union=True)
    found = [row[0].value for row in rows]
    del db
    if not found:
        raise SystemExit(f"no organisation in {store}")
    return found[::max(1, len(found) // count)][:count]


def _quietly(call) -> None:
    """Run ``call``, ignoring a failure: the runaway's server may be stopped before it answers."""
    try:
        call()
    except requests.RequestException:
        pass


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="oscartes-kg store folder")
    parser.add_argument("--repeat", type=int, default=300,
                        help="simple SELECTs per server, one to each in turn")
    parser.add_argument("--server", default="granian", choices=("granian", "waitress"),
                        help="the HTTP server `serve` runs the app with")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--query", default="collective_members",
                        help="named query for the throughput test (run without parameters)")
    parser.add_argument("--settle", type=float, default=180.0,
                        help="at most this many seconds to wait, once both servers answer, for "
                             "`serve` to go idle: it builds its per-version caches in the "
                             "background (~25 s of CPU at 100k)")
    args = parser.parse_args()

    ours_url = f"http://127.0.0.1:{free_port()}"
    oxi_url = f"http://127.0.0.1:{free_port()}"
    ours_cmd = [sys.executable, "-m", "oscartes_kg", "serve", "--data", str(args.store),
                "--read-only", "--port", ours_url.rsplit(":", 1)[1], "--server", args.server]
    oxigraph = str(Path(sys.executable).with_name("oxigraph"))
    oxi_cmd = [oxigraph, "serve-read-only", "--location", str(args.store / "oxigraph"),
               "--bind", oxi_url.removeprefix("http://"), "--timeout-s", "10"]
    named = queries.get(args.query)
    organisations = sample_organisations(args.store)

    def simple_ours(session, i):
        return session.get(ours_url + "/sparql", params={"query": SIMPLE % organisations[i % len(organisations)]},
                           headers=JSON, timeout=60)

    def simple_oxi(session, i):
        return session.get(oxi_url + "/query", params={"query": SIMPLE % organisations[i % len(organisations)],
                                                        "union-default-graph": ""},
                           headers=JSON, timeout=60)

    def named_ours(session, _i):
        return session.get(f"{ours_url}/queries/{named.name}.json", timeout=120)

    def named_oxi(session, _i):
        return session.post(oxi_url + "/query", data={"query": named.sparql, "union-default-graph": ""},
                            headers=JSON, timeout=120)

    with process(ours_cmd, ours_url, "/") as ours_server, \
            process(oxi_cmd, oxi_url, "/query?query=ASK%7B%7D"):
        servers = [ours_server]
        settled = wait_until_idle(servers[0].pid, args.settle)  # not while it warms up
        print(f"serve went idle after {settled:.0f} s")
        session = requests.Session()
        if not simple_ours(session, 0).json()["results"]["bindings"]:
            raise SystemExit(f"no label for {organisations[0]}")
        ours, oxi = interleaved(session, simple_ours, simple_oxi, args.repeat)
        ours_ms, oxi_ms = median_ms(ours), median_ms(oxi)
        print(f"simple SELECT median: oscartes-kg {ours_ms:.2f} ms, oxigraph {oxi_ms:.2f} ms, "
              f"ratio {ours_ms / oxi_ms:.2f} (target <= 1.5)")

        ours_rps = throughput(named_ours, args.clients, args.duration)
        oxi_rps = throughput(named_oxi, args.clients, args.duration)
        print(f"named query '{named.name}' with {args.clients} clients: oscartes-kg "
              f"{ours_rps:.1f} req/s, oxigraph {oxi_rps:.1f} req/s, ratio {ours_rps / oxi_rps:.2f}")

        # Oxigraph first: our runaway cannot be cancelled and keeps a core until the end.
        for label, url, send, params in (
                ("oxigraph", oxi_url + "/query", simple_oxi, {"union-default-graph": ""}),
                ("oscartes-kg", ours_url + "/sparql", simple_ours, {})):
            calm = median_ms(latencies(session, send, args.repeat // 3))
            runaway = threading.Thread(target=_quietly, args=(lambda: requests.get(
                url, params={"query": RUNAWAY, **params}, headers=JSON, timeout=120),), daemon=True)
            runaway.start()
            time.sleep(1.0)
            busy = median_ms(latencies(session, send, args.repeat // 3))
            print(f"{label}: simple SELECT median {calm:.2f} ms calm, {busy:.2f} ms during a "
                  f"runaway query, ratio {busy / calm:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
