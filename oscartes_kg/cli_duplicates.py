"""``oscartes-kg duplicates``: detect probable duplicates, list them, decide about a pair."""
from __future__ import annotations

import json

import click

from . import duplicates
from .cli import EXIT_CODES, _open, _settings, reports_errors, store_options

__all__ = ["duplicates_group"]

#: The author a decision from the command line is recorded with (an operator at the console).
CLI_AUTHOR = "cli"


@click.group("duplicates", epilog=EXIT_CODES)
def duplicates_group():
    """Probable duplicates across sources (issue 6 section 2): detect, list, decide."""


@duplicates_group.command("detect", epilog=EXIT_CODES)
@store_options
@click.option("--progress/--no-progress", default=False, help="Show a progress bar on stderr.")
@reports_errors
def duplicates_detect(data, remote_url, progress):
    """Detect duplicates over the whole store (every public organisation, initiative, commons,
    event, call and resource) and replace the list of proposals."""
    with _open(_settings(data, remote_url)) as store:
        result = duplicates.detect_all(store, progress=progress)
    click.echo(f"{result.compared} entrées comparées, {result.proposals} doublons probables / "
               f"{result.compared} entries compared, {result.proposals} probable duplicates", err=True)


@duplicates_group.command("list", epilog=EXIT_CODES)
@store_options
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--offset", type=int, default=0, show_default=True)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@reports_errors
def duplicates_list(data, remote_url, limit, offset, output, lang):
    """List the proposals, highest score first: score, both IRIs, the reasons."""
    with _open(_settings(data, remote_url)) as store:
        found, total = duplicates.waiting(store, offset=max(0, offset), limit=max(1, limit))
    if output == "json":
        click.echo(json.dumps({"total": total, "proposals": [
            {"a": p.a, "b": p.b, "score": p.score, "reasons": [r.to_json() for r in p.reasons]}
            for p in found]}, ensure_ascii=False, indent=2))
        return
    click.echo("score\ta\tb\treasons")
    for p in found:
        click.echo(f"{p.score:.2f}\t{p.a}\t{p.b}\t{'; '.join(r.text(lang) for r in p.reasons)}")


@duplicates_group.command("decide", epilog=EXIT_CODES)
@store_options
@click.argument("action", type=click.Choice(duplicates.ACTIONS))
@click.argument("first", metavar="A")
@click.argument("second", metavar="B")
@reports_errors
def duplicates_decide(data, remote_url, action, first, second):
    """Decide about the pair A B as an admin at the console: link (A owl:sameAs B), merge (the
    imported entry B is folded into A) or distinct (A owl:differentFrom B)."""
    with _open(_settings(data, remote_url)) as store:
        duplicates.decide(store, action, first, second, role="admin", author=CLI_AUTHOR)
    click.echo(f"{action}: {first} {second}", err=True)
