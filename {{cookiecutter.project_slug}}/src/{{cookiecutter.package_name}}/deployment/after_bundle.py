"""`post-deploy`: after `databricks bundle deploy`, what a bundle cannot declare, done as deploy-jobs does.

- The registered model's link to the deployment job (`deployment_job_id`): a bundle's registered model
  has no such field, and without the link no new version would go through the gate.
- The data-quality monitor on `inference_log`: it needs the table, which the first batch-inference run
  creates, so it waits until then (a later `post-deploy` creates it).
Planning reads only; the plan is printed, then applied unless `dry_run`. A second run writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from databricks.sdk import WorkspaceClient

from ..config import load_config
from .jobs import DEPLOYMENT_JOB_KEY
from .model_link import apply_link, plan_link
from .quality_monitor import apply_monitor, plan_monitor
from .registry_api import get_model
from .runs import developer_of, find_job


def post_deploy(
    client: WorkspaceClient, target: str, dry_run: bool = False, echo: Callable[[str], None] = print
) -> dict:
    """Link the model to the bundle's deployment job and keep the monitor; returns the CLI summary."""
    developer = developer_of(client, target)
    job_id = find_job(client, DEPLOYMENT_JOB_KEY, target)["job_id"]
    model = load_config(target, on_databricks=True).model_name
    link = plan_link(client, target, developer, job_id, get_model(client, model) is not None)
    monitor = plan_monitor(client, target)
    echo(f"After the bundle deploy of target {target} on {client.config.host}")
    echo(link.render())
    echo(monitor.render())
    if not dry_run:
        apply_link(client, link, {})
        apply_monitor(client, monitor)
    return {
        "target": target,
        "host": client.config.host,
        "dry_run": dry_run,
        "model_link": link.action,
        "quality_monitor": monitor.action,
    }
