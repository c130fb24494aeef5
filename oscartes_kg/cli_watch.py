"""``oscartes-kg watch``: the watch's scheduled work (send the e-mail digests of saved searches)."""
from __future__ import annotations

import click

from . import digests
from .cli import EXIT_CODES, _open, _settings, reports_errors, store_options

__all__ = ["watch_group"]


@click.group("watch", epilog=EXIT_CODES)
def watch_group():
    """The watch (veille): saved searches followed by feed or e-mail."""


@watch_group.command("send-digests", epilog=EXIT_CODES)
@store_options
@click.option("--since", metavar="TIME", help="Send what changed after this ISO time (e.g. "
              "2026-01-01T00:00:00+00:00) instead of since each search's last digest.")
@click.option("--base-url", metavar="URL", default="",
              help="Public address of the site for the links (default: OSCARTES_PUBLIC_URL).")
@reports_errors
def send_digests(data, remote_url, since, base_url):
    """E-mail each saved search's news since its last digest (run it from cron, e.g. daily);
    SMTP comes from the OSCARTES_SMTP_* settings."""
    settings = _settings(data, remote_url)
    with _open(settings) as store:
        done = digests.send_digests(store, settings, base_url=base_url, since=since)
    click.echo(f"{done.sent} digest(s) sent, {done.unchanged} saved search(es) with nothing new",
               err=True)
