"""Search and map GeoJSON over HTTP at 100,000 organisations, and the catalogue rebuild time.

Builds the catalogue of a COPY of the bench store with ``oscartes-kg reindex`` (timed: the
rebuild figure), starts ``oscartes-kg serve --read-only`` on it, then requests with
one client (keep-alive):

- searches for words taken from random labels (seeded), one and two words, as the HTML page and
  as JSON, plus facet-only searches (a theme, a kind, a commune) and the unfiltered first page;
- ``/api/map.geojson`` for bounding boxes around random points, each grown until it holds about
  500 points (counted in the catalogue's R*Tree).

Medians and p95, with the ratio to a static file served by the same process in the same run
(the noisy machine's baseline). Targets (issue 4): a search under 100 ms, the GeoJSON of a
500-point box under 100 ms. The catalogue file is written in the copy, never in /tmp/bench-store::

    cp -a /tmp/bench-store /tmp/search-store
    flock /tmp/bench.lock python bench/search_bench.py --store /tmp/search-store --reindex
"""
from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages_bench import row, server, timed  # noqa: E402  (same server and timing helpers)

ID = "https://w3id.org/oscartes/id/"
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


def reindex(store: Path) -> float:
    """Seconds ``oscartes-kg reindex`` takes on ``store`` (a full rebuild)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "oscartes_kg", "reindex", "--data", str(store)], check=True)
    return time.perf_counter() - started


def words(catalogue: sqlite3.Connection, rng: random.Random, count: int) -> tuple[list, list]:
    """One-word and two-word queries taken from random labels of actors, initiatives, events."""
    labels = [r[0] for r in catalogue.execute(
        "SELECT label FROM entity WHERE kind IN ('organisation', 'initiative', 'event') "
        "ORDER BY id")]
    one, two = [], []
    while len(one) < count or len(two) < count:
        found = [w for w in re.findall(r"\w+", rng.choice(labels)) if len(w) >= 5 and not w.isdigit()]
        if found and len(one) < count:
            one.append(rng.choice(found))
        if len(found) >= 2 and len(two) < count:
            first = rng.randrange(len(found) - 1)
            two.append(f"{found[first]} {found[first + 1]}")
    return one, two


def boxes(catalogue: sqlite3.Connection, rng: random.Random, count: int, target: int = 500) -> list:
    """Bounding boxes around random mapped points, each grown until it holds ``target`` points."""
    points = catalogue.execute("SELECT lon, lat FROM entity WHERE mapped ORDER BY id").fetchall()
    found = []
    for lon, lat in rng.sample(points, count):
        half = 0.002
        while True:
            box = (lon - half, lat - half, lon + half, lat + half)
            inside = catalogue.execute(
                "SELECT count(*) FROM place WHERE min_lon >= ? AND max_lon <= ? AND min_lat >= ? "
                "AND max_lat <= ?", (box[0], box[2], box[1], box[3])).fetchone()[0]
            if inside >= target or half > 1:
                found.append((",".join(f"{v:.5f}" for v in box), inside))
                break
            half *= 1.15
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="store folder (a copy)")
    parser.add_argument("--reindex", action="store_true", help="rebuild the catalogue (timed)")
    parser.add_argument("--queries", type=int, default=30, help="queries of each sort")
    parser.add_argument("--repeat", type=int, default=3, help="requests per query")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.store.resolve() == Path("/tmp/bench-store").resolve():
        raise SystemExit("use a copy of /tmp/bench-store: the catalogue file is written in it")
    if args.reindex:
        print(f"reindex (full catalogue rebuild): {reindex(args.store):.1f} s", file=sys.stderr)
    rng = random.Random(args.seed)
    catalogue = sqlite3.connect(f"file:{args.store / 'catalogue.sqlite'}?mode=ro", uri=True)
    entities = catalogue.execute("SELECT count(*) FROM entity").fetchone()[0]
    one, two = words(catalogue, rng, args.queries)
    themes = [r[0] for r in catalogue.execute(
        "SELECT iri FROM term WHERE field = 'theme' ORDER BY iri")]
    communes = [r[0] for r in catalogue.execute(
        "SELECT iri FROM term WHERE field = 'commune' AND iri LIKE '%/commune-%' ORDER BY iri")]
    bboxes = boxes(catalogue, rng, args.queries)
    catalogue.close()
    print(f"catalogue: {entities} entities; boxes hold {statistics.median(n for _, n in bboxes):.0f} "
          f"points (median)", file=sys.stderr)
    facet_paths = ([f"/search?theme={t}" for t in rng.sample(themes, min(10, len(themes)))]
                   + ["/search?kind=event", "/search?kind=organisation"]
                   + [f"/search?commune={c}" for c in rng.sample(communes, min(8, len(communes)))])
    with server(args.store) as url, requests.Session() as session:
        started = time.perf_counter()
        timed(session, url, ["/search.json?q=jardin"], 1)  # builds nothing: loads the facet sets
        print(f"first search (facet sets loaded): {time.perf_counter() - started:.1f} s", file=sys.stderr)
        q = lambda words: [f"/search?q={requests.utils.quote(w)}" for w in words]  # noqa: E731
        timed(session, url, q(one) + q(two), 1, HTML)  # warm the caches once
        static = timed(session, url, ["/static/site/site.css"], args.repeat * 20)
        baseline = statistics.median(static)
        print("| request | n | median ms | p95 ms | × static file |")
        print("|---|---|---|---|---|")
        print(row("static file (baseline)", static, baseline))
        searches = timed(session, url, q(one), args.repeat, HTML)
        print(row("search page, one word (HTML)", searches, baseline))
        two_words = timed(session, url, q(two), args.repeat, HTML)
        print(row("search page, two words (HTML)", two_words, baseline))
        print(row("search, one word (JSON)", timed(
            session, url, [p.replace("/search?", "/search.json?") for p in q(one)], args.repeat, JSON),
            baseline))
        facets = timed(session, url, facet_paths, args.repeat, HTML)
        print(row("search page, facet filter only", facets, baseline))
        print(row("search page, no query (first page)", timed(session, url, ["/search"], args.repeat * 5, HTML),
                  baseline))
        print(row("search page, all kinds above", searches + two_words + facets, baseline))
        geo = timed(session, url, [f"/api/map.geojson?bbox={b}" for b, _ in bboxes], args.repeat,
                    {"Accept": "application/geo+json"})
        print(row("GeoJSON, ~500-point box", geo, baseline))
        print(row("GeoJSON, whole area (capped)", timed(session, url, ["/api/map.geojson"], args.repeat * 3,
                                                        {"Accept": "application/geo+json"}), baseline))
        print(row("map page", timed(session, url, ["/map"], args.repeat * 5, HTML), baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
