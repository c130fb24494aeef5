"""The summary an import ends with: created, updated, unchanged, removed and rejected entries."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Summary"]


@dataclass
class Summary:
    """Counts and names of what one import did (or would have done, if refused)."""

    source: str
    graph: str
    created: list = field(default_factory=list)     # entry IRIs
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    rejected: list = field(default_factory=list)    # Rejection
    unmapped: dict = field(default_factory=dict)    # category -> entries carrying it
    warnings: list = field(default_factory=list)    # text lines (shape warnings)
    written: bool = False

    def to_text(self) -> str:
        """Lines for the terminal, French then English."""
        lines = [
            f"Source : {self.source} → graphe / graph {self.graph}",
            f"créées / created: {len(self.created)}, mises à jour / updated: {len(self.updated)}, "
            f"inchangées / unchanged: {len(self.unchanged)}, retirées / removed: "
            f"{len(self.removed)}, refusées / rejected: {len(self.rejected)}",
        ]
        if self.rejected:
            lines.append("Entrées refusées / rejected entries:")
            lines += [f"  - {rejection.to_text()}" for rejection in self.rejected]
        if self.unmapped:
            lines.append("Catégories sans correspondance / unmapped categories:")
            lines += [f"  - {name} ({count} entrée(s) / entries)"
                      for name, count in sorted(self.unmapped.items(), key=lambda i: str(i[0]))]
        if self.warnings:
            lines.append(f"Avertissements / warnings: {len(self.warnings)}")
            lines += [f"  - {line}" for line in self.warnings[:50]]
        if not self.written:
            lines.append("Rien n'a été enregistré / nothing was written")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "source": self.source, "graph": self.graph, "written": self.written,
            "created": len(self.created), "updated": len(self.updated),
            "unchanged": len(self.unchanged), "removed": len(self.removed),
            "rejected": [r.to_json() for r in self.rejected],
            "unmapped": {str(k): v for k, v in self.unmapped.items()},
            "warnings": self.warnings,
        }
