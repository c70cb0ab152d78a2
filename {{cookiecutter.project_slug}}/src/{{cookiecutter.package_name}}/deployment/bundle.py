"""The Databricks bundle's resources, built from jobs.py and config.py: `databricks bundle deploy` and
`deploy-jobs` deploy the same jobs, defined once.

databricks.yml's `python.resources` names `load_resources`. The Databricks CLI runs it with the
project's `.venv` Python (databricks.yml's `venv_path`; `python -m databricks.bundles.build --phase
load_resources`, from the project root), so `uv sync` (or `pip install -e ".[dev]"`) must have run
there. The jobs differ from what `deploy-jobs` sends only where the CLI takes over:
- the wheel is `dist/*.whl` (databricks.yml's `artifacts` builds it; the CLI uploads it and rewrites
  the path), not a volume path;
- dev jobs carry their base name: `mode: development` prefixes `[dev <your short name>] ` itself, and the
  `dev_user` tag refers to the same short name;
- the `managed_by` tag says `bundle`, so `deploy-jobs` never deletes or takes over a bundle's jobs.
Staging and prod also declare the schema, the volumes and the registered model, kept on `bundle
destroy`. Dev declares only the developer's jobs: dev data is shared by the developers, and a
development-mode bundle would prefix a per-developer copy of each. Why the MLflow experiment, the
serving endpoint and the data-quality monitor are not declared: docs/deployment.md.
"""

from __future__ import annotations

from databricks.bundles.core import Bundle, Resources
from databricks.bundles.jobs import Job
from databricks.bundles.registered_models import RegisteredModel
from databricks.bundles.schemas import Schema
from databricks.bundles.volumes import Volume

from ..config import MODEL_BASE_NAME, VOLUMES, load_config
from ..errors import ConfigError
from .jobs import DEPLOY_TARGETS, DEV, JOBS, MANAGED_BY_TAG, job_permissions, job_settings

WHEEL = "dist/*.whl"  # relative to the project root, where databricks.yml is
CURRENT_USER = "${workspace.current_user.short_name}"  # what development mode prefixes names with
MANAGED_BY_BUNDLE = "bundle"
SCHEMA_KEY = "schema"
KEEP = {"prevent_destroy": True}  # `bundle destroy` must never drop tables, files or model versions


def load_resources(bundle: Bundle) -> Resources:
    """Everything the bundle deploys to `bundle.target`."""
    target = bundle.target
    check_variables(target, bundle.variables)
    resources = Resources()
    for key, settings in bundle_jobs(target).items():
        resources.add_job(key, Job.from_dict(settings))
    if target != DEV:
        _add_data(resources, target)
    return resources


def bundle_jobs(target: str) -> dict[str, dict]:
    """The bundle's jobs for `target` by resource key, in the Jobs API shape (a bundle job's fields)."""
    developer = CURRENT_USER if target == DEV else None
    prefix = f"[dev {developer}] " if developer else ""
    permissions = [
        {"group_name": entry["group_name"], "level": entry["permission_level"]}
        for entry in job_permissions(target)
    ]
    jobs = {}
    for spec in JOBS:
        settings = job_settings(spec, _known(target), WHEEL, developer=developer)
        settings["name"] = settings["name"].removeprefix(prefix)
        settings["tags"][MANAGED_BY_TAG] = MANAGED_BY_BUNDLE
        jobs[spec.key.replace("-", "_")] = {**settings, "permissions": permissions}
    return jobs


def check_variables(target: str, variables: dict) -> None:
    """databricks.yml's `catalog` and `schema` must be config.py's: the jobs read config.py (`--env`)."""
    config = load_config(_known(target), on_databricks=True)
    expected = {"catalog": config.catalog, "schema": config.schema}
    wrong = [
        f"{name}={variables.get(name)!r}" for name, value in expected.items() if variables.get(name) != value
    ]
    if wrong:
        raise ConfigError(
            f"databricks.yml target {target}: {', '.join(wrong)}, but config.py says "
            f"catalog={config.catalog!r}, schema={config.schema!r}; "
            "the jobs use config.py: change one of them"
        )


def _add_data(resources: Resources, target: str) -> None:
    config = load_config(target, on_databricks=True)
    resources.add_schema(SCHEMA_KEY, Schema(catalog_name=config.catalog, name=config.schema, lifecycle=KEEP))
    schema = "${resources.schemas." + SCHEMA_KEY + ".name}"  # a reference: the CLI creates the schema first
    for volume in VOLUMES:
        resources.add_volume(
            volume,
            Volume(
                catalog_name=config.catalog,
                schema_name=schema,
                name=volume,
                volume_type="MANAGED",
                lifecycle=KEEP,
            ),
        )
    resources.add_registered_model(
        "model",
        RegisteredModel(
            catalog_name=config.catalog, schema_name=schema, name=MODEL_BASE_NAME, lifecycle=KEEP
        ),
    )


def _known(target: str) -> str:
    if target not in DEPLOY_TARGETS:
        known = ", ".join(DEPLOY_TARGETS)
        raise ConfigError(f"databricks.yml target {target!r} is not a target of jobs.py; use one of: {known}")
    return target
