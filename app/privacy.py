"""The privacy notice at ``/privacy`` (GDPR art. 12 to 14): what is stored, why, for how long,
who sees it, and how to ask for an export or an erasure.

The notice is prose, so each language has its own template (``privacy/fr.html``,
``privacy/en.html``) rather than a ``tr()`` per sentence. The address to write to is the
``privacy_contact`` setting; the map tile host is named because it is the one third party a
visitor's browser talks to.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, render_template

from . import kb
from .i18n import current

__all__ = ["bp"]

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
def show():
    """The privacy notice in the page's language (French, or English with ``?lang=en``)."""
    settings = kb.settings()
    return render_template(f"privacy/{current()}.html", contact=settings.privacy_contact,
                           tile_host=urlsplit(settings.map_tile_url).hostname or "")
