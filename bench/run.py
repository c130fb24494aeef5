"""Benchmark of the embedded store, with plain pyoxigraph (and pySHACL) as baselines in the same run.

Usage: ``python bench/run.py --organisations 100000 [--data-file bench.nq] [--repeat 20]``

Prints, as Markdown ready for ``bench/RESULTS.md``: load rate with validation against pyoxigraph's
own bulk-load rate, full validation time, validation time for one changed entity (stored context
fetched included) against pySHACL on the same context graph, and the median and p95 of every named
query against the same SPARQL on a plain pyoxigraph store. Medians, because the machine is noisy.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from oscartes_kg import bootstrap, graphs, ingest, queries  # noqa: E402
from oscartes_kg.store import open_store  # noqa: E402
from oscartes_kg.validation import validator  # noqa: E402

OSC = "https://w3id.org/oscartes/ns#"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def timed(function, *args, **kwargs):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-file", type=Path, help="N-Quads from bench/generate.py (made if absent)")
    parser.add_argument("--repeat", type=int, default=20, help="runs per named query")
    parser.add_argument("--entities", type=int, default=50, help="entities for one-entity validation")
    parser.add_argument("--keep", type=Path, help="keep the loaded store in this folder")
    parser.add_argument("--query-budget", type=float, default=60.0,
                        help="seconds allowed to all the runs of one query (then stopped)")
    parser.add_argument("--queries-only", type=Path, metavar="DIR",
                        help="only time the named queries, on a store already loaded in DIR "
                             "(e.g. one kept with --keep); nothing is written to it")
    if len(sys.argv) > 1 and sys.argv[1] == "--time-query":
        return child_time_query(*sys.argv[2:7])
    args = parser.parse_args()
    if args.queries_only:
        return print_rows(time_queries(args.queries_only, args), args.organisations, None, args.seed)

    work = Path(tempfile.mkdtemp(prefix="oscartes-bench-"))
    data_file = args.data_file or work / f"bench-{args.organisations}.nq"
    if not data_file.exists():
        with open(data_file, "w", encoding="utf-8") as out:
            seconds, counts = timed(generate, args.organisations, args.seed, out)
        print(f"generated {counts.get('quads', '?')} quads in {seconds:.1f} s", file=sys.stderr)
    quads = sum(1 for _ in open(data_file, "rb"))
    rows: list[tuple[str, str, str, str]] = []

    # 1. Load: plain pyoxigraph bulk load, then our validated load, in the same process.
    baseline_dir = work / "plain"
    plain = ox.Store(str(baseline_dir))
    base_seconds, _ = timed(plain.bulk_load, path=str(data_file), format=ox.RdfFormat.N_QUADS)
    plain.flush()
    store_dir = args.keep or work / "kb"
    if store_dir.exists():
        shutil.rmtree(store_dir)
    store = open_store(data=store_dir)
    bootstrap.init_store(store)
    ours_seconds, result = timed(ingest.load, store, [data_file])
    base_rate, ours_rate = quads / base_seconds, quads / ours_seconds
    rows.append(("load (validated, all or nothing)", f"{ours_rate:,.0f} quads/s",
                 f"{base_rate:,.0f} quads/s (bulk_load)", f"{ours_rate / base_rate:.0%}"))
    print(f"load: {quads} quads, ours {ours_seconds:.1f} s, plain {base_seconds:.1f} s", file=sys.stderr)

    # 2. Full validation of the store.
    full_seconds, report = timed(validator().validate, store)
    rows.append(("full validation of the store", f"{full_seconds:.1f} s "
                 f"({len(report.errors)} errors, {len(report.warnings)} warnings)", "", ""))

    # 3. One changed entity: stored context fetched, then validated; pySHACL on the same context.
    organisations = [row[0] for row in store.query(
        f"SELECT ?o WHERE {{ ?o a <{OSC}Association> }} LIMIT 5000",
        default_graph=graphs.public(store.graphs()))]
    picked = random.Random(args.seed).sample(organisations, min(args.entities, len(organisations)))
    ours_times, shacl_times = [], []
    for entity in picked:
        staging = ox.Store()
        for quad in store.quads(subject=entity):
            staging.add(quad)
        graph = next(iter(store.quads(subject=entity))).graph_name
        staging.add(ox.Quad(entity, LABEL, ox.Literal("Nom modifié pour le banc d'essai", language="fr"), graph))
        seconds, one = timed(ingest.check, store, staging)
        ours_times.append(seconds)
        context = ox.Store()
        ingest._add_context(store, staging, {entity})
        for quad in staging:
            context.add(quad)
        seconds, _ = timed(validator().validate_with_pyshacl, context)
        shacl_times.append(seconds)
    rows.append(("validate one changed entity (median / p95)",
                 f"{ms(statistics.median(ours_times))} / {ms(percentile(ours_times, .95))}",
                 f"pySHACL on the same context: {ms(statistics.median(shacl_times))}",
                 f"{statistics.median(shacl_times) / statistics.median(ours_times):.1f}× faster"))

    # 4. Named queries: through our store API, and the same SPARQL on the plain pyoxigraph store.
    store.close()
    del plain
    rows += time_queries(store_dir, args)
    print_rows(rows, args.organisations, quads, args.seed)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def time_queries(store_dir: Path, args) -> list[tuple]:
    """One row per named query, without and with typical parameters, each timed in a child."""
    with open_store(data=store_dir, read_only=True) as store:
        public = graphs.public(store.graphs())
        variants = []
        for named in queries.all_queries():
            sampled = sample_params(store, named, public)
            variants += [(named.name, params) for params in ([{}, sampled] if sampled else [{}])]
    # Baseline: plain pyoxigraph on the same store (derived keys included), union of all graphs
    # as default graph, the same SPARQL text. The children open the store read-only.
    return [time_query_in_child(name, params, store_dir, store_dir / "oxigraph", args.repeat,
                                args.query_budget) for name, params in variants]


def print_rows(rows: list[tuple], organisations: int, quads: int | None, seed: int) -> None:
    """The Markdown table for bench/RESULTS.md."""
    size = f", {quads:,} quads" if quads else ""
    print(f"\n{organisations:,} organisations{size}, seed {seed}\n")
    print("| measure | oscartes-kg | plain pyoxigraph / pySHACL baseline | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def time_query_in_child(name: str, params: dict, store_dir: Path, plain_dir: Path, repeat: int,
                        budget: float) -> tuple:
    """Time one query in a child process, stopped after ``budget`` seconds (pyoxigraph cannot
    cancel a running query): a slow query is reported as such instead of stalling the run."""
    shown = ", ".join(f"{k}={v.rsplit('/', 1)[-1]}" for k, v in params.items()) or "no parameter"
    command = [sys.executable, __file__, "--time-query", name, json.dumps(params),
               str(store_dir), str(plain_dir), str(repeat)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=budget, check=True)
    except subprocess.TimeoutExpired:
        return (f"query `{name}` ({shown}) median / p95", f"> {budget:.0f} s (stopped)", "", "")
    return tuple(json.loads(done.stdout))


def child_time_query(name: str, params_json: str, store_dir: str, plain_dir: str, repeat: str):
    """In the child: open both stores read-only, time the query, print the row as JSON."""
    store = open_store(data=Path(store_dir), read_only=True)
    plain = ox.Store.read_only(str(Path(plain_dir)))
    print(json.dumps(time_query(store, plain, queries.get(name), json.loads(params_json),
                                int(repeat))))


def time_query(store, plain, named, params: dict, repeat: int) -> tuple:
    """One table row: the query through the store API (public graphs only) against the same
    SPARQL on the plain pyoxigraph store (union of all graphs)."""
    text = named.text(params)  # parameters written as inline VALUES, as NamedQuery.run does
    ours, baseline = [], []
    for _ in range(repeat):
        ours.append(timed(lambda: list(_rows(named.run(store, params))))[0])
        baseline.append(timed(lambda: list(_rows(plain.query(
            text, use_default_graph_as_union=True))))[0])
    shown = ", ".join(f"{k}={v.rsplit('/', 1)[-1]}" for k, v in params.items()) or "no parameter"
    return (f"query `{named.name}` ({shown}) median / p95",
            f"{ms(statistics.median(ours))} / {ms(percentile(ours, .95))}",
            ms(statistics.median(baseline)),
            f"{statistics.median(ours) / max(statistics.median(baseline), 1e-9):.2f}")


def _rows(result):
    return result if not isinstance(result, ox.QueryBoolean) else [bool(result)]


#: How to pick a realistic value for a named query's parameter, by parameter name.
SAMPLES = {
    "theme": f"SELECT ?x WHERE {{ ?s <{OSC}theme> ?x }} LIMIT 1",
    "commune": f"SELECT ?x WHERE {{ ?s <{OSC}commune> ?x }} LIMIT 1",
    "territory": f"SELECT ?x WHERE {{ ?s <{OSC}eligibleTerritory> ?x }} LIMIT 1",
    "competence": f"SELECT ?x WHERE {{ ?s a <{OSC}Need> ; <{OSC}competence> ?x }} LIMIT 1",
    "need": f"SELECT ?x WHERE {{ ?x a <{OSC}Need> ; <{OSC}needOfferStatus> <{OSC}open> }} LIMIT 1",
    "outcome": f"SELECT ?x WHERE {{ ?s <{OSC}reviewOutcome> ?x }} LIMIT 1",
}


def sample_params(store, named, public) -> dict[str, str]:
    """Realistic values for a query's parameters, read from the data: the selective case."""
    params = {}
    for param in named.params:
        if param.name in SAMPLES:
            row = next(iter(store.query(SAMPLES[param.name], default_graph=public)), None)
            if row:
                params[param.name] = row[0].value
        elif param.type == "date":
            params[param.name] = "2026-11-28"
    return params


if __name__ == "__main__":
    main()
