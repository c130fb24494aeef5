"""Named SPARQL queries from ``queries/*.rq``: a header of ``#+`` lines, then the query.

Header lines (after grlc's decorators)::

    #+ title: Acteurs par thème et commune
    #+ title@en: Actors by theme and commune
    #+ description: ...          (French)
    #+ description@en: ...
    #+ param: theme iri optional Thème (concept du thésaurus)

Parameters are bound by inline ``VALUES`` blocks, written where the query asks for them with
pyoxigraph's own escaping (:func:`oscartes_kg.store.sparql_term`): the same text runs on the
embedded store and on any SPARQL 1.1 server, and Oxigraph plans with the value known (a
substituted value is ignored by its planner: 527 ms against 1 ms, bench/RESULTS.md). A marker is
a whole comment line in the query body (``queries/README.md``)::

    #@ ?theme           VALUES ?theme { <value> }   ; absent: nothing, ?theme stays free
    #@ ?theme given     VALUES ?theme { <value> }   ; absent: VALUES ?theme { } (no solution)
    #@ ?theme absent    VALUES ?theme { } (no solution) ; absent: nothing

``given`` and ``absent`` select the branch of a ``UNION`` that suits the parameters given, so
that each case runs its own plan. A marker binds the variable in its own group only (a
sub-query needs its own marker). Without any value the file is the query as written.

Which graphs a named query reads: the public data graphs and the thesauri. The vocabulary, the
shapes and the dataset metadata hold no data a listing needs, and on a store that has private
graphs each graph of the dataset is one more lookup per pattern (pyoxigraph reads a list of
graphs one by one): leaving those three out makes the slow queries 1.6-2.5x faster at 100,000
organisations (bench/RESULTS.md). A query that needs one of them says so in its header, e.g.
``#+ reads: ontology`` (names: ``ontology``, ``shapes``, ``meta``).

Federation: a named query may call a partner endpoint with ``SERVICE``, like ``/sparql``, and
only one on the allowlist (setting ``federation_allowlist``; ``query_scope.check_services``
refuses any other before a request leaves). Oxigraph needs the endpoint known when it plans the
query (``SERVICE ?var`` bound by ``VALUES`` fails: "the variable encoding the service name is
unbound"), so ``SERVICE ?name`` with ``name`` an ``iri`` parameter is written ``SERVICE <value>``;
without a value the group has no solution and nothing is called.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

import pyoxigraph as ox

from . import graphs, resources
from .errors import NotFound, UsageError
from .store import Solutions, sparql_term

__all__ = ["Param", "NamedQuery", "get", "all_queries", "run_text", "render", "read", "check_services"]

XSD = "http://www.w3.org/2001/XMLSchema#"
#: Graphs a named query leaves out unless its header names them (``#+ reads: ontology``).
SKIPPABLE = {"ontology": graphs.ONTOLOGY, "shapes": graphs.SHAPES, "meta": graphs.META}
PARAM_TYPES = ("iri", "string", "date", "datetime", "integer", "decimal", "boolean")
#: ``SERVICE ?name`` (or ``SERVICE SILENT ?name``): written with the parameter's IRI.
SERVICE_PARAM = re.compile(r"(?P<keyword>\bSERVICE(?:\s+SILENT)?)\s+\?(?P<name>\w+)", re.IGNORECASE)
_MAY_CALL_OUT = re.compile(r"(?i)\bservice\b|\\[uU]")
#: A marker line: ``#@ ?name``, ``#@ ?name given`` or ``#@ ?name absent``.
MARKER = re.compile(r"^(?P<indent>[ \t]*)#@[ \t]*\?(?P<name>\w+)(?:[ \t]+(?P<mode>given|absent))?[ \t]*$",
                    re.MULTILINE)


@dataclass(frozen=True)
class Param:
    """One typed parameter of a named query; the SPARQL variable has the same name."""

    name: str
    type: str
    required: bool = True
    help: str = ""

    def term(self, raw: str):
        """The RDF term for a value typed by a user.

        >>> Param("since", "date").term("2026-05-01")
        <Literal value=2026-05-01 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#date>>

        :raises UsageError: when the value does not fit the type.
        """
        try:
            if self.type == "iri":
                if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$", raw):
                    raise ValueError(raw)
                return ox.NamedNode(raw)
            if self.type == "string":
                return ox.Literal(raw)
            if self.type == "date":
                dt.date.fromisoformat(raw)
            elif self.type == "datetime":
                dt.datetime.fromisoformat(raw)
            elif self.type == "integer":
                int(raw)
            elif self.type == "decimal":
                Decimal(raw)
            elif self.type == "boolean" and raw not in ("true", "false"):
                raise ValueError(raw)
        except (ValueError, InvalidOperation):
            raise UsageError(f"paramètre « {self.name} » : « {raw} » n'est pas de type {self.type}"
                             f" / parameter '{self.name}' is not a valid {self.type}",
                             rule="param") from None
        datatype = {"datetime": "dateTime"}.get(self.type, self.type)
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + datatype))


@dataclass(frozen=True)
class NamedQuery:
    """A query file: its name is the file stem, used in code, URLs and tests."""

    name: str
    title: str
    description: str
    sparql: str
    params: tuple[Param, ...] = ()
    title_en: str = ""
    description_en: str = ""
    extra: dict = field(default_factory=dict, compare=False)
    #: Schema graphs the query reads besides the data and the thesauri (``#+ reads:``).
    reads: tuple[ox.NamedNode, ...] = ()

    def bind(self, values: dict[str, str]) -> dict[str, object]:
        """Typed terms for the given values; checks required and unknown parameters.

        :raises UsageError: a required parameter is missing, a name is unknown or a value bad.
        """
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise UsageError(f"paramètre(s) inconnu(s) : {', '.join(unknown)} (attendus : "
                             f"{', '.join(known) or 'aucun'}) / unknown parameter(s)", rule="param")
        missing = [p.name for p in self.params if p.required and not values.get(p.name)]
        if missing:
            raise UsageError(f"paramètre(s) manquant(s) : {', '.join(missing)} / missing "
                             "parameter(s)", rule="param")
        return {name: known[name].term(raw) for name, raw in values.items() if raw != ""}

    def text(self, values: dict[str, str] | None = None) -> str:
        r"""The SPARQL to run for ``values``: each marker line becomes a ``VALUES`` block.

        >>> q = NamedQuery("q", "", "", "SELECT * WHERE {\n  #@ ?x\n  ?s ?p ?x }",
        ...                (Param("x", "string", False),))
        >>> print(q.text({"x": 'say "hi" }'}))
        SELECT * WHERE {
          VALUES ?x { "say \"hi\" }" }
          ?s ?p ?x }

        :raises UsageError: as :meth:`bind`.
        """
        bindings = self.bind(values or {})
        text = MARKER.sub(lambda match: _values(match, bindings), self.sparql)
        iris = {p.name for p in self.params if p.type == "iri"}
        return SERVICE_PARAM.sub(lambda match: _service(match, bindings, iris), text)

    def run(self, store, values: dict[str, str] | None = None, *, include_private: bool = False,
            services: Iterable[str] | None = None, lazy: bool = False):
        """Run on ``store`` (embedded or remote) with the public graphs as dataset (all graphs
        if ``include_private``); ``values`` are typed by :meth:`bind` and written by :meth:`text`.
        ``SERVICE`` may call the endpoints of ``services`` only (default: the allowlist of the
        environment's settings). ``lazy`` as in ``Store.query``: only for a caller that reads
        the results to the end and drops them in one function, on its own thread.

        :raises UsageError: a parameter is missing, unknown or of the wrong type.
        :raises Forbidden: a ``SERVICE`` to an endpoint outside the allowlist.
        """
        text = self.text(values)
        check_services(text, services)
        return _execute(store, text, include_private, skip=self.skipped_graphs, lazy=lazy)

    @property
    def skipped_graphs(self) -> frozenset:
        """The schema graphs this query does not read (see the module docstring).

        >>> sorted(g.value.rsplit("/", 1)[1] for g in NamedQuery("q", "", "", "").skipped_graphs)
        ['meta', 'ontology', 'shapes']
        """
        return frozenset(g for g in SKIPPABLE.values() if g not in self.reads)


def _values(match: re.Match, bindings: dict) -> str:
    """The replacement of one marker line (see the module docstring)."""
    indent, name, mode = match.group("indent", "name", "mode")
    term = bindings.get(name)
    if (term is None and mode == "given") or (term is not None and mode == "absent"):
        return f"{indent}VALUES ?{name} {{ }}"
    if term is None or mode == "absent":
        return f"{indent}# ?{name}: no value"
    return f"{indent}VALUES ?{name} {{ {sparql_term(term)} }}"


def _service(match: re.Match, bindings: dict, iris: set) -> str:
    """``SERVICE ?name`` with ``name`` an ``iri`` parameter: ``SERVICE <value>``, or, without a
    value, ``VALUES ?name { }`` before the group (no solution, and nothing is called, as with a
    ``given`` marker). Any other variable stays (and ``check_services`` refuses it)."""
    name = match.group("name")
    if name not in iris:
        return match.group(0)
    term = bindings.get(name)
    if term is None:
        return f"VALUES ?{name} {{ }}"
    return f"{match.group('keyword')} {sparql_term(term)}"


def check_services(text: str, services: Iterable[str] | None = None) -> None:
    """Refuse a query whose ``SERVICE`` calls reach outside ``services`` (default: the
    ``federation_allowlist`` of ``Settings.from_env()``); a query without ``SERVICE`` (or a
    ``\\u`` escape that could spell it) is not parsed.

    :raises Forbidden: names the endpoint refused.
    """
    if not _MAY_CALL_OUT.search(text):
        return
    from . import query_scope
    from .config import Settings

    allowed = Settings.from_env().partner_endpoints if services is None else tuple(services)
    query_scope.check_services(query_scope.inspect(text), allowed)


def read(path) -> NamedQuery:
    """Parse one ``.rq`` file and its ``#+`` header."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = re.match(r"^#\+\s*([\w@-]+)\s*:\s*(.*)$", line)
        if match:
            header.setdefault(match.group(1), []).append(match.group(2).strip())
    params = []
    for spec in header.get("param", []):
        words = spec.split()
        if len(words) < 2 or words[1] not in PARAM_TYPES:
            raise UsageError(f"{path.name}: bad '#+ param: {spec}' (types: {PARAM_TYPES})")
        optional = len(words) > 2 and words[2] == "optional"
        params.append(Param(words[0], words[1], not optional,
                            " ".join(words[3 if optional else 2:])))
    first = lambda key: (header.get(key) or [""])[0]  # noqa: E731
    names = [name for line in header.get("reads", []) for name in re.split(r"[\s,]+", line) if name]
    unknown = [name for name in names if name not in SKIPPABLE]
    if unknown:
        raise UsageError(f"{path.name}: bad '#+ reads: {' '.join(unknown)}' (names: {list(SKIPPABLE)})")
    return NamedQuery(path.stem, first("title"), first("description"), text, tuple(params),
                      first("title@en"), first("description@en"),
                      reads=tuple(SKIPPABLE[name] for name in names))


@cache
def _catalogue() -> dict[str, NamedQuery]:
    return {q.name: q for q in map(read, sorted(resources.queries_dir().glob("*.rq")))}


def all_queries() -> list[NamedQuery]:
    """Every named query, by name."""
    return list(_catalogue().values())


def get(name: str) -> NamedQuery:
    """The named query ``name``.

    :raises NotFound: no ``queries/<name>.rq``.
    """
    try:
        return _catalogue()[name]
    except KeyError:
        raise NotFound(f"requête nommée inconnue « {name} » (voir `oscartes-kg query --list`)"
                       f" / unknown named query", rule="name") from None


def run_text(store, sparql: str, *, include_private: bool = False,
             services: Iterable[str] | None = None):
    """Run a query typed by a person (CLI), on the public graphs unless ``include_private``;
    ``SERVICE`` only to ``services`` (see :func:`check_services`).

    :raises Forbidden: a ``SERVICE`` to an endpoint outside the allowlist.
    """
    check_services(sparql, services)
    return _execute(store, sparql, include_private)


def _execute(store, sparql: str, include_private: bool, skip: frozenset = frozenset(),
             lazy: bool = False):
    names = store.graphs()
    dataset = names if include_private else graphs.public(names)
    if dataset and len(dataset) == len(names) and store.backend == "embedded":
        # Nothing is hidden: the union of every graph is the same dataset, and 1.3-3.8x faster
        # than a list of graphs on pyoxigraph (bench/RESULTS.md).
        return store.query(sparql, union_default_graph=True, lazy=lazy)
    dataset = [g for g in dataset if g not in skip]
    # An empty list would mean "the store's default graph": keep the dataset empty instead.
    dataset = dataset or [ox.NamedNode(graphs.BASE + "empty")]
    return store.query(sparql, default_graph=dataset, named_graphs=dataset, lazy=lazy)


def render(result, output: str) -> str:
    """Text for the CLI: ``table``, ``csv`` (header row, plain values), ``json`` or ``turtle``."""
    if isinstance(result, ox.QueryBoolean):
        return {"json": '{"head": {}, "boolean": %s}\n' % str(bool(result)).lower()}.get(
            output, f"{'true' if result else 'false'}\n")
    if isinstance(result, (Solutions, ox.QuerySolutions)):
        if output == "turtle":
            raise UsageError("--format turtle est pour CONSTRUCT/DESCRIBE / turtle is for graphs")
        if output == "table":
            return _table(result)
        fmt = ox.QueryResultsFormat.CSV if output == "csv" else ox.QueryResultsFormat.JSON
        return result.serialize(format=fmt).decode("utf-8")
    fmt = ox.RdfFormat.JSON_LD if output == "json" else ox.RdfFormat.TURTLE
    if output in ("table", "csv"):
        fmt = ox.RdfFormat.N_TRIPLES
    return ox.serialize(list(result), format=fmt).decode("utf-8")


def _table(solutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[_plain(s[v]) for v in names] for s in solutions]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(names), line(["-" * w for w in widths]), *map(line, rows)]) + "\n"


def _plain(term) -> str:
    if term is None:
        return ""
    return term.value if hasattr(term, "value") else str(term)
