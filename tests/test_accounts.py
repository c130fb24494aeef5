"""User accounts (oscartes_kg.accounts) and the `oscartes-kg user` commands, on real stores.

Hashes are argon2id; no password ever reaches the store (every quad is searched); the three
ways to fail a login give one message; the CLI makes the first admin, on both backends.
"""
from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from oscartes_kg import accounts, bootstrap, graphs
from oscartes_kg.cli import main
from oscartes_kg.errors import NotFound, UsageError
from oscartes_kg.namespaces import OSC
from oscartes_kg.store import open_store

PASSWORD = "correct horse battery staple"
CLEAN_ENV = {"OSCARTES_DATA": None, "OSCARTES_SPARQL_URL": None}


def _all_text(store) -> str:
    """Every term of every quad of the store, as one string to search."""
    return "\n".join(f"{q.subject} {q.predicate} {q.object} {q.graph_name}" for q in store.quads())


def test_create_stores_an_argon2_hash_and_never_the_password(any_store):
    user = accounts.create(any_store, " Alice@Example.org ", PASSWORD, "curator", "Alice Martin")
    assert (user.login, user.name, user.role, user.disabled) == ("alice@example.org", "Alice Martin",
                                                                "curator", False)
    text = _all_text(any_store)
    assert PASSWORD not in text and "horse" not in text
    hashes = [q.object.value for q in any_store.quads(None, ox.NamedNode(str(OSC.passwordHash)), None, None)]
    assert len(hashes) == 1 and hashes[0].startswith("$argon2id$")
    assert PasswordHasher().verify(hashes[0], PASSWORD)
    # Only in the private accounts graph: no public graph holds a trace of the account.
    assert {q.graph_name for q in any_store.quads(ox.NamedNode(user.iri), None, None, None)} == {
        graphs.PRIVATE_ACCOUNTS}
    assert not graphs.is_public(graphs.PRIVATE_ACCOUNTS)
    assert "passwordHash" not in repr(user) and "argon2" not in repr(user)


def test_authenticate_ok_and_the_same_refusal_for_wrong_unknown_and_disabled(any_store):
    accounts.create(any_store, "bob", PASSWORD, "contributor")
    accounts.create(any_store, "carol", PASSWORD, "curator")
    accounts.disable(any_store, "carol")
    assert accounts.authenticate(any_store, "BOB", PASSWORD).role == "contributor"
    messages = set()
    for login, password in (("bob", PASSWORD + "!"), ("nobody", PASSWORD), ("carol", PASSWORD),
                            ("bad login with spaces", PASSWORD), ("bob", "")):
        with pytest.raises(accounts.LoginFailed) as refused:
            accounts.authenticate(any_store, login, password)
        assert refused.value.status == 401
        messages.add(refused.value.message)
    assert messages == {"identifiant ou mot de passe incorrect / wrong login or password"}


def test_a_hash_with_old_parameters_is_redone_at_the_next_login(embedded_store):
    user = accounts.create(embedded_store, "dan", PASSWORD, "admin")
    node, prop = ox.NamedNode(user.iri), ox.NamedNode(str(OSC.passwordHash))
    [current] = list(embedded_store.quads(node, prop, None, graphs.PRIVATE_ACCOUNTS))
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    embedded_store.apply([current], [ox.Quad(node, prop, ox.Literal(weak), graphs.PRIVATE_ACCOUNTS)])
    assert accounts.HASHER.check_needs_rehash(weak)
    assert accounts.authenticate(embedded_store, "dan", PASSWORD).login == "dan"
    [after] = [q.object.value for q in embedded_store.quads(node, prop, None, graphs.PRIVATE_ACCOUNTS)]
    assert after != weak and not accounts.HASHER.check_needs_rehash(after)
    assert accounts.authenticate(embedded_store, "dan", PASSWORD).login == "dan"


def test_role_disable_enable_list_and_get(any_store):
    accounts.create(any_store, "erin@example.org", PASSWORD, "contributor", "Erin",
                    acts_for="https://w3id.org/oscartes/id/organisation/oscartes")
    accounts.create(any_store, "frank", PASSWORD, "contributor")
    assert accounts.set_role(any_store, "ERIN@example.org", "curator").role == "curator"
    assert accounts.get(any_store, "erin@example.org").role == "curator"
    assert accounts.disable(any_store, "frank").disabled is True
    assert accounts.get(any_store, "frank").disabled is True
    listed = {user.login: user for user in accounts.list_users(any_store)}
    assert set(listed) == {"erin@example.org", "frank"}
    assert listed["erin@example.org"].acts_for == "https://w3id.org/oscartes/id/organisation/oscartes"
    assert listed["frank"].name == "frank" and listed["frank"].disabled
    assert accounts.enable(any_store, "frank").disabled is False
    assert accounts.authenticate(any_store, "frank", PASSWORD).login == "frank"
    # One value per property after the edits: each change replaced the old value.
    frank = ox.NamedNode(listed["frank"].iri)
    assert len(list(any_store.quads(frank, ox.NamedNode(str(OSC.disabled)), None, None))) == 1
    assert accounts.get(any_store, "nobody") is None and accounts.get(any_store, "no way") is None


