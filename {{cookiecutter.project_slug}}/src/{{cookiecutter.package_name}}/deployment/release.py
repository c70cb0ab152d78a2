"""`promote` and `rollback` as the commands run them: baseline, aliases, then the serving endpoint.

`promote` first snapshots the new champion's training rows for monitoring (training/baseline.py), then
moves the alias: a champion never lacks its baseline. `rollback` moves the alias first (it is the
emergency exit and must not wait for anything), then makes sure the restored champion has a baseline.

A snapshot is recorded on its model version (`BASELINE_TABLE_TAG`, the baseline table's name), so a
version that has one needs no Spark: rolling back, or promoting a version that was champion before,
only moves aliases. Spark starts only to snapshot (or to look for the snapshot of a version promoted
before the tag existed, which then gets it). A baseline gone although tagged (the table dropped by
hand) is found by `monitor`, which removes the champion's tag (monitoring/monitor.py).

Serving (serving.py): a project generated with serving=endpoint keeps its Model Serving endpoint on the
@champion after every promote and rollback in a workspace environment (so the Databricks job's `promote`
task keeps it current); one generated with serving=none only when asked (`--serving-endpoint`). The
local environment has no workspace: it never reaches one, and refuses an explicit request.
"""

from __future__ import annotations

from mlflow import MlflowClient

from ..commands import Context
from ..config import Config
from ..contracts.model import BASELINE_TABLE_TAG, CHALLENGER
from ..contracts.tables import Table
from ..errors import ConfigError, LifecycleError
from ..progress import logger
from ..runtime import SERVING
from ..tracking import configure_mlflow
from ..training.registry import existing_version, get_version, version_by_alias, version_registered_by
from .promotion import Transition, promote, rollback


def promote_challenger(
    context: Context, version: str | None = None, job_run_id: str | None = None, serve: bool | None = None
) -> dict:
    """@challenger -> @champion; with `version` or `job_run_id`, only if @challenger is that version."""
    serving = serves_endpoint(context.config, serve)
    configure_mlflow(context.config)
    client = MlflowClient()
    name = context.config.model_name
    expected = _expected_version(client, name, version, job_run_id)
    challenger = version_by_alias(client, name, CHALLENGER)
    snapshot = False
    if challenger is not None and expected in (None, str(challenger.version)):
        snapshot = _ensure_baseline(context, client, name, str(challenger.version))
    transition = promote(client, name, expected)
    return _summary(context, transition, snapshot, serving)


def roll_back(context: Context, serve: bool | None = None) -> dict:
    """@champion -> @previous_champion, then the restored champion's baseline when it lacks one."""
    serving = serves_endpoint(context.config, serve)
    configure_mlflow(context.config)
    client = MlflowClient()
    transition = rollback(client, context.config.model_name)
    snapshot = False
    try:
        snapshot = _ensure_baseline(context, client, context.config.model_name, transition.champion)
    except LifecycleError as error:
        logger.warning(
            "rolled back, but monitoring has no baseline for version %s: %s", transition.champion, error
        )
    return _summary(context, transition, snapshot, serving)


def _expected_version(
    client: MlflowClient, name: str, version: str | None, job_run_id: str | None
) -> str | None:
    if version is not None:
        return str(existing_version(client, name, version).version)
    if job_run_id is not None:
        return str(version_registered_by(client, name, job_run_id).version)
    return None


def _ensure_baseline(context: Context, client: MlflowClient, name: str, version: str) -> bool:
    """Snapshot the version's baseline unless it has one; True when a snapshot was taken."""
    model_version = get_version(client, name, version)
    if model_version is None:
        raise ConfigError(f"model {name} has no version {version}")
    table = context.config.table(Table.CHAMPION_BASELINES).identifier
    if model_version.tags.get(BASELINE_TABLE_TAG) == table:
        return False
    # Only here: Spark (its import and a JVM) is needed only when the registry does not know the baseline.
    from ..training.baseline import has_baseline, snapshot_baseline

    snapshot = not has_baseline(context.spark, context.config, version)
    if snapshot:
        rows = snapshot_baseline(context.spark, context.config, model_version)
        logger.info("baseline of version %s: %d training rows kept for monitoring", version, rows)
    client.set_model_version_tag(name, version, BASELINE_TABLE_TAG, table)
    return snapshot


def _summary(context: Context, transition: Transition, baseline_snapshot: bool, serve: bool) -> dict:
    logger.info("%s", transition.message)
    summary = {
        "model_name": context.config.model_name,
        **transition.as_dict(),
        "baseline_snapshot": baseline_snapshot,
    }
    if serve:
        summary["serving_endpoint"] = _serve(context, transition)
    return summary


def serves_endpoint(config: Config, serve: bool | None) -> bool:
    """Whether promote/rollback keep the serving endpoint current; `serve` None: what the template input
    `serving` chose, in workspace environments only. Asked for in the local environment: a ConfigError."""
    if serve and not config.uses_workspace:
        raise ConfigError(f"model serving endpoints need a Databricks environment, not {config.env!r}")
    if serve is None:
        return SERVING == "endpoint" and config.uses_workspace
    return serve


def _serve(context: Context, transition: Transition) -> dict:
    # Only here: the Databricks SDK (about a second to import) is needed only where an endpoint is served.
    from ..workspace import workspace_client
    from .serving import deploy_endpoint, endpoint_spec

    spec = endpoint_spec(context.config, transition.champion)
    change = deploy_endpoint(workspace_client(), spec)
    logger.info("serving endpoint %s: %s, serving version %s", spec.name, change.action, spec.model_version)
    return change.as_dict()
