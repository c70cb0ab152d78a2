"""The monitoring report: an HTML page with PNG plots, so people can look instead of reading tables.

- drift_over_time.png: PSI per feature over every recorded window;
- quality_over_time.png: AUC and log loss of the labeled predictions over every recorded window;
- predictions.png: the window's predicted probabilities, split by label once labels have arrived;
- distributions.png: each column's window distribution against its reference, on the same bins
  (the prediction's too, against the window before);
- index.html: the plots and the window's metrics, alerts first. The plots are embedded in the page
  (data: URIs), so it is whole on its own: in the MLflow UI's artifact view, which shows one file
  and cannot resolve a relative image, and when mailed or downloaded.
"""

from __future__ import annotations

import base64
import html
import io
import math
from datetime import timedelta
from pathlib import Path

import pandas as pd
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from ..features.spec import LABEL_COLUMN
from .assess import ALERT, WARN, MetricResult
from .drift import BinnedColumn
from .predictions import PredictionHistogram
from .quality import MODEL_FEATURE
from .windows import MonitoringWindow

DRIFT_PLOT = "drift_over_time.png"
QUALITY_PLOT = "quality_over_time.png"
PREDICTION_PLOT = "predictions.png"
DISTRIBUTION_PLOT = "distributions.png"
QUALITY_METRICS = ("auc", "log_loss")
# The metrics whose history the report draws (monitoring_metrics rows of every window so far).
REPORTED_HISTORY = ("psi", *QUALITY_METRICS)
REPORT_FILE = "index.html"
_STATUS_ORDER = {ALERT: 0, WARN: 1}
_STYLE = """
body { font-family: sans-serif; margin: 2em; } table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
tr.alert, p.alert { background: #fdd; } tr.warn { background: #ffd; } p.ok { background: #dfd; }
img { max-width: 100%; height: auto; }
"""


def plot_drift_over_time(history: pd.DataFrame, warn: float, alert: float) -> Figure:
    """One line per feature: PSI at each window end, with the warn and alert limits."""
    # A bare Figure (no pyplot): no GUI backend and no global state, so it draws on jobs and CI as is.
    figure = Figure(figsize=(9, 4.5))
    axes = figure.subplots()
    psi = history[history["metric"] == "psi"].sort_values("window_end")
    for feature, rows in psi.groupby("feature"):
        axes.plot(pd.to_datetime(rows["window_end"]), rows["value"], marker="o", label=feature)
    axes.axhline(warn, color="orange", linestyle="--", linewidth=1, label=f"warn {warn}")
    axes.axhline(alert, color="red", linestyle="--", linewidth=1, label=f"alert {alert}")
    _windows_axis(axes, psi["window_end"])
    axes.set_ylabel("PSI vs reference")
    axes.set_title("Drift per feature over time")
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure


def plot_quality_over_time(history: pd.DataFrame) -> Figure:
    """AUC and log loss of each window's labeled predictions (a note instead while none has labels)."""
    figure = Figure(figsize=(9, 3.5))
    grid = figure.subplots(1, len(QUALITY_METRICS), squeeze=False)
    model = history[history["feature"] == MODEL_FEATURE].sort_values("window_end")
    for axes, metric in zip(grid.flat, QUALITY_METRICS, strict=True):
        rows = model[model["metric"] == metric]
        if rows.empty:
            axes.text(0.5, 0.5, "no labeled predictions yet", ha="center", va="center", fontsize=9)
            axes.set_axis_off()
        else:
            axes.plot(pd.to_datetime(rows["window_end"]), rows["value"], marker="o")
            _windows_axis(axes, rows["window_end"])
        axes.set_title(metric.replace("_", " "), fontsize=9)
    figure.suptitle("Model quality over time (labels arrive after the predictions)", fontsize=10)
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure


def plot_predictions(histogram: PredictionHistogram) -> Figure:
    """The window's predictions per probability bin; the labeled ones by label, once labels arrived."""
    figure = Figure(figsize=(9, 3.5))
    axes = figure.subplots()
    edges = histogram.edges
    width = edges[1] - edges[0]
    axes.bar(
        edges[:-1],
        histogram.counts,
        width=width,
        align="edge",
        color="#c8c8c8",
        edgecolor="white",
        label=f"all predictions ({int(histogram.counts.sum())})",
    )
    if histogram.positives is not None and histogram.negatives is not None:
        axes.bar(
            edges[:-1] + width / 4,
            histogram.negatives,
            width=width / 2,
            align="edge",
            label=f"labeled, {LABEL_COLUMN} = 0",
        )
        axes.bar(
            edges[:-1] + width / 4,
            histogram.positives,
            width=width / 2,
            align="edge",
            bottom=histogram.negatives,
            label=f"labeled, {LABEL_COLUMN} = 1",
        )
    axes.set_xlim(0.0, 1.0)
    axes.set_xlabel("predicted probability")
    axes.set_ylabel("predictions")
    axes.set_title("Predictions in the window")
    axes.legend(fontsize=7)
    figure.tight_layout()
    return figure


def _windows_axis(axes, window_ends: pd.Series) -> None:
    """A date axis that spans the windows present (a day either side), not an autoscaled range, with
    ticks on whole days (window ends are dates: an hour tick would mean nothing)."""
    axes.set_xlabel("window end")
    if window_ends.empty:
        return
    ends = pd.to_datetime(window_ends)
    axes.set_xlim(ends.min() - timedelta(days=1), ends.max() + timedelta(days=1))
    span_days = (ends.max() - ends.min()).days + 2
    axes.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, math.ceil(span_days / 8))))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))


def plot_distributions(columns: list[BinnedColumn]) -> Figure:
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
    return figure


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
    title: str,
    window: MonitoringWindow,
    results: list[MetricResult],
    features: tuple[str, ...],
    plots: dict[str, bytes],
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
        + f"<h2>Drift per feature over time</h2>{_image(plots[DRIFT_PLOT], 'PSI per feature over time')}\n"
        + f"<h2>Model quality over time</h2>{_image(plots[QUALITY_PLOT], 'AUC and log loss over time')}\n"
        + (
            f"<h2>Predictions in the window</h2>{_image(plots[PREDICTION_PLOT], 'predicted probabilities')}\n"
            if PREDICTION_PLOT in plots
            else ""
        )
        + f"<h2>Window vs reference distributions</h2>{_image(plots[DISTRIBUTION_PLOT], 'distributions')}\n"
        + f"<h2>Metrics</h2>\n{_metrics_table(results)}\n</body></html>\n"
    )


def _image(png: bytes, alt: str) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="{html.escape(alt)}">'


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def write_report(
    folder: Path,
    title: str,
    window: MonitoringWindow,
    results: list[MetricResult],
    columns: list[BinnedColumn],
    predictions: PredictionHistogram | None,
    history: pd.DataFrame,
    psi_limits: tuple[float, float],
) -> Path:
    """Write the plots and index.html (with the plots embedded) into `folder` (created); return the
    HTML file's path. `history`: (window_end, feature, metric, value) of REPORTED_HISTORY."""
    folder.mkdir(parents=True, exist_ok=True)
    plots = {
        DRIFT_PLOT: _png(plot_drift_over_time(history, *psi_limits)),
        QUALITY_PLOT: _png(plot_quality_over_time(history)),
        DISTRIBUTION_PLOT: _png(plot_distributions(columns)),
    }
    if predictions is not None:  # an inference log always has them; analysis of bare features not
        plots[PREDICTION_PLOT] = _png(plot_predictions(predictions))
    for name, png in plots.items():
        (folder / name).write_bytes(png)
    features = tuple(column.feature for column in columns)
    page = folder / REPORT_FILE
    page.write_text(render_html(title, window, results, features, plots))
    return page
