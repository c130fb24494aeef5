"""The ``oscartes-kg`` command: each command parses its options and calls one core function.

Exit codes: 0 ok, 1 input rejected (syntax, shapes, unknown format), 2 usage, 3 store or
environment (locked store, unreachable server, disk).
"""
from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path

import click
import pyoxigraph as ox

from . import accounts, bootstrap, catalogue, formats, graphs, ingest, queries, roles, tokens
from .config import Settings
from .errors import NotFound, OscartesError, RejectedInput, UsageError
from .store import open_store
from .validation import validate_store

__all__ = ["main"]

EXIT_CODES = """Exit codes: 0 ok; 1 input rejected (syntax error, shape violation, unknown
format or file); 2 usage error; 3 store or environment problem (locked store, server down)."""

log = logging.getLogger("oscartes_kg")


def store_options(command):
    """The shared ``--data`` and ``--remote`` options (also read from the environment)."""
    command = click.option("--remote", "remote_url", envvar="OSCARTES_SPARQL_URL", metavar="URL",
                           help="SPARQL endpoint of a remote store (selects the remote backend).")(command)
    return click.option("--data", type=click.Path(file_okay=False, path_type=Path),
                        envvar="OSCARTES_DATA", metavar="DIR",
                        help="Folder of the embedded store (env OSCARTES_DATA).")(command)


def reports_errors(command):
    """Turn expected errors into a message on stderr and the documented exit code."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except RejectedInput as error:
            click.echo(f"Refusé / rejected: {error.message}", err=True)
            if error.report is not None:
                click.echo(error.report.to_text("fr"), err=True)
            sys.exit(error.exit_code)
        except OscartesError as error:
            click.echo(f"Erreur / error: {error}", err=True)
            sys.exit(error.exit_code)
        except Exception:  # the outer edge: log the traceback, show a plain message
            log.exception("unexpected error")
            click.echo("Erreur inattendue : voir le journal / unexpected error (see log)", err=True)
            sys.exit(3)
    return wrapper


def _settings(data, remote_url, **extra) -> Settings:
    return Settings.from_env(data=data, remote_url=remote_url, **extra)


def _open(settings: Settings, *, must_exist: bool = True):
    if not settings.remote_url:
        if settings.data is None:
            raise UsageError("indiquez --data DIR (ou OSCARTES_DATA) ou --remote URL / "
                             "give --data DIR (or OSCARTES_DATA) or --remote URL")
        if must_exist and not settings.data.exists():
            raise NotFound(f"la base {settings.data} n'existe pas : lancez d'abord "
                           f"`oscartes-kg init --data {settings.data}` / store does not exist")
    return open_store(data=settings.data, remote_url=settings.remote_url,
                      remote_update_url=settings.remote_update_url,
                      remote_store_url=settings.remote_store_url, timeout=settings.remote_timeout)


@click.group(epilog=EXIT_CODES)
@click.version_option(package_name="oscartes-kg")
def main():
    """OSCARTES knowledge base: vocabulary, charter shapes, store, SPARQL and web browser."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command(epilog=EXIT_CODES)
@store_options
@click.option("--demo", is_flag=True, help="Also load the demo data (validated like any load).")
@reports_errors
def init(data, remote_url, demo):
    """Create a store with the vocabulary, thesauri and shapes (and the demo data)."""
    with _open(_settings(data, remote_url), must_exist=False) as store:
        result = bootstrap.init_store(store, demo=demo)
        click.echo(f"Base prête / store ready: {store.count()} quads"
                   + (f" (démo : {result.quads} quads)" if result else ""), err=True)


