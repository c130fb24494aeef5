"""What the write history costs: one-entity ``changes.apply`` and a bulk load, with and without it.

Both are measured in the same process, alternating; the new label is longer than 15 bytes, as a
real one is (Oxigraph inlines shorter strings: a write of only short strings touches one RocksDB
column family fewer, and its flush is then cheaper than any write carrying a changeset's text); "without" replaces ``history.record`` /
``history.start_load`` by functions that record nothing (the only difference). Run one at a time
across agents (heavy):

    flock /tmp/bench.lock python bench/history_bench.py --store /tmp/bench-store \
        --data-file /tmp/bench100k.nq --repeat 30

``--store`` is copied (never written); ``--data-file`` is loaded into fresh stores.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from oscartes_kg import bootstrap, changes, graphs, history, ingest  # noqa: E402
from oscartes_kg.store import open_store  # noqa: E402

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ASSOCIATION = "https://w3id.org/oscartes/ns#Association"


class _Nothing:
    quads: list = []

    def discard(self):
        pass

    def finish(self, entities):
        return self


def without_history():
    """Make writes record nothing (the baseline); returns the function that restores them."""
    saved = history.record, history.start_load
    changes.history.record = lambda *a, **k: _Nothing()
    ingest.history.start_load = lambda *a, **k: _Nothing()

    def restore():
        changes.history.record, ingest.history.start_load = saved
    return restore


def bench_apply(source: Path, repeat: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="oscartes-history-"))
    copy = work / "kb"
    shutil.copytree(source, copy)
    with open_store(data=copy) as store:
        public = graphs.public(store.graphs())
        picked = next(iter(store.query(f"SELECT ?o WHERE {{ ?o a <{ASSOCIATION}> }} LIMIT 1",
                                       default_graph=public)))[0]
        times = {"with": [], "without": []}
        for i in range(repeat):
            for mode in ("with", "without") if i % 2 == 0 else ("without", "with"):
                restore = without_history() if mode == "without" else (lambda: None)
                old = list(store.quads(picked, LABEL, None, None))
                graph = old[0].graph_name
                change = changes.Change(old, [ox.Quad(picked, LABEL, ox.Literal(f"Nom modifié pour le banc d'essai ({mode} {i})", language="fr"),
                                                      graph)], {graph})
                start = time.perf_counter()
                changes.apply(store, change, role="admin", author="bench", message="bench", channel="api")
                times[mode].append(time.perf_counter() - start)
                restore()
        with_, without = statistics.median(times["with"]), statistics.median(times["without"])
        print(f"apply one entity: with history {with_ * 1000:.1f} ms, without {without * 1000:.1f} ms "
              f"(median of {repeat}), ratio {with_ / without:.2f}, +{(with_ - without) * 1000:.1f} ms")
    shutil.rmtree(work, ignore_errors=True)


def bench_load(data_file: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="oscartes-history-load-"))
    seconds = {}
    for mode in ("without", "with"):
        restore = without_history() if mode == "without" else (lambda: None)
        with open_store(data=work / mode) as store:
            bootstrap.init_store(store)
            start = time.perf_counter()
            result = ingest.load(store, [data_file], author="cli")
            seconds[mode] = time.perf_counter() - start
            extra = store.count(graphs.PRIVATE_HISTORY)
        restore()
        files = sorted((work / mode / "history").glob("*.gz")) if mode == "with" else []
        size = sum(f.stat().st_size for f in files)
        print(f"load {result.quads} quads {mode} history: {seconds[mode]:.1f} s "
              f"({result.quads / seconds[mode]:,.0f} quads/s); history graph {extra} quads, "
              f"delta files {size / 1e6:.0f} MB", flush=True)
        shutil.rmtree(work / mode, ignore_errors=True)
    print(f"load ratio with/without: {seconds['with'] / seconds['without']:.3f}")
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a bulk-loaded store to copy (apply bench)")
    parser.add_argument("--data-file", type=Path, help="N-Quads to load (load bench)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if args.store:
        bench_apply(args.store, args.repeat)
    if args.data_file:
        bench_load(args.data_file)


if __name__ == "__main__":
    main()
