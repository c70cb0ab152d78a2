"""The model registry as the stages use it: lookups that return None when absent (the alias and tag
names are in contracts/model.py). Works the same on the local sqlite registry and on Unity Catalog
(`databricks-uc`).

Unity Catalog differs in what it returns: `search_model_versions` gives `ModelVersionSearch` objects
without tags or aliases (reading `.tags` raises), so every version whose tags matter is read with
`get_model_version`; searches are paged; versions are strings.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from ..contracts.model import JOB_RUN_ID_TAG
from ..errors import UsageError

_ABSENT = ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST", "NOT_FOUND")


def version_uri(name: str, version: str | int) -> str:
    return f"models:/{name}/{version}"


def _or_none(read, *args: str) -> ModelVersion | None:
    try:
        return read(*args)
    except MlflowException as error:
        if error.error_code in _ABSENT:
            return None
        raise


def version_by_alias(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    """The version the alias points at, or None when the alias or the model does not exist."""
    return _or_none(client.get_model_version_by_alias, name, alias)


def get_version(client: MlflowClient, name: str, version: str | int) -> ModelVersion | None:
    """One version with its tags, or None when the model or the version does not exist."""
    return _or_none(client.get_model_version, name, str(version))


def version_numbers(client: MlflowClient, name: str) -> list[int]:
    """Every version number of the model, highest first (all pages of the search)."""
    numbers: list[int] = []
    token = None
    while True:
        page = client.search_model_versions(f"name = '{name}'", page_token=token)
        numbers.extend(int(version.version) for version in page)
        token = page.token
        if not token:
            return sorted(numbers, reverse=True)


def versions(client: MlflowClient, name: str) -> Iterator[ModelVersion]:
    """The model's versions with their tags (read one by one), highest first."""
    for number in version_numbers(client, name):
        found = get_version(client, name, number)
        if found is not None:  # deleted between the search and the read
            yield found


def latest_version(client: MlflowClient, name: str) -> ModelVersion | None:
    """The highest-numbered version of the model (with its tags), or None when it has none."""
    return next(versions(client, name), None)


def version_of_job_run(client: MlflowClient, name: str, job_run_id: str) -> ModelVersion | None:
    """The version that `train` registered in the job run `job_run_id`, or None."""
    return next(
        (version for version in versions(client, name) if version.tags.get(JOB_RUN_ID_TAG) == job_run_id),
        None,
    )


def existing_version(client: MlflowClient, name: str, version: str) -> ModelVersion:
    """`--version`: the version with its tags; a usage error listing the model's versions when absent."""
    found = get_version(client, name, version)
    if found is None:
        known = ", ".join(str(number) for number in sorted(version_numbers(client, name)))
        raise UsageError(
            f"--version {version}: model {name} has no such version; "
            f"its versions: {known or 'none yet (run `train`)'}"
        )
    return found


def version_registered_by(client: MlflowClient, name: str, job_run_id: str) -> ModelVersion:
    """`--job-run-id`: the version that run registered; a usage error listing the runs that did."""
    found = version_of_job_run(client, name, job_run_id)
    if found is None:
        runs = sorted({v.tags[JOB_RUN_ID_TAG] for v in versions(client, name) if JOB_RUN_ID_TAG in v.tags})
        raise UsageError(
            f"--job-run-id {job_run_id}: no version of {name} was registered by that job run "
            f"(did its `train` task succeed?); job runs that registered one: {', '.join(runs) or 'none'}"
        )
    return found
