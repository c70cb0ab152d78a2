"""The registered model's link to its deployment job (`deployment_job_id`), kept by deploy-jobs.

Linked, the Unity Catalog registry runs the deployment job for every new version of the model, with the
job parameters `model_name` and `model_version` (Databricks' MLflow 3 deployment jobs). Planning reads
the model and makes no write; applying writes only when the model points at another job or at none,
so a second deploy makes no call here. The link is made after the jobs: a new deployment job's id is
known only once it is created. Where the target does not link (dev) the plan says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from databricks.sdk import WorkspaceClient

from ..config import load_config
from .jobs import DEPLOYMENT_JOB_KEY, TARGET_SETTINGS, job_name
from .registry_api import get_model, link_deployment_job

LINK, UNCHANGED, SKIPPED = "link", "unchanged", "skipped"


@dataclass(frozen=True)
class LinkChange:
    action: str  # LINK | UNCHANGED | SKIPPED
    model: str
    job_name: str
    job_id: int | None  # the deployment job's id; None while it is still to be created
    linked_to: str | None = None  # the job id the model names now, if any

    @property
    def writes(self) -> bool:
        return self.action == LINK

    def render(self) -> str:
        job = f"{self.job_name} [job {self.job_id}]" if self.job_id is not None else f"{self.job_name} (new)"
        detail = {
            LINK: f" (now: {f'job {self.linked_to}' if self.linked_to else 'no deployment job'})",
            UNCHANGED: "",
            SKIPPED: " (dev: the model is shared by every developer; use run-job --job deployment)",
        }[self.action]
        return f"  {self.action:<10} registered model {self.model} -> deployment job {job}{detail}"


def plan_link(
    client: WorkspaceClient,
    target: str,
    developer: str | None,
    job_id: int | None,
    model_exists: bool,
) -> LinkChange:
    """What the link needs: `job_id` is the deployment job's (None: created by this deploy)."""
    model = load_config(target, on_databricks=True).model_name
    name = job_name(DEPLOYMENT_JOB_KEY, target, developer)
    if not TARGET_SETTINGS[target].link_model:
        return LinkChange(SKIPPED, model, name, job_id)
    current = (get_model(client, model) or {}).get("deployment_job_id") if model_exists else None
    action = UNCHANGED if job_id is not None and current == str(job_id) else LINK
    return LinkChange(action, model, name, job_id, current or None)


def apply_link(client: WorkspaceClient, link: LinkChange, created: Mapping[str, int]) -> None:
    """Link the model to the deployment job (`created`: ids of the jobs this deploy created, by name)."""
    if link.writes:
        link_deployment_job(
            client, link.model, link.job_id if link.job_id is not None else created[link.job_name]
        )
