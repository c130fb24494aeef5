"""oscartes-kg: the OSCARTES linked-data knowledge base (vocabulary, shapes, store, SPARQL).

Data flow: ``ingest.parse`` -> ``validation`` -> ``store`` -> ``queries`` -> the web ``app``.
"""
from __future__ import annotations

from .config import Settings
from .errors import OscartesError, ParseError, RejectedInput
from .ingest import IngestResult, load
from .store import Store, open_store
from .validation import Report, Violation, validate_store

__all__ = ["Settings", "OscartesError", "ParseError", "RejectedInput", "IngestResult", "load",
           "Store", "open_store", "Report", "Violation", "validate_store"]
__version__ = "0.1.0"
