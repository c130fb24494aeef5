"""Time the public dumps and the VoID statistics on a big store, against pyoxigraph's own dump.

    flock /tmp/bench.lock python bench/dumps.py --data /tmp/bench-store --repeat 3

The store is opened read-only; the files are made in a temporary folder (never in the store's
own folder). Baseline, in the same process: ``pyoxigraph.Store.dump`` of the whole store as
N-Quads (no compression, no filtering). Prints medians as a Markdown table for RESULTS.md.
"""
from __future__ import annotations

import argparse
import statistics as stats
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from oscartes_kg import dumps, graphs
from oscartes_kg import statistics as void_statistics
from oscartes_kg.store import open_store


def median_seconds(function, repeat: int) -> float:
    """Median wall time of ``function()`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return stats.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="an embedded store (opened read-only)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-dumps", action="store_true", help="time the statistics only")
    args = parser.parse_args()
    with open_store(data=args.data, read_only=True) as store, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        public = graphs.public(store.graphs())
        cache = dumps.Cache(store, folder, max_age=None)
        quads = store.count()

        def baseline():
            with open(folder / "baseline.nq", "wb") as output:
                store.dump(output, ox.RdfFormat.N_QUADS)

        def make(name):
            (folder / name).unlink(missing_ok=True)
            cache.dump(name)

        def count():
            (folder / "statistics.json").unlink(missing_ok=True)
            cache.statistics()

        rows = [("pyoxigraph dump, all graphs, N-Quads (baseline)", median_seconds(baseline, args.repeat))]
        if not args.skip_dumps:
            rows.append(("public.nq.gz (public graphs, gzip)",
                         median_seconds(lambda: make("public.nq.gz"), args.repeat)))
            rows.append(("public.ttl (union of public graphs)",
                         median_seconds(lambda: make("public.ttl"), args.repeat)))
        rows.append(("statistics (VoID counts, 6 queries)", median_seconds(count, args.repeat)))
        rows.append(("statistics, cached (read the JSON)", median_seconds(cache.statistics, args.repeat)))
        for label, query in (("  distinct triples", void_statistics._TRIPLES),
                             ("  distinct subjects", void_statistics._SUBJECTS),
                             ("  triples per graph", void_statistics._GRAPH_TRIPLES),
                             ("  properties", void_statistics._PROPERTIES),
                             ("  classes", void_statistics._CLASSES)):
            rows.append((label, median_seconds(
                lambda q=query: list(store.query(q, default_graph=public, named_graphs=public)), 1)))
        rows.append(("  entities, all and per graph (one pass)", median_seconds(
            lambda: void_statistics._entities(store.query(
                void_statistics._GRAPH_SUBJECTS, default_graph=public, named_graphs=public)), 1)))
        base = rows[0][1]
        print(f"{quads:,} quads in {len(public)} public graphs; median of {args.repeat} runs\n")
        print("| step | median | vs baseline |\n|---|---|---|")
        for label, seconds in rows:
            print(f"| {label} | {seconds:.2f} s | {seconds / base:.2f}× |")
        if args.skip_dumps:
            return
        print(f"\nsizes: public.nq.gz {(folder / 'public.nq.gz').stat().st_size / 1e6:.1f} MB, "
              f"public.ttl {(folder / 'public.ttl').stat().st_size / 1e6:.1f} MB, "
              f"baseline N-Quads {(folder / 'baseline.nq').stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
