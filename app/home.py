"""The home page (a placeholder until the browser lands): what the knowledge base holds."""
from __future__ import annotations

from flask import Blueprint, render_template

from . import kb

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Counts of the public graphs, and where to query."""
    store = kb.get_store()
    counts = [(g.value, store.count(g)) for g in kb.public_graphs()]
    return render_template("home.html", counts=counts)
