"""Put each result of a validation report next to the form field it is about.

A result on the entry with a path that is a field goes to that field; a result on a record the
entry owns (a person's consent) goes to the sub-field of that record; everything else (a result
on a linked entry, a path no field has) goes to the summary at the top of the form.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field

from .model import FormModel

__all__ = ["Feedback", "place_report"]


@dataclass
class Feedback:
    """Messages by field name, and those that belong to no field."""

    fields: dict = dc_field(default_factory=dict)   # name -> [message]
    summary: list = dc_field(default_factory=list)
    warnings: list = dc_field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            if message not in self.summary:
                self.summary.append(message)
        elif message not in self.fields.setdefault(name, []):
            self.fields[name].append(message)


def place_report(model: FormModel, report, *, kind: str, lang: str = "fr") -> Feedback:
    """Sort the report's errors into fields and summary, and keep its warnings apart."""
    feedback = Feedback()
    for violation in report.errors:
        feedback.add(_field_name(model, violation, kind), violation.message(lang))
    for violation in report.warnings:
        name = violation.path_label or _bare(violation.path)
        feedback.warnings.append(f"{name} : {violation.message(lang)}" if name else violation.message(lang))
    return feedback


def _field_name(model: FormModel, violation, kind: str) -> str | None:
    path = _bare(violation.path)
    if path is None:
        return None
    on_entry = f"/id/{kind}/" in violation.focus
    if on_entry:
        found = model.by_path(path)
        return found.name if found is not None else None
    for f in model.fields:
        for sub in f.fields:
            if sub.path == path:
                return f"{f.name}.{sub.name}"
    return None


def _bare(path: str | None) -> str | None:
    if path and path.startswith("<") and path.endswith(">") and " " not in path:
        return path[1:-1]
    return None
