"""``oscartes-kg import`` and ``oscartes-kg export``: other maps' formats in and out.

Exit codes as the rest of the CLI: 0 ok, 1 input rejected (unreadable source or mapping,
entries rejected with ``--strict``), 2 usage, 3 store or environment (source unreachable).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import exporters, importers
from .cli import EXIT_CODES, _open, _settings, reports_errors, store_options

__all__ = ["import_command", "export_command"]


@click.command("import", epilog=EXIT_CODES)
@store_options
@click.argument("format_name", metavar="FORMAT", type=click.Choice(sorted(importers.FORMATS)))
@click.argument("source", metavar="SOURCE")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path),
              help="Mapping file (YAML or JSON): categories -> themes, or columns -> properties.")
@click.option("--source-name", "source_name", metavar="NAME",
              help="Name of the source (its graph .../graph/import/NAME and its entries' IRIs); "
                   "default: from the file name. Keep it the same from one import to the next.")
@click.option("--licence", metavar="IRI", help="Licence of the source's data (recorded in its provenance).")
@click.option("--strict", is_flag=True, help="Refuse the whole import if any entry is rejected.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Summary format (on stdout).")
@reports_errors
def import_command(data, remote_url, format_name, source, mapping, source_name, licence, strict,
                   output):
    """Import SOURCE (a file or an http(s) URL) in FORMAT (gogocarto, csv, jsonld) into its own
    graph: validated, written all or nothing, updated in place when run again."""
    with _open(_settings(data, remote_url)) as store:
        summary = importers.import_source(
            store, format_name, source, mapping=mapping, source_name=source_name,
            licence=licence, strict=strict, progress=sys.stderr.isatty())
    if output == "json":
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(summary.to_text())


@click.command("export", epilog=EXIT_CODES)
@store_options
@click.argument("format_name", metavar="FORMAT", type=click.Choice(sorted(exporters.FORMATS)))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@reports_errors
def export_command(data, remote_url, format_name, output):
    """Write every public actor in FORMAT (geojson, csv, jsonld, gogocarto, murmurations),
    reading the public graphs only."""
    with _open(_settings(data, remote_url)) as store:
        body = exporters.export(store, format_name)
    if output:
        output.write_bytes(body)
        click.echo(f"Écrit / written: {output}", err=True)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
