"""Alerts: the structured log line, and the Slack-compatible webhook against a local HTTP server."""

import logging
from collections.abc import Iterator
from datetime import date

import pytest

from {{ cookiecutter.package_name }}.monitoring.alerts import (
    alert_log_line,
    alert_record,
    notify,
    slack_payload,
)
from {{ cookiecutter.package_name }}.monitoring.assess import MetricResult
from {{ cookiecutter.package_name }}.monitoring.windows import MonitoringWindow
from {{ cookiecutter.package_name }}.progress import logger

WINDOW = MonitoringWindow(date(2026, 4, 24), date(2026, 5, 1))
ALERTS = [
    MetricResult("amount_30d", "psi", 0.4123456789, 0.25, "alert"),
    MetricResult("model", "auc", 0.61, 0.65, "alert"),
]
VARIABLE = "MONITORING_WEBHOOK_URL"


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Messages of the package logger (which may not propagate to pytest's handler)."""
    lines: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: lines.append(record.getMessage())
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    yield lines
    logger.setLevel(previous)
    logger.removeHandler(handler)


def test_the_alert_line_is_one_json_record() -> None:
    record = alert_record(WINDOW, ALERTS, "staging")

    assert alert_log_line(record) == (
        'MONITORING_ALERT {"alerts":['
        '{"feature":"amount_30d","metric":"psi","threshold":0.25,"value":0.412346},'
        '{"feature":"model","metric":"auc","threshold":0.65,"value":0.61}],'
        '"env":"staging","window_end":"2026-05-01","window_start":"2026-04-24"}'
    )


def test_the_webhook_gets_a_slack_message(webhook, webhook_address, log_lines) -> None:
    record = alert_record(WINDOW, ALERTS, "prod")

    outcome = notify(record, "my-project", "/reports/index.html", VARIABLE, {VARIABLE: webhook_address})

    assert outcome == "sent (HTTP 200)"
    path, content_type, payload = webhook.received[0]
    assert (path, content_type) == ("/services/T000/B000/XXXX", "application/json")
    assert payload == slack_payload(record, "my-project", "/reports/index.html")
    assert (
        payload["text"]
        == "my-project [prod]: 2 monitoring alerts for 2026-04-24 to 2026-05-01 (end exclusive)"
    )
    assert payload["blocks"][1]["text"]["text"] == (
        "• `amount_30d` psi = 0.4123 (threshold 0.25)\n"
        "• `model` auc = 0.61 (threshold 0.65)\n"
        "Report: /reports/index.html"
    )
    assert log_lines == [alert_log_line(record)]


def test_without_the_variable_nothing_is_posted(webhook) -> None:
    record = alert_record(WINDOW, ALERTS, "dev")

    assert notify(record, "p", None, VARIABLE, {}) == "not configured"
    assert notify(record, "p", None, VARIABLE, {VARIABLE: "  "}) == "not configured"
    assert webhook.received == []


def test_a_failing_webhook_is_reported_not_raised(webhook, webhook_address) -> None:
    webhook.status = 500
    record = alert_record(WINDOW, ALERTS, "dev")

    outcome = notify(record, "p", None, VARIABLE, {VARIABLE: webhook_address})

    assert outcome == "failed: HTTP Error 500: Internal Server Error"
    assert len(webhook.received) == 1


def test_an_unreachable_webhook_is_reported(webhook, webhook_address) -> None:
    url = webhook_address
    webhook.shutdown()
    webhook.server_close()

    outcome = notify(alert_record(WINDOW, ALERTS, "dev"), "p", None, VARIABLE, {VARIABLE: url})

    assert outcome.startswith("failed: <urlopen error [Errno 111]")
