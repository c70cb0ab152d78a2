from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import (
    ENVIRONMENTS,
    EXPERIMENTS_FOLDER,
    LANDING_VOLUME,
    PROJECT_SLUG,
    TABLES,
    load_config,
)
from {{ cookiecutter.package_name }}.errors import ConfigError


def test_local_state_lives_under_the_lakehouse_home(tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)

    assert not config.on_databricks
    assert config.landing_path == str(tmp_path / "landing")
    assert config.tracking_uri == f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}"
    table = config.table("bronze_events")
    assert table.path == f"{tmp_path}/warehouse/{config.catalog}/{config.schema}/bronze_events"
    assert table.identifier == f"delta.`{table.path}`"


def test_lakehouse_home_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path / "elsewhere"))

    assert load_config("local").state_root == str(tmp_path / "elsewhere")


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_on_databricks_workspace_environments_use_unity_catalog_names(env: str) -> None:
    config = load_config(env, on_databricks=True)

    assert config.on_databricks and config.uses_workspace
    assert config.registry_uri == "databricks-uc"
    assert config.table("training_set").identifier == f"{config.catalog}.{config.schema}.training_set"
    assert config.table("training_set").path is None
    assert config.model_name.startswith(f"{config.catalog}.{config.schema}.")
    assert config.landing_path == f"/Volumes/{config.catalog}/{config.schema}/{LANDING_VOLUME}"
    assert config.secret_scope == f"{PROJECT_SLUG}-{env}"


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_off_databricks_a_workspace_environment_keeps_its_data_under_the_home(
    env: str, tmp_path: Path
) -> None:
    config = load_config(env, home=tmp_path, on_databricks=False)
    local = load_config("local", home=tmp_path)

    assert not config.on_databricks and config.uses_workspace
    assert (config.tracking_uri, config.registry_uri) == ("databricks", "databricks-uc")
    assert config.table("labels").path == f"{tmp_path}/warehouse/{config.catalog}/{config.schema}/labels"
    assert config.landing_path == f"{tmp_path}/Volumes/{config.catalog}/{config.schema}/{LANDING_VOLUME}"
    if config.catalog != local.catalog:
        assert config.table("labels").path != local.table("labels").path


def test_the_databricks_runtime_is_recognised_by_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "17.3")

    assert load_config("staging").on_databricks
    with pytest.raises(ConfigError, match="--env local keeps its state on this machine"):
        load_config("local")


def test_experiments_live_in_a_folder_of_their_own() -> None:
    names = {load_config(env, on_databricks=True).experiment_name for env in ENVIRONMENTS if env != "local"}

    assert all(name.startswith(EXPERIMENTS_FOLDER + "/") for name in names)
    assert len(names) == 3


def test_serverless_is_one_explicit_switch(tmp_path: Path) -> None:
    assert not load_config("local", home=tmp_path).serverless
    assert load_config("local", home=tmp_path, serverless=True).serverless
    assert load_config("prod", serverless=True, on_databricks=True).serverless


def test_every_environment_has_its_own_catalog_or_state() -> None:
    configs = [load_config(env) for env in ENVIRONMENTS if env != "local"]
    assert len({config.catalog for config in configs if config.env != "dev"}) == 2
    assert all(config.gate.min_auc > 0.5 for config in configs)


def test_unknown_environment_is_a_config_error() -> None:
    with pytest.raises(
        ConfigError, match="unknown environment 'qa'; choose one of: local, dev, staging, prod"
    ):
        load_config("qa")


def test_unknown_table_is_a_config_error(config) -> None:
    with pytest.raises(ConfigError, match="unknown table 'bronze'"):
        config.table("bronze")
    assert "bronze_events" in TABLES
