"""Time the curation reads at scale: an entry with its reviews, the pending list, the reviewer
check, and the store's warnings (one full validation, then the cached answer).

Opens a bulk-loaded store read-only (never modifies it). The baseline is ``describe`` of the
same entity (what its public page reads), measured in the same process.

    flock /tmp/bench.lock python bench/curation_bench.py --data /tmp/bench-store --repeat 20
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from oscartes_kg import review
from oscartes_kg.describe import describe
from oscartes_kg.store import open_store


def median_ms(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/bench-store"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    store = open_store(data=args.data, read_only=True)
    rows = store.query("SELECT ?i WHERE { ?i a <https://w3id.org/oscartes/ns#Initiative> ; "
                       "<https://w3id.org/oscartes/ns#hasCharterReview> ?r } LIMIT 1",
                       union_default_graph=True)
    initiative = next(iter(rows))[0]
    member = "https://w3id.org/oscartes/id/organisation/poles-noe"
    results = {
        "baseline: describe(initiative) (its public page's read)": median_ms(
            lambda: describe(store, initiative), args.repeat),
        "review.entry(initiative) (entry, status, reviews, every graph)": median_ms(
            lambda: review.entry(store, initiative), args.repeat),
        "review.pending(limit=50)": median_ms(lambda: review.pending(store), args.repeat),
        "review.reviewer_for(member)": median_ms(
            lambda: _reviewer(store, member), args.repeat),
    }
    start = time.perf_counter()
    found = review.store_warnings(store, wait=1200)
    first = time.perf_counter() - start
    cached = median_ms(lambda: review.store_warnings(store), args.repeat)
    base = results["baseline: describe(initiative) (its public page's read)"]
    print(f"| measure ({store.count()} quads, {initiative.value}) | median ms | × baseline |")
    print("|---|---:|---:|")
    for name, value in results.items():
        print(f"| {name} | {value:.2f} | {value / base:.2f} |")
    print(f"| store_warnings: first full validation (background thread, waited for) | "
          f"{first * 1000:.0f} | {first * 1000 / base:.0f} |")
    print(f"| store_warnings: later calls, same data version (cached) | {cached:.3f} | "
          f"{cached / base:.3f} |")
    print(f"\n{len(found.warnings)} warnings; current={found.current}")


def _reviewer(store, member: str) -> None:
    try:
        review.reviewer_for(store, member)
    except Exception:  # the bench data may not hold the demo's member: the ASK is timed anyway
        pass


if __name__ == "__main__":
    main()
