"""Read a named query's parameters from a URL's query string, and say what is wrong with them.

Values stay strings here: ``NamedQuery.run`` binds them as typed RDF terms (never pasted into
the query). Checking first lets the page show every problem next to its field at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from oscartes_kg.errors import UsageError

__all__ = ["Reading", "read", "UI_OPTIONS"]

#: Query-string keys that steer the page, not the query (unless a query names a parameter so).
UI_OPTIONS = frozenset({"lang"})


@dataclass
class Reading:
    """What the URL gave: values to bind, problems by field ("" for the whole form), and the
    required parameters left empty."""

    values: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def error(self) -> UsageError | None:
        """One error naming every problem, for the data formats (which have no form)."""
        messages = list(self.problems.values())
        if self.missing:
            messages.append(f"paramètre(s) obligatoire(s) manquant(s) : {', '.join(self.missing)}"
                            f" / missing required parameter(s): {', '.join(self.missing)}")
        return UsageError(" ; ".join(messages), rule="param") if messages else None


def read(query, args) -> Reading:
    """Check ``args`` (a werkzeug ``MultiDict``) against the query's declared parameters."""
    known = {p.name: p for p in query.params}
    reading = Reading()
    unknown = sorted(key for key in args if key not in known and key not in UI_OPTIONS)
    if unknown:
        expected = ", ".join(known) or "aucun / none"
        reading.problems[""] = (
            f"paramètre(s) inconnu(s) pour « {query.name} » : {', '.join(unknown)} (attendus : "
            f"{expected}) / unknown parameter(s) for '{query.name}': {', '.join(unknown)}")
    for param in query.params:
        given = args.getlist(param.name)
        if len(given) > 1:
            reading.problems[param.name] = (
                f"paramètre « {param.name} » donné {len(given)} fois, une seule valeur attendue"
                f" / parameter '{param.name}' given {len(given)} times, one value expected")
            continue
        raw = given[0] if given else ""
        raw = raw if param.type == "string" else raw.strip()
        if raw == "":
            if param.required:
                reading.missing.append(param.name)
            continue
        try:
            param.term(raw)
        except UsageError as bad:
            reading.problems[param.name] = bad.message
        reading.values[param.name] = raw
    return reading
