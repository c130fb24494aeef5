"""``oscartes-kg history list|show|revert`` and the author/message ``load`` records."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from oscartes_kg.cli import main

DATA = Path(__file__).parent / "data" / "ingest"
ATELIER = "https://w3id.org/oscartes/id/organisation/atelier-velo-exemple"
ENV = {"OSCARTES_DATA": None, "OSCARTES_SPARQL_URL": None}


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], env=ENV)
    assert "Traceback" not in result.output, result.output
    return result


def test_load_list_show_revert(tmp_path):
    store = tmp_path / "kb"
    assert run("init", "--data", store).exit_code == 0
    assert run("load", "--data", store, DATA / "atelier-velo.ttl").exit_code == 0
    listed = run("history", "list", "--data", store, "--entity", ATELIER)
    assert listed.exit_code == 0
    [header, line] = listed.stdout.strip().splitlines()
    changeset_id, _, channel, author, added, removed, message = line.split("\t")
    assert (channel, author.rsplit("/", 1)[1], removed, message) == ("load", "cli", "0", "atelier-velo.ttl")
    shown = run("history", "show", "--data", store, changeset_id)
    assert shown.exit_code == 0 and shown.stdout.count(f"+ <{ATELIER}>") == int(added)
    reverted = run("history", "revert", "--data", store, changeset_id, "--message", "essai")
    assert reverted.exit_code == 0, reverted.stderr
    revert_id = reverted.stdout.strip()
    again = run("history", "revert", "--data", store, changeset_id)
    assert again.exit_code == 1 and revert_id in again.stderr
    assert run("history", "list", "--data", store, "--entity", ATELIER).stdout.count("\trevert\t") == 1
    missing = run("history", "show", "--data", store, "20990101T000000000000Z-abcdef")
    assert missing.exit_code == 1 and "inconnu" in missing.stderr
