"""Alerts: a structured log line, and an optional Slack-compatible webhook POST.

The webhook URL is a secret and never lives in a file: locally it comes from the environment variable
named by MonitoringThresholds.webhook_url_variable; in workspace environments from the key
MonitoringThresholds.webhook_secret_key of the environment's secret scope (`webhook_url`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping

from ..config import Config
from ..progress import logger
from ..workspace import read_secret, workspace_client
from .assess import MetricResult
from .windows import MonitoringWindow

ALERT_LOG_PREFIX = "MONITORING_ALERT"
WEBHOOK_TIMEOUT_SECONDS = 10.0


def alert_record(
    window: MonitoringWindow,
    alerting: list[MetricResult],
    environment: str,
    links: dict[str, str] | None = None,
) -> dict:
    """The alert as data; `links`: where to look (`mlflow_run`: the monitor run's page, `report`)."""
    return {
        **({"links": links} if links else {}),
        "env": environment,
        "window_start": window.start.isoformat(),
        "window_end": window.end.isoformat(),
        "alerts": [
            {"feature": a.feature, "metric": a.metric, "value": round(a.value, 6), "threshold": a.threshold}
            for a in alerting
        ],
    }


def alert_log_line(record: dict) -> str:
    """One greppable line: the prefix, then the record as compact JSON."""
    return f"{ALERT_LOG_PREFIX} {json.dumps(record, sort_keys=True, separators=(',', ':'))}"


def slack_payload(record: dict, project: str) -> dict:
    """A Slack incoming-webhook message: `text` for notifications, `blocks` for the body."""
    count = len(record["alerts"])
    headline = (
        f"{project} [{record['env']}]: {count} monitoring alert{'s' if count != 1 else ''} "
        f"for {record['window_start']} to {record['window_end']} (end exclusive)"
    )
    lines = [
        f"• `{a['feature']}` {a['metric']} = {a['value']:.4g} (threshold {a['threshold']})"
        for a in record["alerts"]
    ]
    links = record.get("links", {})
    if "mlflow_run" in links:
        lines.append(f"MLflow run (metrics, the report under its artifacts): {links['mlflow_run']}")
    if "report" in links:
        lines.append(f"Report: {links['report']}")
    return {
        "text": headline,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
        ],
    }


def post_webhook(url: str, payload: dict, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> int:
    """POST the payload as JSON; returns the HTTP status, raises URLError/HTTPError on failure."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


def webhook_url(config: Config, environ: Mapping[str, str]) -> str | None:
    """The alert webhook URL of this environment, or None when none is configured."""
    if not config.uses_workspace:
        return environ.get(config.monitoring.webhook_url_variable, "").strip() or None
    secret = read_secret(workspace_client(), config.secret_scope or "", config.monitoring.webhook_secret_key)
    return (secret or "").strip() or None


def notify(record: dict, project: str, url: str | None) -> str:
    """Log the alert line and, when a webhook URL is configured, POST it. Returns what happened.

    A failing webhook is logged, not raised: the metrics are already stored and the log line is out.
    """
    logger.warning("%s", alert_log_line(record))
    if not url:
        return "not configured"
    try:
        status = post_webhook(url, slack_payload(record, project))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        logger.error("monitor: the alert webhook failed: %s", error)
        return f"failed: {error}"
    return f"sent (HTTP {status})"
