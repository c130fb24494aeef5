"""``oscartes-kg history``: list the changesets (of the store or one entity), show one, revert one."""
from __future__ import annotations

import json

import click

from . import history
from .cli import EXIT_CODES, _open, _settings, reports_errors, store_options

__all__ = ["history_group"]

#: The author a revert from the command line is recorded with (an operator at the console).
CLI_AUTHOR = "cli"


@click.group("history", epilog=EXIT_CODES)
def history_group():
    """The write history: every write is a changeset that can be listed, shown and reverted."""


@history_group.command("list", epilog=EXIT_CODES)
@store_options
@click.option("--entity", metavar="IRI", help="Only the changesets that changed this entity.")
@click.option("--limit", type=int, default=50, show_default=True,
              help="How many of the latest changesets (without --entity).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@reports_errors
def history_list(data, remote_url, entity, limit, output):
    """List changesets, newest first: id, time, channel, author, added, removed, message."""
    with _open(_settings(data, remote_url)) as store:
        found = history.for_entity(store, entity) if entity else history.recent(store, limit)
    if output == "json":
        click.echo(json.dumps([c.to_json() for c in found], ensure_ascii=False, indent=2))
        return
    click.echo("id\ttime\tchannel\tauthor\tadded\tremoved\tmessage")
    for c in found:
        click.echo(f"{c.id}\t{c.time}\t{c.channel}\t{c.author or ''}\t{c.added_count}\t"
                   f"{c.removed_count}\t{(c.message or '').replace(chr(10), ' ')}")


@history_group.command("show", epilog=EXIT_CODES)
@store_options
@click.argument("changeset_id", metavar="ID")
@reports_errors
def history_show(data, remote_url, changeset_id):
    """Show the changeset ID: its description (JSON on stderr-free stdout), then its delta as
    N-Quads lines prefixed with "-" (removed) and "+" (added)."""
    with _open(_settings(data, remote_url)) as store:
        changeset = history.get(store, changeset_id)
        removed, added = history.delta(store, changeset) if changeset.has_delta else ([], [])
    click.echo(json.dumps(changeset.to_json(), ensure_ascii=False, indent=2))
    for sign, quads in (("-", removed), ("+", added)):
        for quad in quads:
            click.echo(f"{sign} {quad} .")


@history_group.command("revert", epilog=EXIT_CODES)
@store_options
@click.argument("changeset_id", metavar="ID")
@click.option("--message", help="Why (recorded with the revert).")
@reports_errors
def history_revert(data, remote_url, changeset_id, message):
    """Revert the changeset ID (as an admin at the console): validated like any write, and
    refused when later changesets changed the same triples (they are named)."""
    with _open(_settings(data, remote_url)) as store:
        result = history.revert(store, changeset_id, role="admin", author=CLI_AUTHOR,
                                message=message)
        newest = history.reverted_by(store, changeset_id)
    removed, added = sum(result.removed.values()), sum(result.added.values())
    click.echo(f"Annulé / reverted: {changeset_id} ({removed} retirés / removed, {added} ajoutés "
               f"/ added) par / by {newest[0].id if newest else '?'}", err=True)
    if newest:
        click.echo(newest[0].id)
