"""The running app's catalogue (search and map index), opened once per app on its store."""
from __future__ import annotations

from flask import current_app

from oscartes_kg.catalogue import Catalogue, open_catalogue

from . import kb

__all__ = ["get"]


def get() -> Catalogue:
    """The app's catalogue; built on first use when missing (see ``oscartes_kg.catalogue``)."""
    found = current_app.extensions.get("oscartes_catalogue")
    if found is None:
        settings = kb.settings()
        found = open_catalogue(kb.get_store(), cache_dir=settings.catalogue_cache or None,
                               max_age=settings.catalogue_max_age)
        current_app.extensions["oscartes_catalogue"] = found
    return found
