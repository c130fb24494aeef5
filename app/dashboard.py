"""Dashboards of a territory (``/territories/<slug>/dashboard``, communes and EPCI) and of a theme
(``/themes/<slug>/dashboard``): counts now, their evolution by month as a server-drawn SVG chart
with its data table next to it, and every table as CSV (``?format=csv&table=counts|evolution``).
No JavaScript: the chart is plain SVG with a ``<title>`` and a description, and the table says
the same in text.
"""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup

from oscartes_kg import dashboard, watch
from oscartes_kg.errors import NotFound, UsageError

from . import catalogue, kb
from .i18n import current, tr

__all__ = ["bp", "chart"]

bp = Blueprint("dashboard", __name__)
COLOURS = ("#1b6b3a", "#8a3ffc", "#b35c00", "#0b5cad", "#a2191f", "#5a5a5a")


@bp.get("/territories/<slug>/dashboard")
def territory(slug: str):
    """The dashboard of a commune, an EPCI or any territory the catalogue knows."""
    return _page("commune", "territory", slug)


@bp.get("/themes/<slug>/dashboard")
def theme(slug: str):
    """The dashboard of a theme (its narrower themes included)."""
    return _page("theme", "theme", slug)


def _page(field: str, kind: str, slug: str):
    iri = f"{kb.settings().iri_base}{kind}/{slug}"
    found = catalogue.get()
    label = next((_label(v.label, v.label_en) for v in found.terms(field) if v.value == iri), None)
    if label is None:
        raise NotFound(f"aucun {'territoire' if field == 'commune' else 'thème'} « {slug[:60]} » "
                       f"dans l'index / no such {kind}", entity=iri, rule="dashboard")
    counts = dashboard.counts(found, field, iri)
    history = dashboard.evolution(kb.get_store(), watch.catalogue_connection(found), field, iri, catalogue=found)
    names = {name: _label(fr, en) for name, (fr, en, _) in dashboard.GROUPS.items()}
    fmt, table = request.args.get("format", "html"), request.args.get("table", "counts")
    if fmt == "csv":
        return _csv(slug, table, counts, history, names)
    if fmt != "html":
        raise UsageError(f"format inconnu « {fmt[:20]} » (html ou csv) / unknown format",
                         prop="format", rule="format")
    title = tr("Évolution par mois : ", "Evolution by month: ") + label
    return render_template("dashboard/show.html", label=label, iri=iri, kind=kind, counts=counts,
                           names=names, history=history, svg=chart(history, names, title))


def _csv(slug: str, table: str, counts, history, names) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    if table == "counts":
        writer.writerow(["groupe", "nombre"])
        writer.writerows((name, counts.values[name]) for name in names)
    elif table == "evolution":
        writer.writerow(["mois", *names])
        writer.writerows((month, *(history.series[n][i] for n in names))
                         for i, month in enumerate(history.months))
    else:
        raise UsageError(f"tableau inconnu « {table[:20]} » (counts ou evolution) / unknown table",
                         prop="table", rule="table")
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{slug}-{table}.csv"'})


def chart(history, names: dict, title: str, width: int = 640, height: int = 260) -> Markup:
    """A line chart of ``history`` as SVG text: one polyline per group, axes, a legend, a
    ``<title>`` and ``<desc>`` for screen readers. Every label is escaped."""
    from html import escape

    left, right, top, bottom = 48, 150, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    months = history.months
    peak = max([1, *(v for values in history.series.values() for v in values)])
    step = plot_w / max(1, len(months) - 1)

    def x(i):
        return left + (i * step if len(months) > 1 else plot_w / 2)

    def y(v):
        return top + plot_h - v * plot_h / peak

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="chart-title chart-desc" class="dashboard-chart">',
             f'<title id="chart-title">{escape(title)}</title>',
             f'<desc id="chart-desc">{escape(tr("Les mêmes valeurs figurent dans le tableau qui suit.", "The table below gives the same values."))}</desc>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>',
             f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11">{peak}</text>',
             f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>']
    for i in sorted({0, len(months) - 1}):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                     f'font-size="11">{escape(months[i])}</text>')
    for n, (name, label) in enumerate(names.items()):
        colour = COLOURS[n % len(COLOURS)]
        values = history.series[name]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        if len(values) == 1:
            parts.append(f'<circle cx="{x(0):.1f}" cy="{y(values[0]):.1f}" r="3" fill="{colour}"/>')
        else:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        ly = top + 14 + n * 18
        parts.append(f'<rect x="{left + plot_w + 12}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{left + plot_w + 28}" y="{ly}" font-size="12">{escape(label)} '
                     f'({values[-1]})</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # built here with every label escaped


def _label(label: str, label_en: str) -> str:
    return label_en if current() == "en" and label_en else label
