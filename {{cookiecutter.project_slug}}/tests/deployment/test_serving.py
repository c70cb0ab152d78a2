"""The Model Serving endpoint through the real databricks-sdk and MLflow clients against the twin, whose
endpoints serve real model versions of its Unity Catalog registry (logged as `train` logs them)."""

from __future__ import annotations

import argparse
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from databricks.sdk.errors import BadRequest, InvalidParameterValue, NotFound
from databricks.sdk.service.serving import (
    AiGatewayConfig,
    AiGatewayInferenceTableConfig,
    AiGatewayUsageTrackingConfig,
    EndpointCoreConfigInput,
)
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.linear_model import LogisticRegression

from {{ cookiecutter.package_name }}.commands import Context
from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.deployment import release
from {{ cookiecutter.package_name }}.deployment.commands import COMMANDS
from {{ cookiecutter.package_name }}.deployment.serving import (
    deploy_endpoint,
    endpoint_name,
    endpoint_spec,
    smoke_record,
)
from {{ cookiecutter.package_name }}.errors import ConfigError, LifecycleError, WorkspaceError
from {{ cookiecutter.package_name }}.features.spec import LABEL_COLUMN
from {{ cookiecutter.package_name }}.tracking import configure_mlflow
from {{ cookiecutter.package_name }}.training.model import build_pipeline, to_model_input
from {{ cookiecutter.package_name }}.training.train import _log_model

from fake_workspace import FakeWorkspace, workspace_client
from model_helpers import synthetic_training_set

SERVING_API = "/api/2.0/serving-endpoints"


@pytest.fixture
def twin(mlflow_twin: FakeWorkspace) -> FakeWorkspace:
    mlflow_twin.serving.catalog = mlflow_twin.catalog  # what FakeWorkspace passes to ServingEndpoints
    mlflow_twin.serving.rollout_polls = 0  # a rollout ends at the next read: no waiter sleeps
    return mlflow_twin


@pytest.fixture
def staging(twin: FakeWorkspace, tmp_path: Path) -> Config:
    """The staging environment on the twin: its schema exists, MLflow points at it."""
    config = load_config("staging", home=tmp_path, on_databricks=False)
    workspace_client(twin).schemas.create(config.schema, config.catalog)
    configure_mlflow(config)
    return config


def _register(config: Config, count: int) -> list[str]:
    """`count` new versions of the environment's model, logged as `train` logs them, passed by the gate."""
    training = synthetic_training_set(customers=60)
    features = to_model_input(training)
    versions = []
    for seed in range(count):
        model = build_pipeline({"max_iter": 5, "min_samples_leaf": 5 + seed}).fit(
            features, training[LABEL_COLUMN]
        )
        with mlflow.start_run():
            logged = _log_model(model, features)
        registered = mlflow.register_model(
            logged.model_uri, config.model_name, tags={"gate_status": "passed"}
        )
        versions.append(str(registered.version))
    return versions


def _register_unfit_model(config: Config) -> str:
    """A version whose signature is not the project's features (x1, x2): it loads, but rejects our rows."""
    frame = pd.DataFrame({"x1": np.arange(10.0), "x2": np.arange(10.0) % 3})
    model = LogisticRegression().fit(frame, frame["x1"] > 4)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(frame, model.predict(frame)),
            pip_requirements=["scikit-learn"],
            registered_model_name=config.model_name,
        )
    return str(info.registered_model_version)


def _serving_writes(twin: FakeWorkspace) -> list[tuple[str, str, dict | None]]:
    return [(c.method, c.path, c.json) for c in twin.writes() if c.path.startswith(SERVING_API)]


def _queries(twin: FakeWorkspace) -> list[dict | None]:
    return [call.json for call in twin.calls if call.path.endswith("/invocations")]


def _serving_calls(twin: FakeWorkspace) -> list[str]:
    return [call.path for call in twin.calls if "serving-endpoints" in call.path]


def _served_versions(twin: FakeWorkspace, name: str) -> list[str]:
    endpoint = workspace_client(twin).serving_endpoints.get(name)
    return [entity.entity_version for entity in endpoint.config.served_entities]


def _local_predictions(config: Config, version: str) -> list:
    model = mlflow.pyfunc.load_model(f"models:/{config.model_name}/{version}")
    return np.asarray(model.predict(pd.DataFrame([smoke_record()]))).tolist()


