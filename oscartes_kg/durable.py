"""Making file-system changes survive a crash: the one helper the store, the history and the
GDPR rewrite share (a rename or a deletion is durable only once its folder is fsynced)."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["fsync_directory"]


def fsync_directory(path: Path) -> None:
    """Make the renames and deletions in the folder ``path`` durable.

    >>> import tempfile; fsync_directory(Path(tempfile.mkdtemp()))
    """
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
