"""Latency of the agenda and watch pages over HTTP, against baselines measured in the same run.

Starts ``oscartes-kg serve --read-only`` on a store (which must hold the derived agenda keys:
``oscartes_kg.derived.rebuild``), then times, alternately and with the same client:

- a static file (the server's own floor);
- the first request of each (caches cold: the initiatives feed is computed once per data version);
- the plain SPARQL of "the next 50 events" posted to ``/sparql`` (read every event and sort:
  what the agenda would cost without the derived keys);
- the agenda pages (upcoming, filtered, past), the iCalendar feed and one event's .ics, the
  calls pages and the two Atom feeds.

Prints a Markdown table of medians and p95, and each page's ratio to the plain SPARQL baseline.

Usage::

    flock /tmp/bench.lock python bench/agenda_bench.py --store /tmp/h3-bench/kb --repeat 30
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.http_bench import free_port  # noqa: E402

NEXT_50 = """PREFIX schema: <http://schema.org/>
PREFIX osc: <https://w3id.org/oscartes/ns#>
SELECT ?event ?start WHERE {
  ?event a osc:Event ; schema:startDate ?start .
  FILTER(SUBSTR(STR(?start), 1, 10) >= "%s")
} ORDER BY STR(?start) LIMIT 50"""
PICK = """PREFIX osc: <https://w3id.org/oscartes/ns#>
SELECT ?event ?theme ?commune WHERE { ?event a osc:Event ; osc:theme ?theme ; osc:commune ?commune } LIMIT 1"""


def serve(store: Path):
    """Start a read-only server on ``store``; return (process, base URL) once it answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "oscartes_kg", "serve", "--read-only",
                                "--data", str(store), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            requests.get(url + "/static/agenda/agenda.css", timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="store folder (with derived keys)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    process, url = serve(args.store)
    session = requests.Session()
    try:
        today = time.strftime("%Y-%m-%d")
        picked = session.post(url + "/sparql", data={"query": PICK},
                              headers={"Accept": "application/sparql-results+json"}).json()
        row = picked["results"]["bindings"][0]
        event, theme, commune = (row[name]["value"] for name in ("event", "theme", "commune"))
        slug = event.rsplit("/", 1)[-1]
        cases = {
            "static file (server floor)": ("GET", "/static/agenda/agenda.css", None),
            "plain SPARQL: next 50 events (baseline)": ("POST", "/sparql", NEXT_50 % today),
            "/agenda": ("GET", "/agenda", None),
            "/agenda?theme=": ("GET", f"/agenda?theme={theme}", None),
            "/agenda?commune=": ("GET", f"/agenda?commune={commune}", None),
            "/agenda?theme=&commune=": ("GET", f"/agenda?theme={theme}&commune={commune}", None),
            "/agenda/past": ("GET", "/agenda/past", None),
            "/agenda.ics (100 past + 500 upcoming)": ("GET", "/agenda.ics", None),
            "/agenda.ics?theme=": ("GET", f"/agenda.ics?theme={theme}", None),
            "/id/event/{slug}.ics": ("GET", f"/id/event/{slug}.ics", None),
            "/calls": ("GET", "/calls", None),
            "/calls?theme=": ("GET", f"/calls?theme={theme}", None),
            "/calls/archive": ("GET", "/calls/archive", None),
            "/calls.atom": ("GET", "/calls.atom", None),
            "/initiatives.atom": ("GET", "/initiatives.atom", None),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        sizes: dict[str, int] = {}
        first: dict[str, float] = {}
        for name, (method, path, query) in cases.items():  # warm up, check every answer
            start = time.perf_counter()
            answer = _fetch(session, url, method, path, query)
            first[name] = time.perf_counter() - start
            assert answer.status_code == 200, (name, answer.status_code, answer.text[:300])
            sizes[name] = len(answer.content)
        for _ in range(args.repeat):  # alternate, so noise hits every case alike
            for name, (method, path, query) in cases.items():
                start = time.perf_counter()
                _fetch(session, url, method, path, query)
                times[name].append(time.perf_counter() - start)
    finally:
        process.terminate()
        process.wait(timeout=30)
    baseline = statistics.median(times["plain SPARQL: next 50 events (baseline)"])
    print(f"\n{args.repeat} runs each, alternated; store {args.store}\n")
    print("| request | first request | median | p95 | bytes | ratio to plain SPARQL next 50 |")
    print("|---|---|---|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        p95 = sorted(values)[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"| {name} | {first[name] * 1000:.0f} ms | {median * 1000:.1f} ms | {p95 * 1000:.1f} ms | {sizes[name]:,} | "
              f"{median / baseline:.2f} |")


def _fetch(session, url, method, path, query):
    if method == "POST":
        return session.post(url + path, data={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=120)
    return session.get(url + path, headers={"Accept": "text/html"}, timeout=120)


if __name__ == "__main__":
    main()
