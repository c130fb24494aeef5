"""Where the shipped files are: ontology, thesauri, shapes, named queries and demo data.

In a source checkout (or an editable install) they sit at the top of the repository; a regular
install copies them under ``<prefix>/share/oscartes-kg`` (see pyproject's data-files).
"""
from __future__ import annotations

import sys
import sysconfig
from functools import cache
from pathlib import Path

__all__ = ["root", "ontology_files", "thesauri_files", "shapes_files", "queries_dir", "demo_files"]

_PACKAGE = Path(__file__).resolve().parent


@cache
def root() -> Path:
    """The folder holding ``ontology/``, ``shapes/`` and ``queries/``."""
    candidates = [
        _PACKAGE.parent,
        Path(sysconfig.get_path("data")) / "share" / "oscartes-kg",
        Path(sys.prefix) / "share" / "oscartes-kg",
    ]
    for candidate in candidates:
        if (candidate / "ontology" / "oscartes.ttl").is_file():
            return candidate
    return candidates[0]


def ontology_files() -> list[Path]:
    """The vocabulary and its external-label companion, loaded into the ontology graph."""
    return sorted((root() / "ontology").glob("*.ttl"), key=lambda p: p.name != "oscartes.ttl")


def thesauri_files() -> list[Path]:
    """The SKOS concept schemes (themes, competences, charter criteria...)."""
    return sorted((root() / "ontology" / "thesauri").glob("*.ttl"))


def shapes_files() -> list[Path]:
    """Every SHACL shapes file."""
    return sorted((root() / "shapes").glob("*.ttl"))


def queries_dir() -> Path:
    """The folder of named queries (``*.rq``)."""
    return root() / "queries"


def demo_files() -> list[Path]:
    """The demo data set (TriG files shipped inside the package)."""
    return sorted((_PACKAGE / "demo").glob("*.trig"))
