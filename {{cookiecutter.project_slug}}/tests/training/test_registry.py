"""Registry lookups on Unity Catalog (the twin's UC registry, through the real MLflow client): versions
found by search carry no tags there, so every lookup that needs tags must read the version itself."""

from pathlib import Path

import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.contracts.model import JOB_RUN_ID_TAG
from {{ cookiecutter.package_name }}.tracking import configure_mlflow
from {{ cookiecutter.package_name }}.training.registry import (
    latest_version,
    version_numbers,
    version_of_job_run,
)

from fake_workspace import FakeWorkspace, workspace_client
from model_helpers import register_tiny_version


@pytest.fixture
def registered(mlflow_twin: FakeWorkspace, tmp_path: Path):
    """Three versions of the staging model in the twin's Unity Catalog, tagged with their job runs."""
    config = load_config("staging", home=tmp_path, on_databricks=False)
    workspace_client(mlflow_twin).schemas.create(config.schema, config.catalog)
    experiment_id = configure_mlflow(config)
    for run_id in ("101", "102", "103"):
        register_tiny_version(config.model_name, experiment_id, {JOB_RUN_ID_TAG: run_id})
    client = MlflowClient()
    return client, config.model_name


def test_search_results_on_unity_catalog_have_no_readable_tags(registered) -> None:
    client, name = registered
    (first, *_) = client.search_model_versions(f"name = '{name}'")

    with pytest.raises(TypeError):
        assert JOB_RUN_ID_TAG in first.tags  # what the code must never rely on


def test_lookups_read_every_page_and_return_versions_with_their_tags(registered) -> None:
    client, name = registered

    assert version_numbers(client, name) == [3, 2, 1]  # the twin pages two at a time
    newest = latest_version(client, name)
    assert (str(newest.version), newest.tags[JOB_RUN_ID_TAG]) == ("3", "103")
    assert str(version_of_job_run(client, name, "102").version) == "2"
    assert version_of_job_run(client, name, "999") is None
