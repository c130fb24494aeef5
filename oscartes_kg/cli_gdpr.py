"""``oscartes-kg gdpr export|erase IRI``: a person's right of access and portability (GDPR art.
15 and 20) and right to erasure (art. 17), from the command line of the operator."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

__all__ = ["gdpr_group"]


@click.group("gdpr")
def gdpr_group():
    """Export or erase everything stored about a person (GDPR art. 15, 17 and 20)."""


# Imported after the group exists: cli.py imports this module at its end to register the group,
# so whichever of the two is imported first, the other finds what it needs.
from . import gdpr, purge  # noqa: E402
from .cli import EXIT_CODES, _open, _settings, reports_errors, store_options  # noqa: E402
from .errors import UsageError  # noqa: E402

gdpr_group.epilog = EXIT_CODES


@gdpr_group.command("export", epilog=EXIT_CODES)
@store_options
@click.argument("iri")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@click.option("--format", "output_format", type=click.Choice(gdpr.FORMATS), default="jsonld",
              show_default=True, help="JSON-LD (readable and machine-readable), TriG or N-Quads.")
@reports_errors
def export(data, remote_url, iri, output, output_format):
    """Write everything stored about the person IRI: every quad naming it in every graph
    (public and private), their consent and contact records, the accounts acting for them
    (never the password hash), their search-index row and their history. Exit 1 if nothing
    is stored about IRI."""
    settings = _settings(data, remote_url)
    gdpr.person_iri(iri)  # a malformed IRI is a usage error, before the store is opened
    with _open(settings) as store:
        quads = gdpr.export(store, iri, catalogue_dir=settings.catalogue_cache or None)
    body = gdpr.serialize(quads, output_format)
    if output:
        output.write_bytes(body)
        click.echo(f"Export RGPD / GDPR export: {len(quads)} quads → {output}", err=True)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()


@gdpr_group.command("erase", epilog=EXIT_CODES)
@store_options
@click.argument("iri")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@reports_errors
def erase(data, remote_url, iri, yes):
    """Remove the person IRI everywhere: every graph (their quads, the quads pointing at them,
    their consent and contact records, the accounts acting for them), the history, the
    search index, the derived keys, the public dumps and counts (made again); then rewrite the
    embedded store so that the erased bytes leave the disk. Snapshots made earlier with
    `oscartes-kg snapshot` still hold the person: delete them (see /privacy)."""
    settings = _settings(data, remote_url)
    gdpr.person_iri(iri)
    if not yes and not click.confirm(f"Effacer définitivement / erase for good {iri} ?", err=True):
        raise UsageError("effacement annulé / erase cancelled")
    started = time.monotonic()
    with _open(settings) as store:
        done = gdpr.erase(store, iri, author="cli", catalogue_dir=settings.catalogue_cache or None,
                          dumps_dir=settings.dumps_cache or None)
    for graph, count in sorted(done.removed.items()):
        click.echo(f"{count}\t{graph}")
    click.echo(f"Effacé / erased: {sum(done.removed.values())} quads, {done.accounts} compte(s) / "
               f"account(s); historique oublié / history forgotten; index et dumps refaits / "
               "index and dumps made again", err=True)
    if settings.remote_url:
        click.echo("Base distante : compactez-la côté serveur pour que les octets effacés quittent "
                   "ses fichiers / remote store: compact it on the server so that the erased "
                   "bytes leave its files", err=True)
        return
    quads = purge.rewrite_store(settings.data)
    click.echo(f"Base réécrite sans les données effacées / store rewritten without the erased "
               f"data: {quads} quads, {time.monotonic() - started:.1f} s", err=True)
