"""API tokens (oscartes_kg.tokens) and the ``oscartes-kg token`` commands, on real stores."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import serve_process
from oscartes_kg import bootstrap, graphs, tokens
from oscartes_kg.cli import main
from oscartes_kg.errors import NotFound, UsageError
from oscartes_kg.store import open_store


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An initialised embedded store (schema graphs only), closed."""
    with open_store(data=tmp_path / "data") as store:
        bootstrap.init_store(store)
    return tmp_path / "data"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_only_a_hash_of_the_secret_is_stored(any_store):
    token_id, token = tokens.create(any_store, "curator", "relecture")
    secret = token.split("_", 2)[2]
    stored = [quad.object.value for quad in any_store.quads()]
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    assert not any(secret in value or token in value for value in stored)
    assert {quad.graph_name for quad in any_store.quads()} == {graphs.PRIVATE_ACCOUNTS}
    assert len(secret) >= 43  # 32 random bytes, URL-safe base64


def test_verify_accepts_the_token_and_refuses_near_misses(any_store):
    token_id, token = tokens.create(any_store, "admin")
    found = tokens.verify(any_store, token)
    assert (found.id, found.role, found.label, found.revoked) == (token_id, "admin", None, False)
    secret = token.split("_", 2)[2]
    other_id, _ = tokens.create(any_store, "curator")
    for wrong in (token[:-1], token + "x", f"oscartes_{other_id}_{secret}", secret, "", None,
                  f"oscartes_{token_id}_", "oscartes_zz_" + secret, token.replace("oscartes", "x", 1)):
        assert tokens.verify(any_store, wrong) is None, wrong


def test_revoked_tokens_fail_and_stay_listed(any_store):
    token_id, token = tokens.create(any_store, "curator", "ancien")
    kept_id, kept = tokens.create(any_store, "admin", "actuel")
    tokens.revoke(any_store, token_id)
    tokens.revoke(any_store, token_id)  # twice is harmless
    assert tokens.verify(any_store, token) is None
    assert tokens.verify(any_store, kept).id == kept_id
    listed = {t.id: (t.role, t.label, t.revoked) for t in tokens.list_tokens(any_store)}
    assert listed == {token_id: ("curator", "ancien", True), kept_id: ("admin", "actuel", False)}
    with pytest.raises(NotFound):
        tokens.revoke(any_store, "0123456789ab")


def test_unknown_role_is_refused_and_nothing_is_written(any_store):
    with pytest.raises(UsageError, match="unknown role"):
        tokens.create(any_store, "superuser")
    assert any_store.count() == 0


def test_cli_create_prints_the_token_alone_on_its_last_line_then_list_and_revoke(data_dir):
    created = run("token", "create", "--data", data_dir, "--role", "curator", "--label", "Atelier")
    assert created.exit_code == 0, created.output
    token = created.stdout.splitlines()[-1]
    assert created.stdout == token + "\n"
    token_id = token.split("_")[1]
    assert token_id in created.stderr
    listed = run("token", "list", "--data", data_dir)
    assert listed.exit_code == 0, listed.output
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert rows[0] == ["id", "role", "label", "created", "revoked"]
    assert [row[:3] + row[4:] for row in rows[1:]] == [[token_id, "curator", "Atelier", "no"]]
    assert token.split("_", 2)[2] not in listed.output
    revoked = run("token", "revoke", "--data", data_dir, token_id)
    assert revoked.exit_code == 0, revoked.output
    assert run("token", "list", "--data", data_dir).stdout.splitlines()[1].endswith("\tyes")
    with open_store(data=data_dir) as store:
        assert tokens.verify(store, token) is None


def test_cli_on_a_remote_store(remote_store, oxigraph_server):
    created = run("token", "create", "--remote", f"{oxigraph_server}/query", "--role", "admin")
    assert created.exit_code == 0, created.output
    assert tokens.verify(remote_store, created.stdout.splitlines()[-1]).role == "admin"


def test_cli_unknown_role_exits_2_with_the_roles(data_dir):
    result = run("token", "create", "--data", data_dir, "--role", "boss")
    assert result.exit_code == 2
    assert "boss" in result.stderr and "contributor, curator, admin" in result.stderr
    unknown = run("token", "revoke", "--data", data_dir, "0123456789ab")
    assert unknown.exit_code == 1 and "0123456789ab" in unknown.stderr


def test_cli_says_to_stop_the_server_or_use_remote_when_serve_holds_the_store(data_dir):
    with serve_process("--data", data_dir):
        for command in (["create", "--role", "admin"], ["list"], ["revoke", "0123456789ab"]):
            result = run("token", command[0], "--data", data_dir, *command[1:])
            assert result.exit_code == 3, result.output
            assert "déjà ouverte par un autre programme" in result.stderr
            assert "Stop it" in result.stderr and "--remote URL" in result.stderr
    with open_store(data=data_dir) as store:
        assert tokens.list_tokens(store) == []