def test_bad_input_is_refused_and_writes_nothing(embedded_store):
    accounts.create(embedded_store, "gina", PASSWORD, "curator")
    before = len(list(embedded_store.quads()))
    cases = [(("gina", PASSWORD, "curator"), "unique-login"),
             (("GINA", PASSWORD, "curator"), "unique-login"),
             (("hank", PASSWORD, "boss"), "role"),
             (("hank", "short", "curator"), "password-length"),
             (("h", PASSWORD, "curator"), "login"),
             (("<script>", PASSWORD, "curator"), "login")]
    for args, rule in cases:
        with pytest.raises(UsageError) as refused:
            accounts.create(embedded_store, *args)
        assert refused.value.rule == rule and " / " in refused.value.message
    with pytest.raises(UsageError):
        accounts.create(embedded_store, "hank", PASSWORD, "curator", acts_for="not an iri")
    with pytest.raises(UsageError):
        accounts.set_role(embedded_store, "gina", "boss")
    with pytest.raises(NotFound):
        accounts.set_role(embedded_store, "nobody", "admin")
    with pytest.raises(NotFound):
        accounts.disable(embedded_store, "nobody")
    assert len(list(embedded_store.quads())) == before


# --- the CLI -----------------------------------------------------------------------------------

def run(*args, stdin: str | None = None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=stdin, env=CLEAN_ENV)
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def kb(tmp_path):
    """A fresh embedded store (vocabulary and shapes only), closed so the CLI may open it."""
    data = tmp_path / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store)
    return data


def test_first_admin_from_the_cli_then_list_role_disable_enable(kb):
    assert run("user", "list", "--data", kb).stdout.splitlines() == [
        "login\tname\trole\tcreated\tdisabled\tacts_for"]
    made = run("user", "create", "--data", kb, "Admin@Example.org", "--role", "admin",
               "--name", "Première admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    assert "admin@example.org" in made.stderr and PASSWORD not in made.output
    run("user", "create", "--data", kb, "ivy", "--role", "contributor", "--password-stdin",
        stdin=PASSWORD + "\n")
    assert run("user", "role", "--data", kb, "ivy", "curator").exit_code == 0
    assert run("user", "disable", "--data", kb, "ivy").exit_code == 0
    listed = run("user", "list", "--data", kb)
    assert listed.exit_code == 0 and "argon2" not in listed.output and PASSWORD not in listed.output
    rows = {line.split("\t")[0]: line.split("\t") for line in listed.stdout.splitlines()[1:]}
    assert rows["admin@example.org"][1:3] == ["Première admin", "admin"]
    assert rows["ivy"][2] == "curator" and rows["ivy"][4] == "yes"
    assert run("user", "enable", "--data", kb, "ivy").exit_code == 0
    with open_store(data=kb) as store:
        assert accounts.authenticate(store, "admin@example.org", PASSWORD).role == "admin"
        assert accounts.authenticate(store, "ivy", PASSWORD).role == "curator"
        assert PASSWORD not in _all_text(store)


def test_the_password_prompt_asks_twice_and_refuses_a_mismatch(kb):
    mismatch = run("user", "create", "--data", kb, "jo", "--role", "curator",
                   stdin=f"{PASSWORD}\n{PASSWORD}x\n{PASSWORD}\n{PASSWORD}\n")
    assert mismatch.exit_code == 0, mismatch.output
    assert "Confirmez / repeat" in mismatch.stderr and PASSWORD not in mismatch.output
    with open_store(data=kb) as store:
        assert accounts.authenticate(store, "jo", PASSWORD).login == "jo"


def test_cli_exit_codes(kb):
    create = ("user", "create", "--data", kb)
    assert run(*create, "kim", "--role", "boss", "--password-stdin", stdin=PASSWORD).exit_code == 2
    assert run(*create, "k", "--role", "curator", "--password-stdin", stdin=PASSWORD).exit_code == 2
    short = run(*create, "kim", "--role", "curator", "--password-stdin", stdin="short\n")
    assert short.exit_code == 2 and "au moins 10" in short.stderr
    assert run(*create, "kim", "--role", "curator", "--password-stdin", stdin=PASSWORD).exit_code == 0
    again = run(*create, "KIM", "--role", "curator", "--password-stdin", stdin=PASSWORD)
    assert again.exit_code == 2 and "déjà pris" in again.stderr
    assert run("user", "role", "--data", kb, "kim", "boss").exit_code == 2
    for command in (("role", "--data", kb, "nobody", "admin"), ("disable", "--data", kb, "nobody"),
                    ("enable", "--data", kb, "nobody")):
        missing = run("user", *command)
        assert missing.exit_code == 1 and "aucun compte" in missing.stderr
    assert "--password" not in [p.opts[0] for p in main.commands["user"].commands["create"].params]


def test_a_locked_store_is_exit_3_with_the_clear_message(kb):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time\nfrom pathlib import Path\n"
         "from oscartes_kg.store import open_store\n"
         f"store = open_store(data=Path({str(kb)!r}))\nprint('ready', flush=True)\ntime.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        for command in (("list",), ("disable", "kim")):
            result = run("user", command[0], "--data", kb, *command[1:])
            assert result.exit_code == 3 and "déjà ouverte par un autre programme" in result.stderr
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_cli_on_the_remote_store(oxigraph_server, remote_store):
    remote = ("--remote", f"{oxigraph_server}/query")
    made = run("user", "create", *remote, "lea", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    assert made.exit_code == 0, made.output
    assert run("user", "role", *remote, "lea", "curator").exit_code == 0
    listed = run("user", "list", *remote)
    assert "lea\tlea\tcurator" in listed.stdout
    assert accounts.authenticate(remote_store, "lea", PASSWORD).role == "curator"
    assert PASSWORD not in _all_text(remote_store)


def test_the_installed_entry_point_creates_a_user(kb):
    done = subprocess.run([sys.executable, "-m", "oscartes_kg", "user", "create", "--data", str(kb),
                           "max", "--role", "admin", "--password-stdin"],
                          input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "max" in subprocess.run([sys.executable, "-m", "oscartes_kg", "user", "list", "--data",
                                    str(kb)], capture_output=True, text=True, timeout=120).stdout