# --- deploy_endpoint ---------------------------------------------------------------------------------
def test_a_new_endpoint_serves_the_version_logs_to_the_schema_and_answers_a_smoke_request(
    twin: FakeWorkspace, staging: Config
) -> None:
    (version,) = _register(staging, 1)
    spec = endpoint_spec(staging, version)

    change = deploy_endpoint(workspace_client(twin), spec)

    table = f"{staging.catalog}.{staging.schema}.churn_classifier_serving_payload"
    assert change.as_dict() == {
        "endpoint": endpoint_name(staging),
        "action": "created",
        "served_version": version,
        "inference_table": table,
        "smoke_request": "passed",
    }
    served = {"entity_name": staging.model_name, "entity_version": version}
    assert _serving_writes(twin) == [
        (
            "POST",
            SERVING_API,
            {
                "name": spec.name,
                "config": {
                    "name": spec.name,
                    "served_entities": [{**served, "workload_size": "Small", "scale_to_zero_enabled": True}],
                },
                "ai_gateway": {
                    "inference_table_config": {
                        "catalog_name": staging.catalog,
                        "schema_name": staging.schema,
                        "table_name_prefix": "churn_classifier_serving",
                        "enabled": True,
                    }
                },
            },
        )
    ]
    assert _queries(twin) == [{"dataframe_records": [smoke_record()]}]
    (logged,) = twin.serving.payloads[table]  # the twin serves that very version
    assert logged["response"]["predictions"] == _local_predictions(staging, version)


def test_a_repeat_with_nothing_changed_makes_no_write_and_no_request(
    twin: FakeWorkspace, staging: Config
) -> None:
    (version,) = _register(staging, 1)
    client = workspace_client(twin)
    deploy_endpoint(client, endpoint_spec(staging, version))
    twin.reset_calls()

    change = deploy_endpoint(client, endpoint_spec(staging, version))

    assert change.as_dict()["action"] == "unchanged"
    assert [call.method for call in twin.calls] == ["GET"]


def test_an_update_waits_for_a_rollout_in_progress_instead_of_being_refused(
    twin: FakeWorkspace, staging: Config
) -> None:
    first, second = _register(staging, 2)
    client = workspace_client(twin)
    spec = endpoint_spec(staging, first)
    twin.serving.rollout_polls = 1  # the SDK waiter sleeps about a second per poll
    client.serving_endpoints.create(
        spec.name,
        config=EndpointCoreConfigInput(name=spec.name, served_entities=[spec.served()]),
        ai_gateway=AiGatewayConfig(inference_table_config=spec.inference_table),
    )  # an earlier promotion whose rollout is still in progress

    change = deploy_endpoint(client, endpoint_spec(staging, second))

    assert change.action == "updated"
    assert [path for _, path, _ in _serving_writes(twin)] == [
        SERVING_API,
        f"{SERVING_API}/{spec.name}/config",
    ]
    assert _served_versions(twin, spec.name) == [second]


def test_a_config_still_rolling_out_counts_as_the_served_one(twin: FakeWorkspace, staging: Config) -> None:
    (version,) = _register(staging, 1)
    client = workspace_client(twin)
    spec = endpoint_spec(staging, version)
    twin.serving.rollout_polls = 5
    client.serving_endpoints.create(
        spec.name,
        config=EndpointCoreConfigInput(name=spec.name, served_entities=[spec.served()]),
        ai_gateway=AiGatewayConfig(inference_table_config=spec.inference_table),
    )
    twin.reset_calls()

    assert deploy_endpoint(client, spec).action == "unchanged"
    assert _serving_writes(twin) == [] and _queries(twin) == []


def test_an_inference_table_elsewhere_is_disabled_then_moved_keeping_the_rest_of_the_gateway(
    twin: FakeWorkspace, staging: Config
) -> None:
    (version,) = _register(staging, 1)
    client = workspace_client(twin)
    spec = endpoint_spec(staging, version)
    old = AiGatewayInferenceTableConfig(
        catalog_name=staging.catalog, schema_name=staging.schema, table_name_prefix="old", enabled=True
    )
    usage = AiGatewayUsageTrackingConfig(enabled=True)
    client.serving_endpoints.create(
        spec.name,
        config=EndpointCoreConfigInput(name=spec.name, served_entities=[spec.served()]),
        ai_gateway=AiGatewayConfig(inference_table_config=old, usage_tracking_config=usage),
    )
    twin.reset_calls()

    change = deploy_endpoint(client, spec)

    gateway = f"{SERVING_API}/{spec.name}/ai-gateway"
    disabled = {**old.as_dict(), "enabled": False}
    assert change.action == "updated"
    assert _serving_writes(twin) == [
        ("PUT", gateway, {"inference_table_config": disabled, "usage_tracking_config": {"enabled": True}}),
        (
            "PUT",
            gateway,
            {
                "inference_table_config": spec.inference_table.as_dict(),
                "usage_tracking_config": {"enabled": True},
            },
        ),
    ]
    assert len(_queries(twin)) == 1  # the changed endpoint was smoke-tested
    assert deploy_endpoint(client, spec).action == "unchanged"


