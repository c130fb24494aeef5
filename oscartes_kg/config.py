"""Settings: every field has a default and a help text; ``from_env`` reads ``OSCARTES_*``."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

__all__ = ["Settings"]


def _setting(default, help: str):
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """How one oscartes-kg process runs. CLI options override the environment."""

    data: Path | None = _setting(
        None, "Folder of the embedded store (created by `init`). Env: OSCARTES_DATA.")
    remote_url: str | None = _setting(
        None, "SPARQL 1.1 query endpoint of a remote store; selects the remote backend. "
              "Env: OSCARTES_SPARQL_URL.")
    remote_update_url: str | None = _setting(
        None, "SPARQL 1.1 update endpoint of the remote store (default: the query URL with "
              "/query replaced by /update). Env: OSCARTES_SPARQL_UPDATE_URL.")
    remote_store_url: str | None = _setting(
        None, "Graph Store Protocol endpoint of the remote store (optional). "
              "Env: OSCARTES_SPARQL_STORE_URL.")
    remote_timeout: float = _setting(
        30.0, "Seconds to wait for the remote store. Env: OSCARTES_REMOTE_TIMEOUT.")
    public_url: str = _setting(
        "", "Public address of the site (e.g. https://donnees.oscartes.org), used for the SPARQL "
            "endpoint and dump URLs in /void and the service description; default: the address "
            "each request came to. Env: OSCARTES_PUBLIC_URL.")
    dumps_cache: str = _setting(
        "", "Folder for the public dumps and dataset counts of a remote store (the embedded "
            "store keeps them in DATA/dumps); default: oscartes-kg-dumps in the system's "
            "temporary folder. Env: OSCARTES_DUMPS_CACHE.")
    dumps_max_age: float = _setting(
        3600.0, "Seconds a remote store's dumps and counts are reused before being made again "
                "(the embedded store's are made again after each change). "
                "Env: OSCARTES_DUMPS_MAX_AGE.")
    iri_base: str = _setting(
        "https://w3id.org/oscartes/id/", "Base of the resources' IRIs: the page /id/KIND/SLUG "
        "shows the resource {iri_base}KIND/SLUG, and links to IRIs under it stay on this site. "
        "Set it to the site's own address + /id/ when the data use that. Env: OSCARTES_IRI_BASE.")
    host: str = _setting("127.0.0.1", "Address `serve` listens on. Env: OSCARTES_HOST.")
    port: int = _setting(5000, "Port `serve` listens on. Env: OSCARTES_PORT.")
    read_only: bool = _setting(
        False, "Open the embedded store read-only (several `serve --read-only` processes may "
               "share a snapshot; writes are refused). Env: OSCARTES_READ_ONLY.")
    query_timeout: float = _setting(
        10.0, "Seconds a public SPARQL query may run before it is stopped. "
              "Env: OSCARTES_QUERY_TIMEOUT.")
    query_max_rows: int = _setting(
        10000, "Rows (or triples) a SPARQL query returns at most; more are cut, and the "
               "response says so. Env: OSCARTES_QUERY_MAX_ROWS.")
    query_workers: int = _setting(
        4, "SPARQL queries run at the same time; one more is told to retry. "
           "Env: OSCARTES_QUERY_WORKERS.")
    federation_allowlist: str = _setting(
        "", "Partner SPARQL endpoints a query may call with SERVICE, separated by spaces; "
            "every other SERVICE is refused. Env: OSCARTES_FEDERATION_ALLOWLIST.")
    catalogue_cache: str = _setting(
        "", "Folder for the search and map index of a remote store (the embedded store keeps "
            "it in DATA/catalogue.sqlite); default: oscartes-kg-catalogue in the system's "
            "temporary folder. Env: OSCARTES_CATALOGUE_CACHE.")
    catalogue_max_age: float = _setting(
        3600.0, "Seconds a remote store's search and map index is used before being built "
                "again (the embedded store's follows every write). "
                "Env: OSCARTES_CATALOGUE_MAX_AGE.")
    map_tile_url: str = _setting(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Tile URL template of the maps ({z}/{x}/{y}, optionally {s}); tiles are the only "
        "requests pages make to another host. Env: OSCARTES_MAP_TILE_URL.")
    map_attribution: str = _setting(
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        "Attribution shown on the maps for the tiles (HTML, set by the operator, not by "
        "visitors). Env: OSCARTES_MAP_ATTRIBUTION.")
    secret_key: str = field(default="", repr=False, metadata={"help": (
        "Key that signs the login sessions and form (CSRF) tokens; keep it secret and the same "
        "across processes. If unset, the embedded store generates one and keeps it in "
        "DATA/secret_key (mode 0600); a remote-store deployment must set it (otherwise each "
        "process makes its own, and logins end at restart). Env: OSCARTES_SECRET_KEY.")})
    session_hours: float = _setting(
        12.0, "Hours a login lasts before the user must log in again. "
              "Env: OSCARTES_SESSION_HOURS.")
    behind_proxy: bool = _setting(
        False, "The app runs behind one trusted reverse proxy: believe its X-Forwarded-For, "
               "-Proto and -Host headers (client address for login throttling, HTTPS for "
               "Secure cookies). Leave false when clients reach the app directly. "
               "Env: OSCARTES_BEHIND_PROXY.")
    privacy_contact: str = _setting(
        "rgpd@oscartes.example", "Address people write to to see, export or erase their personal "
        "data (shown on /privacy; replace the placeholder). Env: OSCARTES_PRIVACY_CONTACT.")

    smtp_host: str = _setting(
        "", "SMTP server the watch's e-mail digests are sent through (`watch send-digests`); "
            "empty: no e-mail. Env: OSCARTES_SMTP_HOST.")
    smtp_port: int = _setting(587, "Port of the SMTP server. Env: OSCARTES_SMTP_PORT.")
    smtp_user: str = _setting(
        "", "Login on the SMTP server (empty: no login). Env: OSCARTES_SMTP_USER.")
    smtp_password: str = field(default="", repr=False, metadata={"help": (
        "Password on the SMTP server. Env: OSCARTES_SMTP_PASSWORD.")})
    smtp_from: str = _setting(
        "veille@oscartes.example", "Sender address of the e-mail digests (replace the "
        "placeholder). Env: OSCARTES_SMTP_FROM.")
    smtp_starttls: bool = _setting(
        True, "Upgrade the SMTP connection with STARTTLS before logging in. "
              "Env: OSCARTES_SMTP_STARTTLS.")
    deadline_days: int = _setting(
        30, "Calls for projects whose deadline falls within this many days are highlighted on "
            "/calls and the home page. Env: OSCARTES_DEADLINE_DAYS.")
    fetch_private_addresses: bool = _setting(
        False, "Let /calls/new read pages on private and loopback addresses (for tests on "
               "127.0.0.1 only: the SSRF guard refuses them otherwise). "
               "Env: OSCARTES_FETCH_PRIVATE_ADDRESSES.")

    ENV = {
        "data": "OSCARTES_DATA",
        "remote_url": "OSCARTES_SPARQL_URL",
        "remote_update_url": "OSCARTES_SPARQL_UPDATE_URL",
        "remote_store_url": "OSCARTES_SPARQL_STORE_URL",
        "remote_timeout": "OSCARTES_REMOTE_TIMEOUT",
        "public_url": "OSCARTES_PUBLIC_URL",
        "dumps_cache": "OSCARTES_DUMPS_CACHE",
        "dumps_max_age": "OSCARTES_DUMPS_MAX_AGE",
        "iri_base": "OSCARTES_IRI_BASE",
        "host": "OSCARTES_HOST",
        "port": "OSCARTES_PORT",
        "read_only": "OSCARTES_READ_ONLY",
        "query_timeout": "OSCARTES_QUERY_TIMEOUT",
        "query_max_rows": "OSCARTES_QUERY_MAX_ROWS",
        "query_workers": "OSCARTES_QUERY_WORKERS",
        "federation_allowlist": "OSCARTES_FEDERATION_ALLOWLIST",
        "catalogue_cache": "OSCARTES_CATALOGUE_CACHE",
        "catalogue_max_age": "OSCARTES_CATALOGUE_MAX_AGE",
        "map_tile_url": "OSCARTES_MAP_TILE_URL",
        "map_attribution": "OSCARTES_MAP_ATTRIBUTION",
        "secret_key": "OSCARTES_SECRET_KEY",
        "session_hours": "OSCARTES_SESSION_HOURS",
        "behind_proxy": "OSCARTES_BEHIND_PROXY",
        "privacy_contact": "OSCARTES_PRIVACY_CONTACT",
        "smtp_host": "OSCARTES_SMTP_HOST",
        "smtp_port": "OSCARTES_SMTP_PORT",
        "smtp_user": "OSCARTES_SMTP_USER",
        "smtp_password": "OSCARTES_SMTP_PASSWORD",
        "smtp_from": "OSCARTES_SMTP_FROM",
        "smtp_starttls": "OSCARTES_SMTP_STARTTLS",
        "deadline_days": "OSCARTES_DEADLINE_DAYS",
        "fetch_private_addresses": "OSCARTES_FETCH_PRIVATE_ADDRESSES",
    }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Settings from ``OSCARTES_*`` variables, then ``overrides`` (None means: not given).

        >>> Settings.from_env({"OSCARTES_PORT": "8080"}, host="0.0.0.0").port
        8080

        :raises ConfigError: when a variable does not hold a valid value.
        """
        environ = os.environ if environ is None else environ
        values = {}
        types = {f.name: f.type for f in dataclasses.fields(cls)}
        for name, variable in cls.ENV.items():
            raw = environ.get(variable)
            if raw not in (None, ""):
                values[name] = _convert(raw, types[name], variable)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values.get("data") is not None:
            values["data"] = Path(values["data"])
        return cls(**values)

    @property
    def partner_endpoints(self) -> tuple[str, ...]:
        """The ``SERVICE`` endpoints queries may call (``federation_allowlist``, split)."""
        return tuple(self.federation_allowlist.split())

    @classmethod
    def help(cls) -> dict[str, str]:
        """Setting name -> help text (the README documents each one)."""
        return {f.name: f.metadata["help"] for f in dataclasses.fields(cls)}


def _convert(raw: str, kind: str, variable: str):
    if "bool" in kind:
        if raw.lower() not in ("1", "true", "yes", "0", "false", "no"):
            raise ConfigError(f"{variable}={raw!r} : attendu true ou false / expected true or false",
                              rule=variable)
        return raw.lower() in ("1", "true", "yes")
    try:
        if "float" in kind:
            return float(raw)
        if "int" in kind:
            return int(raw)
    except ValueError:
        raise ConfigError(f"{variable}={raw!r} n'est pas un nombre / is not a number",
                          rule=variable) from None
    return raw
