"""One import, whatever the format: read -> map -> diff against the source's graph -> one write.

Entries that cannot be mapped, or that break a shape, are rejected one by one with their
reason; everything else is written in one all-or-nothing ``changes.apply`` (role, validation,
atomic write, derived keys, search index and history, as every other write). ``strict``
refuses the whole import on any rejection instead.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from .. import changes, graphs
from ..errors import RejectedInput, UsageError
from . import provenance
from .diff import compare, stored_entries
from .identity import check_source_name, slugify
from .lookup import Lookups
from .mapping import load_mapping
from .records import Rejection
from .source import read_source
from .summary import Summary

__all__ = ["run", "DUPLICATE_HOOKS", "MAX_ROUNDS"]

#: Called as ``hook(store, entries, graph)`` before the write; issue 6 section 2 (duplicate
#: detection across sources) plugs in here and may annotate entries or record proposals.
DUPLICATE_HOOKS: list[Callable] = []
#: Validation rounds: each drops the entries the previous one found violating.
MAX_ROUNDS = 3


def run(store, module, location: str, *, format_name: str, mapping: str | Path | None = None,
        source_name: str | None = None, licence: str | None = None, strict: bool = False,
        progress: bool = False, role: str = "admin", author: str | None = None) -> Summary:
    """Import ``location`` with the format ``module``; return the summary.

    All or nothing: what is written is written in one ``changes.apply``.

    :raises UsageError: a source name that cannot name a graph.
    :raises NotFound, ParseError: the source or mapping cannot be read.
    :raises RejectedInput: ``strict`` and some entry was rejected, or a violation that no single
        entry explains; nothing is written.
    """
    try:
        name = check_source_name(source_name or slugify(Path(location).stem or "source") or "source")
    except ValueError as error:
        raise UsageError(str(error)) from None
    source = read_source(location)
    rules = load_mapping(mapping) if mapping else module.default_mapping()
    lookups = Lookups(store)
    mapped = module.read(source, rules, lookups=lookups, source_name=name, progress=progress)
    graph = graphs.import_graph(name)
    summary = Summary(source.location, graph.value, rejected=list(mapped.rejections),
                      unmapped=dict(mapped.unmapped))
    if strict and summary.rejected:
        raise _refused(summary)
    entries = mapped.entries
    for hook in DUPLICATE_HOOKS:
        hook(store, entries, graph)
    stored = stored_entries(store, graph)
    keep = {r.iri for r in summary.rejected if r.iri}
    with tqdm(total=1, desc="validation et écriture", disable=not progress, file=sys.stderr) as bar:
        for _round in range(MAX_ROUNDS):
            diff = compare(stored, entries, graph, keep)
            change = _change(store, diff, graph, name=name, format_name=format_name,
                             source=source, licence=licence, count=len(entries))
            try:
                result = changes.apply(store, change, role=role, author=author, channel="import",
                                       message=f"import {format_name} {source.location}")
                break
            except RejectedInput as error:
                rejected = _attribute(error, entries)
                if rejected is None:
                    raise
                summary.rejected += rejected
                if strict:
                    raise _refused(summary, error.report) from None
                keep |= {r.iri for r in rejected}
                entries = [e for e in entries if e.iri.value not in keep]
        else:
            raise _refused(summary)
        bar.update()
    summary.created, summary.updated = diff.created, diff.updated
    summary.unchanged, summary.removed = diff.unchanged, diff.deleted
    summary.warnings = [v.to_text("fr") for v in result.report.warnings]
    summary.written = True
    return summary


def _change(store, diff, graph, *, name, format_name, source, licence, count) -> changes.Change:
    """The entries' diff plus the source's new provenance record (replacing the old one)."""
    new = provenance.describe(graph, name=name, format=format_name, source=source.iri,
                              licence=licence, entries=count)
    old = provenance.stored(store, graph)
    fresh, stale = set(new), set(old)
    return changes.Change(removed=diff.removed + [q for q in old if q not in fresh],
                          added=diff.added + [q for q in new if q not in stale],
                          targets={graph, provenance.SOURCES})


def _attribute(error: RejectedInput, entries: list) -> list | None:
    """The rejections the violations of ``error`` make, one per entry; None when some violation
    is about something else than an entry of this import (then the whole import is refused)."""
    if error.report is None:
        return None
    by_iri = {e.iri.value: e for e in entries}
    reasons: dict = {}
    for violation in error.report.errors:
        entry = by_iri.get(violation.focus.split("#", 1)[0])
        if entry is None:
            return None
        reasons.setdefault(entry.iri.value, []).append(_reason(violation, entry))
    return [Rejection(by_iri[iri].source_id, by_iri[iri].label, "; ".join(dict.fromkeys(texts)),
                      by_iri[iri].origin, iri) for iri, texts in reasons.items()]


def _reason(violation, entry) -> str:
    """« colonne « Site web » : message » for a mapped column, else « propriété : message »."""
    text = f"{violation.message('fr')} / {violation.message('en')}"
    predicate = (violation.path or "").strip("<>")
    column = entry.columns.get(predicate)
    if column:
        return f"colonne « {column} » : {text}"
    prop = violation.path_label or predicate
    return f"{prop} : {text}" if prop else text


def _refused(summary: Summary, report=None) -> RejectedInput:
    """The error of a refused import: every rejection on its own line (the report, if any, is
    the shapes' one, printed after it by the CLI)."""
    lines = "\n".join(f"  - {r.to_text()}" for r in summary.rejected)
    return RejectedInput(f"{len(summary.rejected)} entrée(s) refusée(s) : rien n'a été "
                         f"enregistré / {len(summary.rejected)} entries rejected: nothing was "
                         f"written\n{lines}", report=report, rule="import")
