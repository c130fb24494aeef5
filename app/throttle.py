"""Login throttling: after 5 failures in 15 minutes for one login or one client address, wait.

Kept in memory, per process: enough to make password guessing slow (5 tries per quarter hour per
login, whatever the address; 5 per address, whatever the login). A restart forgets the counts, and
each worker process counts on its own; a deployment with many workers may add a proxy-level limit.
"""
from __future__ import annotations

import time
from collections import deque
from threading import Lock

__all__ = ["Throttle"]


class Throttle:
    """Failure counts per key inside a sliding window; thread-safe."""

    MAX_KEYS = 100_000  # past this, expired keys are swept so memory stays bounded

    def __init__(self, limit: int = 5, window: float = 900.0, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def wait(self, *keys: str) -> float:
        """Seconds before any of ``keys`` may try again (0 when none is locked).

        >>> throttle = Throttle(limit=2, window=60, clock=lambda: 100.0)
        >>> throttle.fail("login:a"); throttle.fail("login:a"); throttle.wait("login:a", "ip:x")
        60.0
        """
        now = self.clock()
        with self._lock:
            waits = [times[0] + self.window - now for key in keys
                     if len(times := self._recent(key, now)) >= self.limit]
        return max(waits, default=0.0)

    def fail(self, *keys: str) -> None:
        """Count one failure against each of ``keys``."""
        now = self.clock()
        with self._lock:
            if len(self._failures) > self.MAX_KEYS:
                self._failures = {k: t for k, t in self._failures.items() if self._recent(k, now)}
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def reset(self, *keys: str) -> None:
        """Forget the failures of ``keys`` (after a successful login)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