def test_a_failing_smoke_request_names_the_endpoint_and_the_version(
    twin: FakeWorkspace, staging: Config
) -> None:
    version = _register_unfit_model(staging)

    with pytest.raises(
        WorkspaceError,
        match=rf"smoke request to serving endpoint {endpoint_name(staging)} \({staging.model_name} version "
        rf"{version}\) failed .* Model is missing inputs \['x1', 'x2'\]",
    ):
        deploy_endpoint(workspace_client(twin), endpoint_spec(staging, version))


def test_a_version_that_fails_to_load_fails_its_rollout_and_does_not_block_the_next(
    twin: FakeWorkspace, staging: Config
) -> None:
    good, broken, fixed = _register(staging, 3)
    mlmodel = twin.catalog.local_path(f"/Models/{staging.model_name.replace('.', '/')}/{broken}/MLmodel")
    mlmodel.write_text("not: [a model")
    client = workspace_client(twin)
    deploy_endpoint(client, endpoint_spec(staging, good))

    with pytest.raises(WorkspaceError, match=rf"version {broken}: the update failed on Databricks"):
        deploy_endpoint(client, endpoint_spec(staging, broken))
    assert _served_versions(twin, endpoint_name(staging)) == [good]  # the old config stays served

    assert deploy_endpoint(client, endpoint_spec(staging, fixed)).action == "updated"
    assert _served_versions(twin, endpoint_name(staging)) == [fixed]


def test_an_api_error_names_the_call_and_changes_nothing(twin: FakeWorkspace, staging: Config) -> None:
    first, second = _register(staging, 2)
    client = workspace_client(twin)
    deploy_endpoint(client, endpoint_spec(staging, first))
    name = endpoint_name(staging)
    twin.fail("PUT", f"{SERVING_API}/{name}/config", 403, message=f"no CAN_MANAGE on {name}")

    with pytest.raises(WorkspaceError, match=rf"updating serving endpoint {name} failed .*no CAN_MANAGE"):
        deploy_endpoint(client, endpoint_spec(staging, second))
    assert _served_versions(twin, name) == [first]


def test_names_come_from_the_model_name() -> None:
    config = load_config("prod")
    spec = endpoint_spec(config, "7")

    assert spec.name == config.model_name.replace(".", "-")
    assert spec.payload_table == f"{config.catalog}.{config.schema}.churn_classifier_serving_payload"


# --- what the twin models --------------------------------------------------------------------------
def test_the_twin_answers_only_a_ready_endpoint_and_refuses_unknown_versions(
    twin: FakeWorkspace, staging: Config
) -> None:
    (version,) = _register(staging, 1)
    client = workspace_client(twin)
    spec = endpoint_spec(staging, version)
    config = EndpointCoreConfigInput(name=spec.name, served_entities=[spec.served()])
    twin.serving.rollout_polls = 5

    with pytest.raises(NotFound, match=r"Model version 9 .* does not exist"):
        client.serving_endpoints.create(
            "other",
            config=EndpointCoreConfigInput(
                name="other", served_entities=[endpoint_spec(staging, "9").served()]
            ),
        )
    with pytest.raises(NotFound, match="Endpoint with name 'churn' does not exist"):
        client.serving_endpoints.query("churn", dataframe_records=[smoke_record()])
    client.serving_endpoints.create(spec.name, config=config)
    with pytest.raises(BadRequest, match="is not ready"):
        client.serving_endpoints.query(spec.name, dataframe_records=[smoke_record()])