@main.command(epilog=EXIT_CODES)
@store_options
@click.option("--host", envvar="OSCARTES_HOST", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", envvar="OSCARTES_PORT", type=int, help="Port (default 5000).")
@click.option("--read-only", "read_only", is_flag=True, default=None,
              help="Open the embedded store read-only: several processes may serve one snapshot "
                   "(see `snapshot`); writes are refused.")
@click.option("--server", type=click.Choice(["granian", "waitress"]), default="granian",
              envvar="OSCARTES_SERVER", show_default=True,
              help="HTTP server: granian (fast, compiled) or waitress (pure Python).")
@reports_errors
def serve(data, remote_url, host, port, read_only, server):
    """Serve the web app and SPARQL endpoint (a new DIR is first created with the demo data)."""
    settings = _settings(data, remote_url, host=host, port=port, read_only=read_only)
    if settings.read_only and settings.data is not None and not settings.data.exists():
        raise NotFound(f"la base {settings.data} n'existe pas / store does not exist")
    if not settings.remote_url and settings.data is not None and not settings.data.exists():
        click.echo(f"{settings.data} n'existe pas : création avec les données de démonstration "
                   f"(init --demo) / creating it with the demo data", err=True)
        with _open(settings, must_exist=False) as store:
            bootstrap.init_store(store, demo=True)
    from app import serve as run_server  # the web layer is imported only here
    run_server(settings, server)


@main.command(epilog=EXIT_CODES)
@click.option("--data", type=click.Path(path_type=Path), envvar="OSCARTES_DATA", required=True,
              help="Folder of the embedded store to copy.")
@click.option("--to", "target", type=click.Path(path_type=Path), required=True,
              help="New folder for the copy.")
@reports_errors
def snapshot(data, target):
    """Copy the embedded store, consistently and in milliseconds, for read-only servers
    (`serve --data COPY --read-only`, as many processes as wanted)."""
    with _open(_settings(data, None)) as store:
        store.snapshot(target)
    click.echo(f"Instantané / snapshot: {target}", err=True)


@main.command(epilog=EXIT_CODES)
@store_options
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--graph", metavar="IRI", help="Graph for triples outside a named graph "
              f"(default {graphs.CONTRIBUTIONS.value}).")
@click.option("--format", "rdf_format", type=click.Choice(formats.names()),
              help="Format of every file (default: from each file's extension).")
@reports_errors
def load(data, remote_url, files, graph, rdf_format):
    """Validate FILES against the shapes, then write them all or nothing."""
    target = ox.NamedNode(graph) if graph else None
    with _open(_settings(data, remote_url)) as store:
        result = ingest.load(store, files, graph=target, format=rdf_format,
                             progress=sys.stderr.isatty(), author="cli")  # in the history
        catalogue.refresh(store, result.entities)  # search and map follow the load
    for iri, count in sorted(result.graphs.items()):
        click.echo(f"{count}\t{iri}")
    if result.skipped_schema_quads:
        click.echo(f"{result.skipped_schema_quads} quads des graphes gérés par `init` ignorés "
                   "/ quads for init-managed graphs left out", err=True)
    if result.report.warnings:
        click.echo(result.report.to_text("fr"), err=True)
    click.echo(f"Chargé / loaded: {result.quads} quads", err=True)


@main.command(epilog=EXIT_CODES)
@store_options
@reports_errors
def reindex(data, remote_url):
    """Build the search and map index (the catalogue) again from the public graphs.

    Writes keep it in step and a missing one is built on first use; run this after changing
    the store by other means, or to build it before serving a new snapshot. The embedded
    store is only read (opened read-only: a running server may keep it open).
    """
    settings = _settings(data, remote_url)
    if settings.remote_url or settings.data is None or not settings.data.exists():
        store = _open(settings)  # a remote store, or the usual error for a missing --data
    else:
        store = open_store(data=settings.data, read_only=True)
    with store:
        count = catalogue.rebuild(store, cache_dir=settings.catalogue_cache or None)
        where = catalogue.location(store, settings.catalogue_cache or None)
    click.echo(f"Index de recherche / search index: {count} entités / entities → {where}", err=True)


@main.command(epilog=EXIT_CODES)
@store_options
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output", type=click.Choice(["text", "json", "turtle"]),
              default="text", show_default=True, help="Report format.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@reports_errors
def validate(data, remote_url, files, output, lang):
    """Validate the store, or FILES as if they were loaded into it (exit 1 if not conforming)."""
    with _open(_settings(data, remote_url)) as store:
        if files:
            report = ingest.check(store, ingest.parse(files))
        else:
            report = validate_store(store)
    if output == "json":
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif output == "turtle":
        click.echo(report.to_graph().serialize(format="turtle"))
    else:
        click.echo(report.to_text(lang))
    sys.exit(0 if report.conforms else 1)


