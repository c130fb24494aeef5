"""What a format module hands to the import core: entries to write and rejections to report."""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

__all__ = ["Entry", "Rejection", "Mapped"]


@dataclass
class Entry:
    """One entry of the source, mapped to our model but not yet validated.

    ``triples`` describe ``iri`` and the nodes that belong to it (``iri#address``): they are
    diffed, written and removed together. ``columns`` names, for a predicate IRI, where the
    value came from (a CSV column), so that a shape violation can point back at it.
    """

    source_id: str
    iri: ox.NamedNode
    label: str
    triples: list = field(default_factory=list)
    origin: str = ""                     # "ligne 12" for a CSV row, "" otherwise
    columns: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    """An entry left out of the import, and why (French / English)."""

    source_id: str
    label: str
    reason: str
    origin: str = ""     # "ligne 12" for a CSV row
    iri: str = ""        # the entry's IRI when its identifier was readable

    def to_text(self) -> str:
        """« ligne 12, colonne « Site web » : ... — « Label » [id] » for a row; else
        « « Label » [id] : ... »."""
        name = f"« {self.label} »" if self.label else "(sans nom / unnamed)"
        if self.origin:
            joint = ", " if self.reason.startswith("colonne") else " : "
            return f"{self.origin}{joint}{self.reason} — {name} [{self.source_id}]"
        return f"{name} [{self.source_id}] : {self.reason}"

    def to_json(self) -> dict:
        return {"id": self.source_id, "label": self.label, "reason": self.reason,
                "origin": self.origin, "iri": self.iri or None}


@dataclass
class Mapped:
    """What a format module produced from one source: entries, rejections, and notes
    (categories no mapping covers, with how many entries carried each)."""

    entries: list = field(default_factory=list)
    rejections: list = field(default_factory=list)
    unmapped: dict = field(default_factory=dict)   # category -> count