def test_the_twin_refuses_to_move_an_enabled_inference_table(twin: FakeWorkspace, staging: Config) -> None:
    (version,) = _register(staging, 1)
    client = workspace_client(twin)
    spec = endpoint_spec(staging, version)
    deploy_endpoint(client, spec)
    moved = AiGatewayInferenceTableConfig(
        catalog_name=staging.catalog, schema_name=staging.schema, table_name_prefix="elsewhere", enabled=True
    )

    with pytest.raises(InvalidParameterValue, match="disable it first"):
        client.serving_endpoints.put_ai_gateway(spec.name, inference_table_config=moved)
    answer = client.serving_endpoints.put_ai_gateway(spec.name, inference_table_config=None)
    assert answer.inference_table_config is None
    assert client.serving_endpoints.get(spec.name).ai_gateway.as_dict() == {}


# --- promote and rollback --------------------------------------------------------------------------
@pytest.fixture
def no_baseline(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The monitoring baseline needs Spark (tests/validation cover it): recorded here instead."""
    versions: list[str] = []
    monkeypatch.setattr(
        release, "_ensure_baseline", lambda context, client, name, version: versions.append(version)
    )
    return versions


def _challenger(config: Config, version: str) -> None:
    MlflowClient().set_registered_model_alias(config.model_name, "challenger", version)


def test_promotions_and_a_rollback_keep_the_endpoint_on_the_champion(
    twin: FakeWorkspace, staging: Config, no_baseline: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(release, "SERVING", "endpoint")
    first, second = _register(staging, 2)
    context = Context(staging)
    name = endpoint_name(staging)

    with pytest.raises(LifecycleError, match="nothing to promote"):
        release.promote_challenger(context)
    assert _serving_calls(twin) == []  # no champion yet: no endpoint either
    _challenger(staging, first)
    created = release.promote_challenger(context)["serving_endpoint"]
    _challenger(staging, second)
    updated = release.promote_challenger(context)["serving_endpoint"]
    rolled_back = release.roll_back(context)["serving_endpoint"]
    twin.reset_calls()
    repeated = release.roll_back(context)["serving_endpoint"]

    assert [(s["action"], s["served_version"]) for s in (created, updated, rolled_back, repeated)] == [
        ("created", first),
        ("updated", second),
        ("updated", first),
        ("unchanged", first),
    ]
    assert _served_versions(twin, name) == [first]
    assert _serving_writes(twin) == [] and _queries(twin) == []
    assert [c for c in twin.writes() if not c.path.startswith("/api/2.0/mlflow/unity-catalog")] == []


def test_a_serving_none_project_touches_serving_only_when_asked(
    twin: FakeWorkspace, staging: Config, no_baseline: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(release, "SERVING", "none")
    first, second = _register(staging, 2)
    context = Context(staging)
    _challenger(staging, first)

    summary = release.promote_challenger(context)
    _challenger(staging, second)
    asked = release.promote_challenger(context, serve=True)

    assert "serving_endpoint" not in summary
    assert asked["serving_endpoint"]["action"] == "created"
    assert _serving_calls(twin)[0] == f"{SERVING_API}/{endpoint_name(staging)}"  # only the asked one


@pytest.mark.parametrize("serving", ["endpoint", "none"])
def test_the_local_environment_never_reaches_a_workspace(
    fake_workspace: FakeWorkspace,
    tmp_path: Path,
    no_baseline: list[str],
    monkeypatch: pytest.MonkeyPatch,
    serving: str,
) -> None:
    monkeypatch.setattr(release, "SERVING", serving)
    monkeypatch.setenv("DATABRICKS_HOST", fake_workspace.url)  # reachable, yet never to be called
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-fake-token")
    config = load_config("local", home=tmp_path)
    configure_mlflow(config)
    client = MlflowClient()
    client.create_registered_model(config.model_name)
    for _ in range(2):
        client.create_model_version(config.model_name, source=str(tmp_path), tags={"gate_status": "passed"})
    _challenger(config, "1")

    promoted = release.promote_challenger(Context(config))
    with pytest.raises(
        ConfigError, match="model serving endpoints need a Databricks environment, not 'local'"
    ):
        release.roll_back(Context(config), serve=True)

    assert "serving_endpoint" not in promoted
    assert fake_workspace.calls == []
    assert client.get_registered_model(config.model_name).aliases == {"challenger": 1, "champion": 1}


def test_the_flag_defaults_to_the_template_choice_and_can_be_given_either_way() -> None:
    promote = next(command for command in COMMANDS if command.name == "promote")
    parser = argparse.ArgumentParser()
    promote.add_arguments(parser)

    assert parser.parse_args([]).serving_endpoint is None
    assert parser.parse_args(["--serving-endpoint"]).serving_endpoint is True
    assert parser.parse_args(["--no-serving-endpoint"]).serving_endpoint is False
