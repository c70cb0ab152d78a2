"""Alerts: the structured log line, and the Slack-compatible webhook against a local HTTP server."""

import json
from datetime import date

from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.monitoring.alerts import (
    alert_log_line,
    alert_record,
    notify,
    slack_payload,
    webhook_url,
)
from {{ cookiecutter.package_name }}.monitoring.assess import MetricResult
from {{ cookiecutter.package_name }}.monitoring.windows import MonitoringWindow

WINDOW = MonitoringWindow(date(2026, 4, 24), date(2026, 5, 1))
ALERTS = [
    MetricResult("amount_30d", "psi", 0.4123456789, 0.25, "alert"),
    MetricResult("model", "auc", 0.61, 0.65, "alert"),
]
VARIABLE = "MONITORING_WEBHOOK_URL"


def test_the_alert_line_is_one_json_record() -> None:
    record = alert_record(WINDOW, ALERTS, "staging")

    assert alert_log_line(record) == (
        'MONITORING_ALERT {"alerts":['
        '{"feature":"amount_30d","metric":"psi","threshold":0.25,"value":0.412346},'
        '{"feature":"model","metric":"auc","threshold":0.65,"value":0.61}],'
        '"env":"staging","window_end":"2026-05-01","window_start":"2026-04-24"}'
    )


def test_the_webhook_gets_a_slack_message(webhook, webhook_address, log_lines) -> None:
    links = {
        "mlflow_run": "https://adb-1.azuredatabricks.net/ml/experiments/7/runs/abc",
        "report": "/r/index.html",
    }
    record = alert_record(WINDOW, ALERTS, "prod", links)

    outcome = notify(record, "my-project", webhook_address)

    assert outcome == "sent (HTTP 200)"
    path, content_type, payload = webhook.received[0]
    assert (path, content_type) == ("/services/T000/B000/XXXX", "application/json")
    assert payload == slack_payload(record, "my-project")
    assert (
        payload["text"]
        == "my-project [prod]: 2 monitoring alerts for 2026-04-24 to 2026-05-01 (end exclusive)"
    )
    assert payload["blocks"][1]["text"]["text"] == (
        "• `amount_30d` psi = 0.4123 (threshold 0.25)\n"
        "• `model` auc = 0.61 (threshold 0.65)\n"
        "MLflow run (metrics, the report under its artifacts): "
        "https://adb-1.azuredatabricks.net/ml/experiments/7/runs/abc\n"
        "Report: /r/index.html"
    )
    assert json.loads(log_lines[0].split(" ", 1)[1])["links"] == links
    assert log_lines == [alert_log_line(record)]


def test_without_a_url_nothing_is_posted(webhook) -> None:
    record = alert_record(WINDOW, ALERTS, "dev")

    assert notify(record, "p", None) == "not configured"
    assert notify(record, "p", "") == "not configured"
    assert webhook.received == []


def test_a_failing_webhook_is_reported_not_raised(webhook, webhook_address) -> None:
    webhook.status = 500
    record = alert_record(WINDOW, ALERTS, "dev")

    outcome = notify(record, "p", webhook_address)

    assert outcome == "failed: HTTP Error 500: Internal Server Error"
    assert len(webhook.received) == 1


def test_an_unreachable_webhook_is_reported(webhook, webhook_address) -> None:
    url = webhook_address
    webhook.shutdown()
    webhook.server_close()

    outcome = notify(alert_record(WINDOW, ALERTS, "dev"), "p", url)

    assert outcome.startswith("failed: <urlopen error [Errno 111]")


def test_locally_the_webhook_url_comes_from_the_environment_variable(tmp_path) -> None:
    config = load_config("local", home=tmp_path)

    assert webhook_url(config, {VARIABLE: " https://hooks.example.com/x "}) == "https://hooks.example.com/x"
    assert webhook_url(config, {}) is None


def test_in_a_workspace_environment_it_comes_from_the_secret_scope(
    fake_workspace, monkeypatch, tmp_path
) -> None:
    from fake_workspace import FAKE_TOKEN, workspace_client

    monkeypatch.setenv("DATABRICKS_HOST", fake_workspace.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", FAKE_TOKEN)
    config = load_config("staging", home=tmp_path, on_databricks=False)
    environment_only = {VARIABLE: "https://hooks.example.com/from-the-environment"}

    assert webhook_url(config, environment_only) is None  # no scope yet: not configured
    client = workspace_client(fake_workspace)
    client.secrets.create_scope(config.secret_scope)
    assert webhook_url(config, environment_only) is None  # a scope without the key
    client.secrets.put_secret(
        config.secret_scope, config.monitoring.webhook_secret_key, string_value="https://hooks.example.com/s"
    )

    assert webhook_url(config, environment_only) == "https://hooks.example.com/s"
