"""The validation report: a value, not an exception, readable by volunteers and by programs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from ..namespaces import PREFIXES

__all__ = ["Violation", "Report"]

SEVERITY_WORDS = {
    "fr": {"Violation": "ERREUR", "Warning": "AVERTISSEMENT", "Info": "INFO"},
    "en": {"Violation": "ERROR", "Warning": "WARNING", "Info": "INFO"},
}


@dataclass(frozen=True)
class Violation:
    """One validation result: who (entity), where (property), what (value), why (message)."""

    focus: str                          # IRI (or blank node id) of the entity
    path: str | None                    # the property path, as SPARQL text (<iri> for a predicate)
    value: str | None                   # the offending value, N-Triples syntax, if any
    severity: str                       # "Violation" | "Warning" | "Info"
    component: str                      # e.g. "MinCountConstraintComponent"
    messages: tuple = ()                # ((lang, text), ...) sorted
    label: str | None = field(default=None, compare=False)       # the entity's label
    path_label: str | None = field(default=None, compare=False)  # the property's name (sh:name)

    def message(self, lang: str = "fr") -> str:
        """The shape's message in ``lang`` (falling back to any language)."""
        by_lang = dict(self.messages)
        return by_lang.get(lang) or by_lang.get("") or next(iter(by_lang.values()), self.component)

    def key(self) -> tuple:
        """What two engines must agree on (blank nodes have no stable identifier)."""
        value = "_:" if self.value and self.value.startswith("_:") else self.value
        return (self.focus, self.path, value, self.severity, self.component, self.messages)

    def sort_key(self) -> tuple:
        """Errors first, then by entity, property and value."""
        return (self.severity != "Violation", self.focus, self.path or "", self.value or "",
                self.component, self.messages)

    def to_text(self, lang: str = "fr") -> str:
        """One line: severity, entity label and IRI, property, value, message."""
        word = SEVERITY_WORDS.get(lang, SEVERITY_WORDS["en"]).get(self.severity, self.severity)
        who = f"« {self.label} » <{self.focus}>" if self.label else f"<{self.focus}>"
        prop = self.path_label or (self.path or "")
        if self.path_label and self.path:
            prop = f"« {self.path_label} » ({_short(self.path)})"
        where = (" — propriété " if lang == "fr" else " — property ") + prop if prop else ""
        value = f" — valeur {self.value}" if self.value and lang == "fr" else (
            f" — value {self.value}" if self.value else "")
        return f"{word}: {who}{where}{value} : {self.message(lang)}"

    def to_json(self) -> dict:
        """A JSON-ready dict (the API's error ``errors`` items)."""
        return {
            "entity": self.focus, "label": self.label, "property": _strip(self.path),
            "property_label": self.path_label, "value": self.value, "severity": self.severity,
            "rule": self.component, "message": dict(self.messages).get("fr") or self.message(),
            "messages": dict(self.messages),
        }


@dataclass(frozen=True)
class Report:
    """Every result of one validation. ``conforms`` ignores warnings: only Violations block."""

    violations: tuple = ()

    @property
    def conforms(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> tuple:
        return tuple(v for v in self.violations if v.severity == "Violation")

    @property
    def warnings(self) -> tuple:
        return tuple(v for v in self.violations if v.severity != "Violation")

    def to_text(self, lang: str = "fr") -> str:
        """A readable report, one line per result, errors first."""
        if not self.violations:
            return "Conforme : aucune erreur." if lang == "fr" else "Conforms: no error."
        lines = [v.to_text(lang) for v in self.errors + self.warnings]
        if lang == "fr":
            head = f"{len(self.errors)} erreur(s), {len(self.warnings)} avertissement(s)"
        else:
            head = f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        return "\n".join([head, *lines])

    def to_json(self) -> dict:
        """``{"conforms", "errors", "warnings"}`` with one dict per result."""
        return {"conforms": self.conforms,
                "errors": [v.to_json() for v in self.errors],
                "warnings": [v.to_json() for v in self.warnings]}

    def to_graph(self) -> Graph:
        """The report as a SHACL validation report (SHACL §3.6), e.g. to serialize as Turtle."""
        graph = Graph()
        graph.bind("sh", SH)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for v in self.violations:
            result = BNode()
            graph.add((report, SH.result, result))
            graph.add((result, RDF.type, SH.ValidationResult))
            graph.add((result, SH.focusNode, _node(v.focus)))
            graph.add((result, SH.resultSeverity, SH[v.severity]))
            graph.add((result, SH.sourceConstraintComponent, SH[v.component]))
            if v.path and v.path.startswith("<") and v.path.endswith(">") and " " not in v.path:
                graph.add((result, SH.resultPath, URIRef(v.path[1:-1])))
            for lang, text in v.messages:
                graph.add((result, SH.resultMessage, Literal(text, lang=lang or None)))
        return graph

    def merged(self, other: Report) -> Report:
        """Both reports' results, without duplicates, in a stable order."""
        return Report(tuple(sorted(set(self.violations) | set(other.violations), key=Violation.sort_key)))


def _node(text: str):
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def _strip(path: str | None) -> str | None:
    if path and path.startswith("<") and path.endswith(">"):
        return path[1:-1]
    return path


def _short(path: str) -> str:
    """A SPARQL path with the project's prefixes (``<…/ns#siren>`` -> ``osc:siren``)."""
    def shorten(match: re.Match) -> str:
        iri = match.group(1)
        for prefix, base in PREFIXES.items():
            if iri.startswith(base) and len(iri) > len(base):
                return f"{prefix}:{iri[len(base):]}"
        return match.group(0)
    return re.sub(r"<([^<>]*)>", shorten, path)
