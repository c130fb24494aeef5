"""Actors suggested for a call for projects at 100,000 organisations (issue 7 section 4).

Works on a copy of the bench store (the catalogue file is written next to it)::

    cp -a /tmp/bench-store /tmp/i-calls-store
    flock /tmp/bench.lock python bench/call_suggestions_bench.py --store /tmp/i-calls-store

Three eligibilities, from the widest to the narrowest: the broadest theme with the most actors
in the busiest département (most candidates: the worst case of the bitset lookup and the name
ordering), two themes in the busiest commune, one narrow theme anywhere. ``suggest`` is timed
7 times after a warm-up; medians, and the ratio to an unfiltered catalogue search (one page and
its facets) in the same process.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oscartes_kg import call_suggestions, catalogue, watch  # noqa: E402
from oscartes_kg.store import open_store  # noqa: E402


def median_ms(work, runs: int = 7) -> float:
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def busiest(connection, pattern: str, parent_is_null: bool | None = None) -> list[str]:
    """Term IRIs matching ``pattern``, the most tagged actors first."""
    sql = ("SELECT t.iri FROM term t JOIN facet f ON f.term = t.id JOIN entity e ON e.id = f.entity "
           "WHERE t.iri LIKE ? AND e.kind IN ('organisation', 'person')")
    if parent_is_null is not None:
        sql += " AND t.parent IS " + ("NULL" if parent_is_null else "NOT NULL")
    return [row[0] for row in connection.execute(sql + " GROUP BY t.iri ORDER BY count(*) DESC", (pattern,))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, required=True)
    args = parser.parse_args()
    with open_store(data=args.store) as store:
        found = catalogue.open_catalogue(store)
        connection = watch.catalogue_connection(found)
        baseline = median_ms(lambda: found.search("", size=20))
        print(f"baseline: unfiltered catalogue search {baseline:.1f} ms")
        broad = busiest(connection, "%/theme/%", parent_is_null=True)
        narrow = busiest(connection, "%/theme/%", parent_is_null=False)
        cases = {
            "broadest theme x busiest département": ([broad[0]], busiest(connection, "%/departement-%")[:1]),
            "two themes x busiest commune": (narrow[:2], busiest(connection, "%/commune-%")[:1]),
            "one narrow theme, any territory": ([narrow[-1]], []),
        }
        for name, (themes, territories) in cases.items():
            result = call_suggestions.suggest(found, themes, territories)
            took = median_ms(lambda: call_suggestions.suggest(found, themes, territories))
            print(f"{name}: {result.total} fitting, {len(result.actors)} shown; "
                  f"suggest {took:.1f} ms ({took / baseline:.2f}x)")


if __name__ == "__main__":
    main()
