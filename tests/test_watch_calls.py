"""Calls whose deadline falls within ``deadline_days`` are highlighted on /calls (issue 7 §4)."""
from __future__ import annotations

import re

import agenda_scenario as scenario
from app import create_app
from app.agenda import today
from oscartes_kg import bootstrap
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store


def test_calls_closing_within_the_setting_are_highlighted(tmp_path):
    with open_store(data=tmp_path / "kb") as store:
        bootstrap.init_store(store, demo=True)
        scenario.load(store, tmp_path, today())
    app = create_app(Settings(data=tmp_path / "kb", deadline_days=10))
    try:
        text = app.test_client().get("/calls", headers={"Accept": "text/html"}).text
        items = {re.search(r'href="/id/call/([^"]+)"', li).group(1): li
                 for li in re.findall(r'<li class="call[^"]*">.*?</li>', text, flags=re.S)}
        assert "Date limite proche" in items["climat-urgent"]          # in 5 days
        assert 'class="call call-soon"' in text
        assert "Date limite proche" not in items["alimentation-locale"]  # in 30 days
    finally:
        app.extensions["oscartes_runner"].shutdown()
        app.extensions["oscartes_store"].close()
