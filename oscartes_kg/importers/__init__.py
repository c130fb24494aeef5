"""Importers: other transition maps' data into our model, one module per format.

``import_source(store, "gogocarto", path_or_url)`` reads, maps, validates and writes one
source into its own named graph (``graphs.import_graph(name)``) with its provenance, and
returns a ``Summary``. Formats are picked by name from ``FORMATS`` (STYLE.md: callers never
import a variant directly).
"""
from __future__ import annotations

from importlib import import_module
from pathlib import Path

from ..errors import UsageError
from .core import DUPLICATE_HOOKS
from .summary import Summary

__all__ = ["FORMATS", "import_source", "Summary", "DUPLICATE_HOOKS"]

#: Format name -> module (each has ``read(source, rules, *, lookups, source_name, progress)``
#: and ``default_mapping()``).
FORMATS = {"gogocarto": "gogocarto", "csv": "spreadsheet", "jsonld": "jsonld"}


def import_source(store, format_name: str, location: str, *, mapping: str | Path | None = None,
                  source_name: str | None = None, licence: str | None = None,
                  strict: bool = False, progress: bool = False, role: str = "admin",
                  author: str | None = None) -> Summary:
    """Import the file or URL ``location`` in ``format_name``; see ``core.run``.

    :raises UsageError: an unknown format.
    """
    if format_name not in FORMATS:
        raise UsageError(f"format inconnu « {format_name} » : {', '.join(FORMATS)} / unknown "
                         f"format {format_name!r}")
    from .. import duplicates  # noqa: F401 - registers the duplicate hook (issue 6 section 2)
    from .core import run
    module = import_module(f".{FORMATS[format_name]}", __name__)
    return run(store, module, location, format_name=format_name, mapping=mapping,
               source_name=source_name, licence=licence, strict=strict, progress=progress,
               role=role, author=author)
