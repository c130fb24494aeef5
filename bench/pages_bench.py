"""Entity pages, their RDF documents and the home page over HTTP, at 100,000 organisations.

Starts ``oscartes-kg serve --read-only`` on a store, picks sample resources of each
kind through ``/sparql``, then requests each page in turn with one client (keep-alive) and
prints the median and p95 latency per kind, with the ratio to a static file served by the same
process in the same run (the noisy machine's baseline). Targets (issue 4): an entity page under
30 ms, the home page under 50 ms.

The home page reads cached counts that the embedded store keeps in ``DATA/dumps``, and the next
events from the derived agenda keys: run it on a copy of the bench store, prepared once
(``--prepare`` computes the derived keys if the store has none)::

    cp -a /tmp/bench-store /tmp/pages-store
    flock /tmp/bench.lock python bench/pages_bench.py --store /tmp/pages-store --prepare --repeat 5
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ID = "https://w3id.org/oscartes/id/"
OSC = "https://w3id.org/oscartes/ns#"
#: (name shown, SPARQL pattern picking samples of ?s). Kinds come from the bench generator.
SAMPLES = (
    ("organisation", f"?s a <{OSC}Association>"),
    ("person", f"?s a <{OSC}Person>"),
    ("initiative", f"?s a <{OSC}Initiative>"),
    ("commons", f"?s a <{OSC}Commons>"),
    ("resource", f"?s a <{OSC}Guide>"),
    ("event", f"?s a <{OSC}Event>"),
    ("call", f"?s a <{OSC}CallForProjects>"),
    ("need", f"?s a <{OSC}Need>"),
    ("commune (~1,000 incoming)", f"?s a <{OSC}Commune>"),
    ("theme (~6,000 incoming)", f"?s <http://www.w3.org/2004/02/skos/core#topConceptOf> ?scheme "
                                f"FILTER(CONTAINS(STR(?s), '/theme/'))"),
)
HTML = {"Accept": "text/html"}


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(store_dir: Path) -> None:
    """Compute the derived agenda and watch keys once, if the store has none (write access)."""
    from oscartes_kg import derived, dumps, graphs
    from oscartes_kg.store import open_store

    with open_store(data=store_dir) as store:
        if graphs.DERIVED in store.graphs():
            print("derived keys: present", file=sys.stderr)
            return
        started = time.perf_counter()
        derived.rebuild(store)
        dumps.stamp_change(store)
        store.flush()
        print(f"derived keys: computed in {time.perf_counter() - started:.1f} s", file=sys.stderr)


@contextmanager
def server(store_dir: Path):
    """``oscartes-kg serve --read-only`` on a free port, until the home page answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "oscartes_kg", "serve", "--data", str(store_dir),
                                "--read-only", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise SystemExit("the server exited")
            try:
                requests.get(url + "/static/site/site.css", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def samples(session: requests.Session, url: str, pattern: str, count: int) -> list[str]:
    """Paths of ``count`` resources matching ``pattern``, spread over the data."""
    query = f"SELECT DISTINCT ?s WHERE {{ {pattern} }} LIMIT {count * 50}"
    answer = session.get(url + "/sparql", params={"query": query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=120)
    answer.raise_for_status()
    iris = [b["s"]["value"] for b in answer.json()["results"]["bindings"]]
    step = max(1, len(iris) // count)
    return ["/id/" + iri[len(ID):] for iri in iris[::step][:count]]


def timed(session: requests.Session, url: str, paths: list[str], repeat: int,
          headers: dict | None = None) -> list[float]:
    """Seconds per request, every path ``repeat`` times (interleaved)."""
    times = []
    for _ in range(repeat):
        for path in paths:
            started = time.perf_counter()
            answer = session.get(url + path, headers=headers or HTML, timeout=60)
            times.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise SystemExit(f"{path}: HTTP {answer.status_code}")
    return times


def row(name: str, times: list[float], baseline: float) -> str:
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1] if len(times) > 1 else times[0]
    return (f"| {name} | {len(times)} | {median * 1000:.1f} | {p95 * 1000:.1f} | "
            f"{median / baseline:.1f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="store folder (a copy)")
    parser.add_argument("--prepare", action="store_true", help="compute derived keys if missing")
    parser.add_argument("--per-kind", type=int, default=20, help="sample resources per kind")
    parser.add_argument("--repeat", type=int, default=5, help="requests per resource")
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.store)
    with server(args.store) as url, requests.Session() as session:
        started = time.perf_counter()
        timed(session, url, ["/"], 1)  # the first request makes the cached counts
        print(f"first home page (counts made if missing): {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        picked = {name: samples(session, url, pattern, args.per_kind) for name, pattern in SAMPLES}
        every = [p for paths in picked.values() for p in paths]
        timed(session, url, every, 1)  # warm the store's caches once
        static = timed(session, url, ["/static/site/site.css"], args.repeat * 20)
        baseline = statistics.median(static)
        print("| request | n | median ms | p95 ms | × static file |")
        print("|---|---|---|---|---|")
        print(row("static file (baseline)", static, baseline))
        print(row("home page", timed(session, url, ["/"], args.repeat * 20), baseline))
        all_pages: list[float] = []
        for name, paths in picked.items():
            times = timed(session, url, paths, args.repeat)
            all_pages += times
            print(row(f"entity page: {name}", times, baseline))
        print(row("entity page: all kinds", all_pages, baseline))
        print(row("Turtle document (Accept), organisations", timed(
            session, url, picked["organisation"], args.repeat, {"Accept": "text/turtle"}), baseline))
        print(row("/ontology", timed(session, url, ["/ontology"], args.repeat * 4), baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
