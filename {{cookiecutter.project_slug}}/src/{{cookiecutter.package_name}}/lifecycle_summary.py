"""`run-all`'s readable summary: what each step did, the tables, the model, the gate, drift, and where to
look next (the report, the MLflow UI). Plain text from the run's summary dict: no Spark, no MLflow."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from .config import LOCAL_MLFLOW_UI, Config


def describe_step(name: str, facts: dict) -> str:
    """One line on what a lifecycle step did, from its summary."""
    if facts.get("skipped"):
        return "skipped (nothing to do)"
    counts = {
        "generate-data": lambda: f"{facts['events']} events, {facts['labels']} labels from {facts['start']}",
        "ingest": lambda: (
            f"{facts['events_rows_in']} rows in = {facts['events_accepted']} accepted"
            f" + {facts['events_quarantined']} quarantined + {facts['events_duplicates']} duplicates"
        ),
        "features": lambda: f"{facts['feature_rows']} feature rows, {facts['training_rows']} training rows",
        "train": lambda: f"version {facts['model_version']}, test AUC {facts['test_auc']}",
        "validate": lambda: (
            f"{'passed' if facts['passed'] else 'rejected'}, holdout AUC {facts['holdout_auc']}"
        ),
        "promote": lambda: facts["message"],
        "score": lambda: f"{facts['scored_rows']} customers scored for {facts['scoring_date']}",
        "monitor": lambda: f"{facts['metrics']} metrics, {facts['alerts']} alerts",
    }
    return counts[name]() if name in counts else ""


def render(summary: dict, config: Config) -> str:
    """The whole summary of a `run-all` (its `steps`, `seconds` and `tables`)."""
    steps = summary["steps"]
    lines = ["Lifecycle"]
    lines += [
        f"  {name:<14} {facts.get('seconds', 0.0):>6.1f} s  {describe_step(name, facts)}"
        for name, facts in steps.items()
    ]
    lines += ["", "Tables (rows, Delta version)"]
    lines += [
        f"  {name:<20} {table['rows']:>9}  v{table['version']}" for name, table in summary["tables"].items()
    ]
    lines += ["", *_outcome(steps), "", *_where_to_look(config), "", f"Total: {summary['seconds']:.1f} s"]
    return "\n".join(lines)


def _outcome(steps: dict) -> list[str]:
    """The model, the gate's verdict and the champion, drift: the steps that ran, not the skipped."""
    lines = []
    train, validate, monitor = (steps.get(name, {}) for name in ("train", "validate", "monitor"))
    if train and not train.get("skipped"):
        lines.append(f"Model: {train['model_name']} version {train['model_version']}")
        lines.append(
            f"  validation AUC {train['validation_auc']}, test AUC {train['test_auc']}, "
            f"test log loss {train['test_log_loss']}"
        )
    if validate and not validate.get("skipped"):
        checks = ", ".join(f"{check} {'ok' if ok else 'FAILED'}" for check, ok in validate["checks"].items())
        verdict = "passed" if validate["passed"] else "rejected"
        champion = steps.get("promote", {}).get("champion_version")
        lines.append(f"Gate: {verdict} ({checks}); champion is now version {champion}")
    if monitor and not monitor.get("skipped"):
        alerting = ", ".join(monitor["alerting"]) or "none"
        lines.append(
            f"Drift: {monitor['alerts']} alerts (alerting: {alerting}); quality {monitor.get('quality')}"
        )
        lines.append(f"Report: {monitor['report']}")
        lines.append(f"MLflow run of the monitor (metrics, the report): {monitor['mlflow_run']}")
    return lines


def _where_to_look(config: Config) -> list[str]:
    lines = [f"Local state: {config.state_root}"]
    if config.tracking_uri.startswith("sqlite:"):
        address = urlsplit(LOCAL_MLFLOW_UI)
        ui = (
            f"{sys.executable} -m mlflow ui --host {address.hostname} --port {address.port} "
            f"--backend-store-uri {config.tracking_uri}"
        )
        lines += [
            "Open the MLflow UI (runs, models, the monitoring report under each monitor run):",
            f"  {ui}",
        ]
    else:
        lines.append(f"MLflow: experiment {config.experiment_name} in the workspace")
    return lines
