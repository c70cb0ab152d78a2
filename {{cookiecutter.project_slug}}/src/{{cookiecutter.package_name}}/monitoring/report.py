"""The monitoring report: an HTML page with PNG plots, so people can look instead of reading tables.

- drift_over_time.png: PSI per feature over every recorded window;
- distributions.png: each column's window distribution against its reference, on the same bins;
- index.html: both plots and the window's metrics, alerts first.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from .assess import ALERT, WARN, MetricResult
from .drift import BinnedColumn
from .windows import MonitoringWindow

DRIFT_PLOT = "drift_over_time.png"
DISTRIBUTION_PLOT = "distributions.png"
REPORT_FILE = "index.html"
_STATUS_ORDER = {ALERT: 0, WARN: 1}
_STYLE = """
body { font-family: sans-serif; margin: 2em; } table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
tr.alert, p.alert { background: #fdd; } tr.warn { background: #ffd; } p.ok { background: #dfd; }
"""


def plot_drift_over_time(history: pd.DataFrame, path: Path, warn: float, alert: float) -> None:
    """One line per feature: PSI at each window end, with the warn and alert limits."""
    # A bare Figure (no pyplot): no GUI backend and no global state, so it draws on jobs and CI as is.
    figure = Figure(figsize=(9, 4.5))
    axes = figure.subplots()
    for feature, rows in history.sort_values("window_end").groupby("feature"):
        axes.plot(pd.to_datetime(rows["window_end"]), rows["value"], marker="o", label=feature)
    axes.axhline(warn, color="orange", linestyle="--", linewidth=1, label=f"warn {warn}")
    axes.axhline(alert, color="red", linestyle="--", linewidth=1, label=f"alert {alert}")
    axes.set_xlabel("window end")
    axes.set_ylabel("PSI vs reference")
    axes.set_title("Drift per feature over time")
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def plot_distributions(columns: list[BinnedColumn], path: Path) -> None:
    """A grid of bar charts: reference vs window share per bin or category."""
    per_row = 3
    rows = max(1, math.ceil(len(columns) / per_row))
    figure = Figure(figsize=(4.2 * per_row, 3.2 * rows))
    grid = figure.subplots(rows, per_row, squeeze=False)
    for axes, column in zip(grid.flat, columns, strict=False):
        positions = range(len(column.labels))
        reference = column.reference / max(column.reference.sum(), 1)
        window = column.window / max(column.window.sum(), 1)
        axes.bar([p - 0.2 for p in positions], reference, width=0.4, label="reference")
        axes.bar([p + 0.2 for p in positions], window, width=0.4, label="window")
        axes.set_title(column.feature, fontsize=9)
        axes.set_xticks(list(positions), column.labels, rotation=60, ha="right", fontsize=6)
        axes.tick_params(axis="y", labelsize=7)
    for axes in list(grid.flat)[len(columns) :]:
        axes.axis("off")
    grid.flat[0].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def _metrics_table(results: list[MetricResult]) -> str:
    ordered = sorted(results, key=lambda r: (_STATUS_ORDER.get(r.status, 2), r.feature, r.metric))
    rows = "\n".join(
        f'<tr class="{html.escape(r.status)}">'
        f"<td>{html.escape(r.feature)}</td><td>{html.escape(r.metric)}</td>"
        f"<td>{r.value:.6g}</td><td>{'' if r.threshold is None else f'{r.threshold:g}'}</td>"
        f"<td>{html.escape(r.status)}</td></tr>"
        for r in ordered
    )
    return (
        "<table><thead><tr><th>feature</th><th>metric</th><th>value</th><th>threshold</th>"
        f"<th>status</th></tr></thead><tbody>\n{rows}\n</tbody></table>"
    )


def render_html(
    title: str, window: MonitoringWindow, results: list[MetricResult], features: tuple[str, ...]
) -> str:
    alerting = [r for r in results if r.status == ALERT]
    summary = (
        f'<p class="alert">{len(alerting)} alert(s): '
        + ", ".join(html.escape(f"{r.feature} {r.metric}") for r in alerting)
        + "</p>"
        if alerting
        else '<p class="ok">No alerts.</p>'
    )
    monitored = ", ".join(f"<code>{html.escape(feature)}</code>" for feature in features)
    head = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style></head><body>\n"
    )
    return (
        head
        + f"<h1>{html.escape(title)}</h1>\n"
        + f"<p>Window: scoring dates {window.start} to {window.end} (end exclusive).</p>\n"
        + f"{summary}\n<p>Monitored columns: {monitored}</p>\n"
        + f'<h2>Drift per feature over time</h2><img src="{DRIFT_PLOT}" alt="PSI per feature over time">\n'
        + f'<h2>Window vs reference distributions</h2><img src="{DISTRIBUTION_PLOT}" alt="distributions">\n'
        + f"<h2>Metrics</h2>\n{_metrics_table(results)}\n</body></html>\n"
    )


def write_report(
    folder: Path,
    title: str,
    window: MonitoringWindow,
    results: list[MetricResult],
    columns: list[BinnedColumn],
    psi_history: pd.DataFrame,
    psi_limits: tuple[float, float],
) -> Path:
    """Write the plots and index.html into `folder` (created); return the HTML file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    plot_drift_over_time(psi_history, folder / DRIFT_PLOT, *psi_limits)
    plot_distributions(columns, folder / DISTRIBUTION_PLOT)
    features = tuple(column.feature for column in columns)
    page = folder / REPORT_FILE
    page.write_text(render_html(title, window, results, features))
    return page
