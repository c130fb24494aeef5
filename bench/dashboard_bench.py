"""One dashboard page at 100,000 organisations (issue 7 section 6): counts, evolution, whole page.

Works on a COPY of the bench store (it writes a history and needs the catalogue file)::

    cp -a /tmp/bench-store /tmp/h-dash-store
    flock /tmp/bench.lock python bench/dashboard_bench.py --store /tmp/h-dash-store

The bench store was bulk-loaded without a history; the first run writes one, as ``load`` would
have recorded it but spread over 24 monthly changesets (each naming 1/24 of the entities with
``osc:changed``), so the evolution has months to draw. Then, for the commune with the most
actors and for its EPCI: ``dashboard.counts``, ``dashboard.evolution`` and the whole page through
Flask's test client (render included), 7 runs each after one warm-up; medians, and the ratio to
an unfiltered catalogue search (one page, facets) timed in the same process.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oscartes_kg import catalogue, dashboard, graphs, watch  # noqa: E402
from oscartes_kg.store import open_store  # noqa: E402

OSC = "https://w3id.org/oscartes/ns#"
PROV = "http://www.w3.org/ns/prov#"
DT = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def add_history(store) -> int:
    """24 monthly changesets naming every entity of the catalogue once (if none is there)."""
    if store.count(graphs.PRIVATE_HISTORY):
        return 0
    entities = sorted(row[0] for row in watch.catalogue_connection(
        catalogue.open_catalogue(store)).execute("SELECT iri FROM entity"))
    quads = []
    for month in range(24):
        year, number = 2024 + month // 12, month % 12 + 1
        node = ox.NamedNode(f"https://w3id.org/oscartes/id/changeset/{year}{number:02d}01T000000000000Z-bench{month:02d}")
        quads += [ox.Quad(node, ox.NamedNode(PROV + "endedAtTime"),
                          ox.Literal(f"{year}-{number:02d}-01T00:00:00Z", datatype=DT), graphs.PRIVATE_HISTORY)]
        quads += [ox.Quad(node, ox.NamedNode(OSC + "changed"), ox.NamedNode(iri), graphs.PRIVATE_HISTORY)
                  for iri in entities[month::24]]
    store.insert(quads)
    store.flush()
    return len(quads)


def median_ms(work, runs: int = 7) -> float:
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, required=True)
    args = parser.parse_args()
    with open_store(data=args.store) as store:
        print("history quads written:", add_history(store))
        found = catalogue.open_catalogue(store)
        connection = watch.catalogue_connection(found)
        commune, = connection.execute(
            "SELECT t.iri FROM term t JOIN facet f ON f.term = t.id JOIN entity e ON e.id = f.entity "
            "WHERE t.iri LIKE '%/commune-%' AND e.kind = 'organisation' GROUP BY t.iri "
            "ORDER BY count(*) DESC LIMIT 1").fetchone()
        parent = connection.execute("SELECT parent FROM term WHERE iri = ?", (commune,)).fetchone()[0]
    from app import create_app
    from oscartes_kg.config import Settings

    app = create_app(Settings(data=args.store))
    store = app.extensions["oscartes_store"]
    with app.app_context():
        from app import catalogue as app_catalogue
        found = app_catalogue.get()
    connection = watch.catalogue_connection(found)
    client = app.test_client()
    baseline = median_ms(lambda: found.search("", size=20))
    print(f"baseline: unfiltered catalogue search {baseline:.1f} ms")
    # What the first dashboard after a write pays once: every entity's first month, read from
    # the history (kept per data version afterwards).
    cold = median_ms(lambda: dashboard._read_first_months(store), runs=3)
    print(f"first months of every entity (once per data version): {cold:.1f} ms ({cold / baseline:.2f}x)")
    from oscartes_kg.catalogue import index
    generation = index.meta(connection, "generation") or ""
    masks = median_ms(lambda: (dashboard._month_sets.clear(),
                               dashboard._month_masks(store, connection, generation)), runs=3)
    print(f"month bitsets of the catalogue's entities (once per data version): {masks:.1f} ms "
          f"({masks / baseline:.2f}x)")
    for term in (commune, parent):
        members = len(dashboard.members(connection, term))
        counts = median_ms(lambda: dashboard.counts(found, "commune", term))
        evolution = median_ms(lambda: dashboard.evolution(store, connection, "commune", term, catalogue=found))
        slug = term.rsplit("/", 1)[1]
        page = median_ms(lambda: client.get(f"/territories/{slug}/dashboard"))
        assert client.get(f"/territories/{slug}/dashboard").status_code == 200
        print(f"{slug}: {members} entities; counts {counts:.1f} ms ({counts / baseline:.2f}x), "
              f"evolution {evolution:.1f} ms ({evolution / baseline:.2f}x), "
              f"page {page:.1f} ms ({page / baseline:.2f}x)")
    app.extensions["oscartes_runner"].shutdown()
    store.close()


if __name__ == "__main__":
    main()