@main.command(epilog=EXIT_CODES)
@store_options
@click.option("--format", "dump_format", type=click.Choice(["nquads", "trig", "turtle", "jsonld"]),
              default="nquads", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@reports_errors
def dump(data, remote_url, dump_format, output):
    """Write every graph (Turtle: their union) to a file or standard output."""
    with _open(_settings(data, remote_url)) as store:
        if output:
            with open(output, "wb") as out:
                store.dump(out, formats.by_name(dump_format))
        else:
            store.dump(sys.stdout.buffer, formats.by_name(dump_format))
            sys.stdout.flush()


@main.command(epilog=EXIT_CODES)
@store_options
@click.argument("query_text", metavar="QUERY", required=False)
@click.option("--name", help="A named query from queries/ (see `--list`).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the named query (repeatable).")
@click.option("--list", "list_names", is_flag=True, help="List the named queries.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json", "turtle"]),
              default="table", show_default=True)
@click.option("--all-graphs", is_flag=True, help="Also read private graphs (operators only).")
@reports_errors
def query(data, remote_url, query_text, name, params, list_names, output, all_graphs):
    """Run a SPARQL QUERY, or a named query with --name and --param."""
    if list_names:
        for named in queries.all_queries():
            click.echo(f"{named.name}\t{named.title}")
        return
    if bool(query_text) == bool(name):
        raise UsageError("donnez une requête ou --name, pas les deux / give QUERY or --name")
    values = dict(_split(p) for p in params)  # usage errors before the store is opened
    with _open(_settings(data, remote_url)) as store:
        if name:
            result = queries.get(name).run(store, values, include_private=all_graphs)
        else:
            result = queries.run_text(store, query_text, include_private=all_graphs)
        sys.stdout.write(queries.render(result, output))


@main.group(epilog=EXIT_CODES)
def token():
    """Create, list and revoke the API tokens that authorise SPARQL writes (stored hashed)."""


@token.command("create", epilog=EXIT_CODES)
@store_options
@click.option("--role", required=True, help=f"Role granted: {', '.join(roles.ROLES)}.")
@click.option("--label", help="What the token is for (shown by `token list`).")
@reports_errors
def token_create(data, remote_url, role, label):
    """Create a token; the token alone is printed on the last line (shown only once)."""
    if not roles.is_role(role):  # before opening the store: a usage error, exit 2
        raise UsageError(f"rôle inconnu « {role} » : choisissez parmi {', '.join(roles.ROLES)} / "
                         f"unknown role {role!r}: choose one of {', '.join(roles.ROLES)}")
    with _open(_settings(data, remote_url)) as store:
        token_id, secret = tokens.create(store, role, label)
    click.echo(f"Jeton {token_id} créé ({role}) ; il ne sera plus affiché, gardez-le en lieu sûr. / "
               f"Token {token_id} created ({role}); it will not be shown again, keep it safe.", err=True)
    click.echo(secret)


@token.command("list", epilog=EXIT_CODES)
@store_options
@reports_errors
def token_list(data, remote_url):
    """List the tokens: id, role, label, creation date, revoked (never a secret or hash)."""
    with _open(_settings(data, remote_url)) as store:
        found = tokens.list_tokens(store)
    click.echo("id\trole\tlabel\tcreated\trevoked")
    for item in found:
        click.echo(f"{item.id}\t{item.role}\t{item.label or ''}\t{item.created}\t"
                   f"{'yes' if item.revoked else 'no'}")


@token.command("revoke", epilog=EXIT_CODES)
@store_options
@click.argument("token_id", metavar="ID")
@reports_errors
def token_revoke(data, remote_url, token_id):
    """Revoke the token ID for good."""
    with _open(_settings(data, remote_url)) as store:
        tokens.revoke(store, token_id)
    click.echo(f"Jeton {token_id} révoqué / token {token_id} revoked", err=True)



@main.group(epilog=EXIT_CODES)
def user():
    """Create, list and manage the accounts people log in with (the first admin is made here)."""


