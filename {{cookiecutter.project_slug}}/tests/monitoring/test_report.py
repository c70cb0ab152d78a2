"""The HTML report: written with its plots, and it names every monitored column."""

import base64
import re
import shutil
import subprocess
from datetime import date

import numpy as np
import pandas as pd
import pytest
from matplotlib import dates as mdates

from {{ cookiecutter.package_name }}.monitoring.assess import MetricResult
from {{ cookiecutter.package_name }}.monitoring.drift import BinnedColumn
from {{ cookiecutter.package_name }}.monitoring.predictions import PredictionHistogram
from {{ cookiecutter.package_name }}.monitoring.quality import MODEL_FEATURE
from {{ cookiecutter.package_name }}.monitoring.report import (
    DISTRIBUTION_PLOT,
    DRIFT_PLOT,
    PREDICTION_PLOT,
    QUALITY_PLOT,
    plot_drift_over_time,
    plot_predictions,
    plot_quality_over_time,
    render_html,
    write_report,
)
from {{ cookiecutter.package_name }}.monitoring.windows import MonitoringWindow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HISTORY_COLUMNS = ["window_end", "feature", "metric", "value"]
WINDOW = MonitoringWindow(date(2026, 4, 24), date(2026, 5, 1))
PREDICTIONS = PredictionHistogram(np.arange(20))
PLOTS = (DRIFT_PLOT, QUALITY_PLOT, PREDICTION_PLOT, DISTRIBUTION_PLOT)


def test_the_report_has_every_plot_and_names_every_column(tmp_path) -> None:
    columns = [
        BinnedColumn("amount_30d", ("<= 10", "> 10"), np.array([5, 5]), np.array([2, 8])),
        BinnedColumn("main_channel_30d", ("store", "web"), np.array([3, 7]), np.array([0, 4])),
        BinnedColumn("prediction", ("<= 0.5", "> 0.5"), np.array([6, 4]), np.array([5, 5])),
    ]
    results = [
        MetricResult("amount_30d", "psi", 0.41, 0.25, "alert"),
        MetricResult("main_channel_30d", "psi", 0.12, 0.25, "warn"),
        MetricResult("prediction", "ks", 0.1, 0.2, "ok"),
    ]
    history = pd.DataFrame(
        [
            (date(2026, 4, 24), "amount_30d", "psi", 0.05),
            (date(2026, 5, 1), "amount_30d", "psi", 0.41),
            (date(2026, 5, 1), "main_channel_30d", "psi", 0.12),
            (date(2026, 5, 1), MODEL_FEATURE, "auc", 0.71),
            (date(2026, 5, 1), MODEL_FEATURE, "log_loss", 0.52),
        ],
        columns=HISTORY_COLUMNS,
    )

    page = write_report(
        tmp_path / "report", "demo <monitoring>", WINDOW, results, columns, PREDICTIONS, history, (0.1, 0.25)
    )

    html = page.read_text()
    assert page == tmp_path / "report" / "index.html"
    for feature in ("amount_30d", "main_channel_30d", "prediction"):
        assert f"<code>{feature}</code>" in html
    assert "<title>demo &lt;monitoring&gt;</title>" in html
    assert '<p class="alert">1 alert(s): amount_30d psi</p>' in html
    assert html.index("<td>amount_30d</td><td>psi</td>") < html.index("<td>main_channel_30d</td>")
    # Every plot is in the page itself (the MLflow UI shows index.html alone), and beside it as a file.
    embedded = [
        base64.b64decode(src) for src in re.findall(r'<img src="data:image/png;base64,([^"]+)"', html)
    ]
    files = [
        (tmp_path / "report" / plot).read_bytes()
        for plot in (DRIFT_PLOT, QUALITY_PLOT, PREDICTION_PLOT, DISTRIBUTION_PLOT)
    ]
    assert embedded == files and all(png.startswith(PNG_SIGNATURE) for png in files)
    assert html.count("<img ") == 4


def test_a_first_window_without_history_still_reports(tmp_path) -> None:
    columns = [BinnedColumn("x", ("a",), np.array([1]), np.array([1]))]
    empty = pd.DataFrame(columns=HISTORY_COLUMNS)

    page = write_report(tmp_path, "t", WINDOW, [], columns, PREDICTIONS, empty, (0.1, 0.25))

    assert '<p class="ok">No alerts.</p>' in page.read_text()
    assert (tmp_path / DRIFT_PLOT).read_bytes().startswith(PNG_SIGNATURE)


