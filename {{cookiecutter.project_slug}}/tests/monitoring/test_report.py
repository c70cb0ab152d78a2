"""The HTML report: written with its plots, and it names every monitored column."""

from datetime import date

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.monitoring.assess import MetricResult
from {{ cookiecutter.package_name }}.monitoring.drift import BinnedColumn
from {{ cookiecutter.package_name }}.monitoring.report import DISTRIBUTION_PLOT, DRIFT_PLOT, write_report
from {{ cookiecutter.package_name }}.monitoring.windows import MonitoringWindow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WINDOW = MonitoringWindow(date(2026, 4, 24), date(2026, 5, 1))


def test_the_report_has_both_plots_and_names_every_column(tmp_path) -> None:
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
            (date(2026, 4, 24), "amount_30d", 0.05),
            (date(2026, 5, 1), "amount_30d", 0.41),
            (date(2026, 5, 1), "main_channel_30d", 0.12),
        ],
        columns=["window_end", "feature", "value"],
    )

    page = write_report(
        tmp_path / "report", "demo <monitoring>", WINDOW, results, columns, history, (0.1, 0.25)
    )

    html = page.read_text()
    assert page == tmp_path / "report" / "index.html"
    for feature in ("amount_30d", "main_channel_30d", "prediction"):
        assert f"<code>{feature}</code>" in html
    assert "<title>demo &lt;monitoring&gt;</title>" in html
    assert '<p class="alert">1 alert(s): amount_30d psi</p>' in html
    assert html.index("<td>amount_30d</td><td>psi</td>") < html.index("<td>main_channel_30d</td>")
    for plot in (DRIFT_PLOT, DISTRIBUTION_PLOT):
        assert f'src="{plot}"' in html
        assert (tmp_path / "report" / plot).read_bytes().startswith(PNG_SIGNATURE)


def test_a_first_window_without_history_still_reports(tmp_path) -> None:
    columns = [BinnedColumn("x", ("a",), np.array([1]), np.array([1]))]
    empty = pd.DataFrame(columns=["window_end", "feature", "value"])

    page = write_report(tmp_path, "t", WINDOW, [], columns, empty, (0.1, 0.25))

    assert '<p class="ok">No alerts.</p>' in page.read_text()
    assert (tmp_path / DRIFT_PLOT).read_bytes().startswith(PNG_SIGNATURE)
