"""Run a query under a time limit and a row cap, in a worker thread, so that one slow query
answers its client with a clear message and never holds up the others.

pyoxigraph releases the GIL while it evaluates, so a runaway query in one thread leaves the
other threads (and the other core) to everyone else. It has no way to cancel a query
(oxigraph issue #1926): a query that streams its rows stops at the next row once its time is
up; one that must finish an ORDER BY, GROUP BY or aggregate first keeps its thread until it is
done. The pool is therefore bounded, and a query finding every thread busy is told so at once
(503) rather than queued behind runaways. On the remote backend the server's own time limit
(``oxigraph serve --timeout-s``) stops it for real.
"""
from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import Busy, OscartesError, QueryError, QueryTimeout, StoreError
from .store import Solutions
from .store.results import reserialize, solutions_json

__all__ = ["Limits", "Outcome", "Runner", "solutions_json"]


@dataclass(frozen=True)
class Limits:
    """How long one query may run (seconds) and how many rows or triples it may return."""

    timeout: float = 10.0
    max_rows: int = 10_000


@dataclass
class Outcome:
    """A finished query: solutions (variables + rows of terms), a boolean, or triples.

    Plain Python objects only (pyoxigraph terms are; its results objects are not: see
    ``serialize``), so an outcome may go to any thread and live as long as needed.
    """

    kind: str  # "solutions" | "boolean" | "triples"
    variables: list[str] = field(default_factory=list)
    rows: list = field(default_factory=list)
    boolean: bool = False
    truncated: bool = False

    def serialize(self, format) -> bytes:
        """The outcome in a pyoxigraph ``QueryResultsFormat`` (solutions, boolean) or
        ``RdfFormat`` (triples).

        The pyoxigraph results object made for it never leaves the call (``reserialize``):
        pyoxigraph may only free one on the thread that made it.
        """
        if self.kind == "triples":
            return ox.serialize(self.rows, format=format)
        if self.kind == "solutions" and format == ox.QueryResultsFormat.JSON:
            return solutions_json(self.variables, self.rows)
        if self.kind == "boolean":
            return reserialize(json.dumps({"head": {}, "boolean": self.boolean}).encode(),
                               format=format)
        return reserialize(solutions_json(self.variables, self.rows), format=format)


class Runner:
    """A bounded pool of query threads, shared by every request of one app."""

    def __init__(self, limits: Limits, workers: int = 4):
        self.limits = limits
        self.workers = workers
        self._pool = DaemonPool(workers, name="sparql")
        self._running = 0
        self._lock = threading.Lock()

    def run(self, start: Callable[[], object]) -> Outcome:
        """Call ``start()`` (which returns pyoxigraph results) and collect them within the limits.

        :raises QueryTimeout: the time limit was reached (the client is told at once).
        :raises Busy: every query thread is already busy.
        """
        with self._lock:
            if self._running >= self.workers:
                raise Busy("le serveur traite déjà le maximum de requêtes longues ; réessayez dans "
                           "un instant / every query slot is busy, try again shortly", rule="busy")
            self._running += 1
        deadline = time.monotonic() + self.limits.timeout
        cancelled = threading.Event()
        future = self._pool.submit(self._collect, start, deadline, cancelled)
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()) + 0.05)
        except FutureTimeout:
            cancelled.set()
            raise self._timeout() from None

    def _collect(self, start, deadline: float, cancelled: threading.Event) -> Outcome:
        try:
            return self._gather(start, deadline, cancelled)
        except OscartesError:
            raise
        except (SyntaxError, RuntimeError, ValueError) as error:  # raised while evaluating
            raise QueryError(f"la requête a échoué / the query failed: {error}",
                             rule="evaluation") from None
        except OSError as error:
            raise StoreError(f"lecture du stockage impossible / the store cannot be read: {error}"
                             ) from None
        finally:
            with self._lock:
                self._running -= 1

    def _gather(self, start, deadline: float, cancelled: threading.Event) -> Outcome:
        result = start()
        try:
            if isinstance(result, ox.QueryBoolean):
                return Outcome("boolean", boolean=bool(result))
            kind = "solutions" if isinstance(result, (ox.QuerySolutions, Solutions)) else "triples"
            outcome = Outcome(kind, variables=[v.value for v in result.variables]
                              if kind == "solutions" else [])
            cap = self.limits.max_rows
            for item in result:
                if cancelled.is_set() or time.monotonic() > deadline:
                    raise self._timeout()
                if len(outcome.rows) >= cap:
                    outcome.truncated = True
                    break
                outcome.rows.append(tuple(item) if kind == "solutions" else item)
            return outcome
        finally:
            # pyoxigraph results may only be dropped on the thread that made them: an error while
            # iterating (a SERVICE that fails) would otherwise carry them to the request's thread.
            del result

    def _timeout(self) -> QueryTimeout:
        seconds = f"{self.limits.timeout:g}"
        return QueryTimeout(
            f"délai dépassé : la requête a duré plus de {seconds} s et a été arrêtée ; ajoutez des "
            f"filtres ou une LIMIT / query time limit of {seconds} s exceeded: the query was "
            "stopped; narrow it down or add a LIMIT", rule="timeout")

    def shutdown(self) -> None:
        """Stop accepting queries (running ones finish on their own)."""
        self._pool.shutdown()


class DaemonPool:
    """Up to ``workers`` threads, started as needed, that never hold up the process's exit.

    ``concurrent.futures.ThreadPoolExecutor`` joins its threads when the interpreter exits, so
    a server asked to stop would wait for a runaway query to end (hours, at 100k, for some),
    since pyoxigraph cannot cancel it. These threads are daemons: the process stops at once.
    """

    def __init__(self, workers: int, name: str):
        self.workers, self.name = workers, name
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, function: Callable, *args) -> Future:
        """Run ``function(*args)`` on a pool thread; its result or error comes in the future."""
        future: Future = Future()
        self._jobs.put((future, function, args))
        if not self._idle.acquire(timeout=0):
            with self._lock:
                if len(self._threads) < self.workers:
                    thread = threading.Thread(target=self._work, daemon=True,
                                              name=f"{self.name}-{len(self._threads)}")
                    self._threads.append(thread)
                    thread.start()
        return future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, function, args = job
            del job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function(*args))
                except BaseException as error:  # noqa: BLE001 - handed to the caller
                    future.set_exception(error)
            del future, function, args
            self._idle.release()

    def shutdown(self) -> None:
        """Let every thread end once the jobs already queued are done."""
        with self._lock:
            for _ in self._threads:
                self._jobs.put(None)
