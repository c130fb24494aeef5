"""What a GDPR erase costs at 100,000 organisations, and whether the erased bytes leave the disk.

On a copy of a bulk-loaded store (never the original): add one consenting person with contact
details and an account, build the search index and the public dumps, then time
``gdpr.erase`` (graphs, history, index, dumps made again), its parts that can run again alone
(``purge.vacuum_catalogue``, ``gdpr.remake_dumps``), ``Store.optimize()`` and
``purge.rewrite_store``; and look for the person's strings in the store's files after each step.

    flock /tmp/bench.lock python bench/gdpr_bench.py --store /tmp/bench-store
"""
from __future__ import annotations

import argparse
import gc
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from oscartes_kg import accounts, catalogue, gdpr, ingest, purge
from oscartes_kg.store import open_store

PERSON_FILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "gdpr" / "person.trig"
PERSON = "https://w3id.org/oscartes/id/person/zephyrine-quatrebarbes-a1b2c3"
EMAIL = "zephyrine@quatre-rgpd.example"
NEEDLES = ("Quatrebarbes", EMAIL, "0612345678")


def holding(folder: Path) -> dict[str, int]:
    """How many files under ``folder`` hold each needle (grep, as bytes)."""
    found = {}
    for needle in NEEDLES:
        run = subprocess.run(["grep", "-rlaF", needle, str(folder)], capture_output=True, text=True)
        found[needle] = len(run.stdout.split())
    return found


def timed(label: str, work):
    started = time.perf_counter()
    result = work()
    print(f"| {label} | {time.perf_counter() - started:.1f} s |", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, default=Path("/tmp/bench-store"),
                        help="A bulk-loaded store folder (copied, never changed).")
    parser.add_argument("--work", type=Path, default=None, help="Folder for the copy.")
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="gdpr-bench-"))
    data = work / "kb"
    try:
        timed("copy the store (setup)", lambda: shutil.copytree(options.store, data))
        with open_store(data=data) as store:
            print(f"store: {store.count()} quads", flush=True)
            timed("load the person (setup)", lambda: ingest.load(store, [PERSON_FILE]))
            accounts.create(store, EMAIL, "un mot de passe assez long", "contributor",
                            "Zéphyrine Quatrebarbes", acts_for=PERSON)
            timed("build the search index (setup)", lambda: catalogue.rebuild(store))
            timed("make the dumps and counts (setup)", lambda: gdpr.remake_dumps(store))
            print(f"files holding the person before: {holding(data)}", flush=True)
            timed("export (`gdpr.export` + JSON-LD)",
                  lambda: gdpr.serialize(gdpr.export(store, PERSON)))
            done = timed("erase (`gdpr.erase`: graphs, history, index vacuum, dumps and counts made again)",
                         lambda: gdpr.erase(store, PERSON, author="bench"))
            print(f"removed: {done.removed}", flush=True)
            timed("of which: vacuum the search index alone (run again)",
                  lambda: purge.vacuum_catalogue(catalogue.location(store)))
            timed("of which: dumps and counts made again alone (run again)",
                  lambda: gdpr.remake_dumps(store))
        print(f"store files holding the person after the erase: {holding(data / 'oxigraph')}")
        raw = ox.Store(str(data / "oxigraph"))
        timed("`Store.optimize()` (full compaction)", raw.optimize)
        raw.flush()
        del raw
        gc.collect()
        print(f"store files holding the person after optimize(): {holding(data / 'oxigraph')}")
        quads = timed("`purge.rewrite_store` (copy every quad into a new store, swap)",
                      lambda: purge.rewrite_store(data))
        print(f"rewritten: {quads} quads; files holding the person: {holding(data)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
