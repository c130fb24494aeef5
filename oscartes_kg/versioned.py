"""Values computed from the data and kept until the data change (one data version at a time).

Some answers cost more than a page should (the initiatives feed, the filter options) and only
change when the data do. The embedded store's change stamp (:func:`oscartes_kg.dumps.stamp_change`,
written by every write path) names the version; a remote store has no stamp, so its values are
kept at most ``REMOTE_MAX_AGE`` seconds.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from . import dumps

__all__ = ["cached", "REMOTE_MAX_AGE"]

REMOTE_MAX_AGE = 300
T = TypeVar("T")
_values: dict[tuple, object] = {}
_lock = threading.RLock()  # re-entrant: one cached value may be computed from another


def cached(store, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per store, data version and ``key``.

    >>> from oscartes_kg.store import open_store
    >>> store = open_store()
    >>> cached(store, "n", lambda: 1), cached(store, "n", lambda: 2)
    (1, 1)
    >>> cached(store, "outer", lambda: cached(store, "inner", lambda: 3) + 1)
    4
    """
    version = (getattr(store, "path", None) or getattr(store, "query_url", None) or id(store),
               _version(store))
    with _lock:
        for old in [k for k in _values if k[0][0] == version[0] and k[0] != version]:
            del _values[old]  # an older version of this store's data
        if (version, key) not in _values:
            _values[(version, key)] = compute()
        return _values[(version, key)]


def _version(store) -> str:
    if getattr(store, "path", None) is not None:
        return dumps.open_cache(store).version()
    return str(int(time.time() // REMOTE_MAX_AGE))