def _check_role_option(role: str) -> None:
    if not roles.is_role(role):  # before opening the store: a usage error, exit 2
        raise UsageError(f"rôle inconnu « {role} » : choisissez parmi {', '.join(roles.ROLES)} / "
                         f"unknown role {role!r}: choose one of {', '.join(roles.ROLES)}")


def _read_password(from_stdin: bool) -> str:
    """The new password: first line of stdin, or typed twice at a hidden prompt (never argv)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Mot de passe / password", hide_input=True,
                        confirmation_prompt="Confirmez / repeat", err=True)


@user.command("create", epilog=EXIT_CODES)
@store_options
@click.argument("login")
@click.option("--role", required=True, help=f"Role: {', '.join(roles.ROLES)}.")
@click.option("--name", help="Display name (default: the login).")
@click.option("--acts-for", "acts_for", metavar="IRI",
              help="The person or organisation this user acts for.")
@click.option("--password-stdin", "password_stdin", is_flag=True,
              help="Read the password from the first line of stdin (for scripts) instead of a prompt.")
@reports_errors
def user_create(data, remote_url, login, role, name, acts_for, password_stdin):
    """Create the account LOGIN (an e-mail address or user name); the password is asked for."""
    _check_role_option(role)
    accounts.normalise_login(login)
    password = _read_password(password_stdin)
    with _open(_settings(data, remote_url)) as store:
        created = accounts.create(store, login, password, role, name, acts_for)
    click.echo(f"Compte « {created.login} » créé ({created.role}) / "
               f"account {created.login!r} created ({created.role})", err=True)


@user.command("list", epilog=EXIT_CODES)
@store_options
@reports_errors
def user_list(data, remote_url):
    """List the accounts: login, name, role, creation date, disabled (never a password hash)."""
    with _open(_settings(data, remote_url)) as store:
        found = accounts.list_users(store)
    click.echo("login\tname\trole\tcreated\tdisabled\tacts_for")
    for item in found:
        click.echo(f"{item.login}\t{item.name}\t{item.role}\t{item.created}\t"
                   f"{'yes' if item.disabled else 'no'}\t{item.acts_for or ''}")


@user.command("role", epilog=EXIT_CODES)
@store_options
@click.argument("login")
@click.argument("role")
@reports_errors
def user_role(data, remote_url, login, role):
    """Give the account LOGIN the role ROLE (effective at its next request)."""
    _check_role_option(role)
    with _open(_settings(data, remote_url)) as store:
        changed = accounts.set_role(store, login, role)
    click.echo(f"« {changed.login} » : rôle {role} / {changed.login!r}: role {role}", err=True)


@user.command("disable", epilog=EXIT_CODES)
@store_options
@click.argument("login")
@reports_errors
def user_disable(data, remote_url, login):
    """Disable the account LOGIN: it can no longer log in, and its sessions stop counting."""
    with _open(_settings(data, remote_url)) as store:
        changed = accounts.disable(store, login)
    click.echo(f"Compte « {changed.login} » désactivé / account disabled", err=True)


@user.command("enable", epilog=EXIT_CODES)
@store_options
@click.argument("login")
@reports_errors
def user_enable(data, remote_url, login):
    """Enable the disabled account LOGIN again."""
    with _open(_settings(data, remote_url)) as store:
        changed = accounts.enable(store, login)
    click.echo(f"Compte « {changed.login} » réactivé / account enabled", err=True)

def _split(param: str) -> tuple[str, str]:
    key, sep, value = param.partition("=")
    if not sep or not key:
        raise UsageError(f"--param attend CLÉ=VALEUR, reçu « {param} » / expected KEY=VALUE")
    return key, value


from .cli_gdpr import gdpr_group; main.add_command(gdpr_group)  # noqa: E402,E702 - GDPR export/erase

from .cli_import import export_command, import_command  # noqa: E402  (issue 6: import, export)
main.add_command(import_command)
main.add_command(export_command)

from .cli_history import history_group; main.add_command(history_group)  # noqa: E402,E702 - write history
from .cli_watch import watch_group; main.add_command(watch_group)  # noqa: E402,E702 - issue 7: watch digests
from .cli_duplicates import duplicates_group; main.add_command(duplicates_group)  # noqa: E402,E702 - issue 6 §2 duplicates


if __name__ == "__main__":  # pragma: no cover
    main()