def test_without_predictions_the_report_leaves_their_plot_out(tmp_path) -> None:
    columns = [BinnedColumn("x", ("a",), np.array([1]), np.array([1]))]

    page = write_report(
        tmp_path, "t", WINDOW, [], columns, None, pd.DataFrame(columns=HISTORY_COLUMNS), (0.1, 0.25)
    )

    assert "Predictions in the window" not in page.read_text() and page.read_text().count("<img ") == 3
    assert not (tmp_path / PREDICTION_PLOT).exists()


def test_the_time_axes_span_the_windows_present() -> None:
    """Not an autoscaled range: a day either side of the first and last window end."""
    ends = [date(2026, 4, 24), date(2026, 5, 1), date(2026, 5, 8)]
    history = pd.DataFrame(
        [(end, "x", "psi", 0.1) for end in ends] + [(end, MODEL_FEATURE, "auc", 0.7) for end in ends[1:]],
        columns=HISTORY_COLUMNS,
    )

    drift_axes = plot_drift_over_time(history, 0.1, 0.25).axes[0]
    auc_axes = plot_quality_over_time(history).axes[0]

    assert drift_axes.get_xlim() == (mdates.date2num(date(2026, 4, 23)), mdates.date2num(date(2026, 5, 9)))
    assert auc_axes.get_xlim() == (mdates.date2num(date(2026, 4, 30)), mdates.date2num(date(2026, 5, 9)))


def test_a_single_window_is_ticked_on_whole_days() -> None:
    history = pd.DataFrame([(date(2026, 5, 2), "x", "psi", 0.1)], columns=HISTORY_COLUMNS)
    figure = plot_drift_over_time(history, 0.1, 0.25)
    figure.canvas.draw()
    axes = figure.axes[0]

    ticks = [tick for tick in axes.get_xticks() if axes.get_xlim()[0] <= tick <= axes.get_xlim()[1]]
    assert ticks == [mdates.date2num(date(2026, 5, day)) for day in (1, 2, 3)]
    assert [label.get_text() for label in axes.get_xticklabels()] == [
        "2026-05-01",
        "2026-05-02",
        "2026-05-03",
    ]


def test_the_plots_fit_the_width_they_are_shown_in() -> None:
    """The MLflow UI shows the page in a frame narrower than the plots."""
    assert "img { max-width: 100%; height: auto; }" in render_html(
        "t", WINDOW, [], (), dict.fromkeys(PLOTS, b"")
    )


def test_before_any_label_the_quality_plot_says_so() -> None:
    history = pd.DataFrame([(date(2026, 5, 1), "x", "psi", 0.1)], columns=HISTORY_COLUMNS)

    figure = plot_quality_over_time(history)

    notes = [text.get_text() for axes in figure.axes for text in axes.texts]
    assert notes == ["no labeled predictions yet", "no labeled predictions yet"]


def test_the_prediction_plot_splits_the_labeled_predictions_by_label() -> None:
    counts = np.full(20, 5)
    unlabeled = plot_predictions(PredictionHistogram(counts)).axes[0]
    labeled = plot_predictions(PredictionHistogram(counts, np.full(20, 1), np.full(20, 2))).axes[0]

    assert len(unlabeled.patches) == 20 and len(labeled.patches) == 60
    assert [text.get_text() for text in labeled.get_legend().get_texts()] == [
        "all predictions (100)",
        "labeled, churned = 0",
        "labeled, churned = 1",
    ]
    assert unlabeled.get_xlim() == (0.0, 1.0)


# Loaded by a real browser, the page alone (as the MLflow UI's artifact view shows it, without the PNG
# files beside it): the probe script reports how many images the browser decoded.
BROWSER = ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000"]
IMAGE_PROBE = """<script>window.addEventListener("load", () => {
  const images = [...document.images];
  document.title = `images ${images.length} shown ${images.filter((i) => i.naturalWidth > 0).length}`;
});</script>"""


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs a headless browser (Debian: chromium)")
def test_a_browser_shows_every_plot_of_the_page_alone(tmp_path) -> None:
    columns = [BinnedColumn("x", ("a", "b"), np.array([1, 2]), np.array([2, 1]))]
    history = pd.DataFrame([(WINDOW.end, "x", "psi", 0.1)], columns=HISTORY_COLUMNS)
    page = write_report(tmp_path / "report", "t", WINDOW, [], columns, PREDICTIONS, history, (0.1, 0.25))
    alone = tmp_path / "alone" / "index.html"
    alone.parent.mkdir()
    alone.write_text(page.read_text().replace("</body>", f"{IMAGE_PROBE}</body>"))

    dom = subprocess.run(
        [*BROWSER, "--dump-dom", alone.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout

    assert "<title>images 4 shown 4</title>" in dom
