"""The generated GitHub workflows: valid (actionlint, the workflow schema), triggered on the right refs,
least-privileged, and their `run:` steps pass when run in order in a fresh environment."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from baking import DEFAULTS, NON_DEFAULT, TEMPLATE_ROOT, bake, pairwise_combinations
from workflow_runner import (
    actionlint_version,
    ensure_actionlint,
    fresh_env,
    run_steps,
    runner_environment,
    workflows,
)

CI_AUTH = DEFAULTS["ci_auth"]
DEPLOY_TOOLS = DEFAULTS["deploy_tool"]
# The workflows render differently by ci_auth and deploy_tool; the covering set holds each pair of their
# values (and of every other option's, should one reach the workflows later).
MATRIX = pairwise_combinations()
SETUP_CLI = "databricks/setup-cli@6bb7075f85b326f8b9ce160933dfe9bcd63c8121"  # v1.13.0, pinned by commit
BUNDLE_CLI_VERSION = "1.22.1"
WORKFLOW_FILES = ["main.yml", "pull-request.yml", "release.yml"]
# Distinct values, so that a filter taken from the defaults would fail the assertions.
BRANCHES = {"default_branch": "trunk", "release_branch_prefix": "ship/"}
IF_CONFIGURED = "steps.credentials.outputs.configured == 'true'"
# The staging sequence after deploying and seeding: every job, in lifecycle order, waited for.
STAGING_JOBS = [("feature-refresh", 60), ("training", 100), ("batch-inference", 60), ("monitoring", 60)]
# What each deploy tool runs to deploy a target (the bundle builds the wheel as its artifact).
DEPLOY_STEPS = {
    "sdk": lambda target: [
        "uv build --wheel",
        f"uv run python -m my_ml_project deploy-jobs --target {target} --wheel dist/*.whl",
    ],
    "bundle": lambda target: [
        f"databricks bundle validate --target {target}",
        f"databricks bundle deploy --target {target}",
        f"uv run python -m my_ml_project post-deploy --target {target}",
    ],
}
POST_DEPLOY = "Link the model to the deployment job, keep the data-quality monitor"
# The steps that get the token to deploy staging and prod, per deploy tool.
DEPLOY_STEP_NAMES = {
    "sdk": (["Deploy the jobs, schema, volumes and wheel to staging"], ["Deploy the jobs to prod"]),
    "bundle": (
        [
            "Validate the bundle for staging",
            "Deploy the bundle to staging (wheel with GITHUB_SHA, jobs, schema, volumes, model)",
            POST_DEPLOY,
        ],
        ["Validate the bundle for prod", "Deploy the bundle to prod", POST_DEPLOY],
    ),
}
PR_STEPS = [
    "uv sync --locked",
    "uv run ruff check .",
    "uv run ruff format --check .",
    'uv run pytest -m "not integration"',
]
# setup-uv in every job that installs: the uv release uv.lock pins, the runtime's Python; uv's cache in
# the test jobs only (a deployment installs from the index, against the lock's hashes).
SETUP_UV = "astral-sh/setup-uv"
TEST_JOB_UV = {"version-file": "uv.lock", "python-version": "3.12", "enable-cache": True}
DEPLOY_JOB_UV = {**TEST_JOB_UV, "enable-cache": False}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], Path]:
    """One project per combination of the covering set."""
    return {
        tuple(combo.values()): bake(tmp_path_factory.mktemp("-".join(combo.values())), **combo)
        for combo in MATRIX
    }


@pytest.fixture(scope="module", params=list(itertools.product(CI_AUTH, DEPLOY_TOOLS)), ids="-".join)
def branch_project(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str, dict]:
    """(ci_auth, deploy_tool, parsed workflows) of a project with non-default branch names."""
    auth, tool = request.param
    project = bake(
        tmp_path_factory.mktemp(f"branches-{auth}-{tool}"), ci_auth=auth, deploy_tool=tool, **BRANCHES
    )
    return auth, tool, workflows(project)


def _workflow_paths(matrix: dict[tuple[str, str, str], Path]) -> list[str]:
    return [
        str(path)
        for project in matrix.values()
        for path in sorted((project / ".github/workflows").glob("*.yml"))
    ]


def _run_steps(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def _uses(job: dict) -> dict[str, dict]:
    return {step["uses"].split("@")[0]: step.get("with", {}) for step in job["steps"] if "uses" in step}


# --- validity --------------------------------------------------------------------------------------
def test_every_combination_generates_exactly_the_three_workflows(matrix: dict) -> None:
    rendered_by = {(combo["ci_auth"], combo["deploy_tool"]) for combo in MATRIX}
    assert rendered_by == set(itertools.product(CI_AUTH, DEPLOY_TOOLS))
    for project in matrix.values():
        assert sorted(path.name for path in (project / ".github/workflows").iterdir()) == WORKFLOW_FILES


def test_every_generated_workflow_passes_actionlint(matrix: dict) -> None:
    result = subprocess.run(
        [str(ensure_actionlint()), "-no-color", *_workflow_paths(matrix)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    print(f"actionlint {actionlint_version()}: {len(_workflow_paths(matrix))} workflow files clean")


def test_every_generated_workflow_passes_the_github_workflow_schema(matrix: dict) -> None:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    result = subprocess.run([*command, *_workflow_paths(matrix)], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


# `uses: owner/action@<40 hex> # vX.Y.Z`: a tag can be moved, a commit cannot (GitHub's hardening guide);
# the comment is the version Dependabot reads and updates with the SHA.
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+(;.*)?$")


def test_every_action_is_pinned_by_commit_with_its_version(matrix: dict) -> None:
    paths = [*_workflow_paths(matrix), *map(str, (TEMPLATE_ROOT / ".github/workflows").glob("*.yml"))]
    uses = [
        (path, line.split("uses:", 1)[1].strip())
        for path in paths
        for line in Path(path).read_text().splitlines()
        if line.strip().removeprefix("- ").startswith("uses:")
    ]

    assert len({path for path, _ in uses}) == len(paths)
    assert [(path, use) for path, use in uses if not PINNED.match(use)] == []


@pytest.mark.parametrize("folder", ["", "{{cookiecutter.project_slug}}"])
def test_dependabot_updates_the_python_dependencies_and_the_actions(folder: str) -> None:
    path = TEMPLATE_ROOT / folder / ".github" / "dependabot.yml"
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.dependabot", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    updates = yaml.safe_load(path.read_text())["updates"]

    assert result.returncode == 0, result.stdout + result.stderr
    # The generated project's pyproject.toml and uv.lock move together (Dependabot's uv ecosystem).
    python = "uv" if folder else "pip"
    assert {update["package-ecosystem"] for update in updates} == {python, "github-actions"}
    if folder:  # Spark and Delta follow the Databricks Runtime, not the newest release
        [rules] = [update["ignore"] for update in updates if update["package-ecosystem"] == python]
        assert {rule["dependency-name"] for rule in rules} == {"pyspark", "delta-spark"}


def test_github_expressions_survive_jinja(default_project: Path) -> None:
    text = (default_project / ".github/workflows/pull-request.yml").read_text()
    main = (default_project / ".github/workflows/main.yml").read_text()

    assert "group: pull-request-${{ github.event.pull_request.number }}" in text
    assert "DATABRICKS_HOST: ${{ vars.DATABRICKS_HOST }}" in main
    assert "{% raw %}" not in text + main


# --- triggers and branch filters -------------------------------------------------------------------
def test_pull_requests_to_the_default_branch_run_lint_and_unit_tests(
    branch_project: tuple[str, str, dict],
) -> None:
    _, _, flows = branch_project
    pull_request = flows["pull-request.yml"]
    (job,) = pull_request["jobs"].values()

    assert pull_request["on"] == {"pull_request": {"branches": ["trunk"]}}
    assert _run_steps(job) == PR_STEPS
    assert _uses(job)["actions/setup-java"] == {"distribution": "temurin", "java-version": "17"}
    assert _uses(job)[SETUP_UV] == TEST_JOB_UV
    assert "actions/setup-python" not in _uses(job)
    assert "environment" not in job


def test_pushes_to_the_default_branch_run_integration_then_a_guarded_staging_deploy(
    branch_project: tuple[str, str, dict],
) -> None:
    _, tool, flows = branch_project
    main = flows["main.yml"]
    integration, staging = main["jobs"]["integration"], main["jobs"]["staging"]

    assert main["on"] == {"push": {"branches": ["trunk"]}}
    assert _run_steps(integration) == [
        "uv sync --locked",
        "uv run pytest -m integration",
        "uv run python -m my_ml_project run-all --json",
    ]
    assert (_uses(integration)[SETUP_UV], _uses(staging)[SETUP_UV]) == (TEST_JOB_UV, DEPLOY_JOB_UV)
    assert "environment" not in integration
    assert (staging["needs"], staging["environment"]) == ("integration", "staging")
    assert staging["concurrency"] == {"group": "deploy-staging", "cancel-in-progress": False}
    check, *guarded = staging["steps"]
    assert check["id"] == "credentials"
    assert [step["if"] for step in guarded] == [IF_CONFIGURED] * len(guarded)
    assert _run_steps(staging)[1:] == [  # after the credentials check
        "uv sync --locked",
        *DEPLOY_STEPS[tool]("staging"),
        "uv run python -m my_ml_project seed-data --target staging",
        *[
            f"uv run python -m my_ml_project run-job --target staging --job {job} --wait-minutes {minutes}"
            for job, minutes in STAGING_JOBS
        ],
    ]


def test_release_branches_deploy_prod_behind_the_production_environment(
    branch_project: tuple[str, str, dict],
) -> None:
    _, tool, flows = branch_project
    release = flows["release.yml"]
    deploy = release["jobs"]["deploy-prod"]

    assert release["on"] == {"push": {"branches": ["ship/**"]}}
    assert deploy["needs"] == "unit"
    assert deploy["if"] == "startsWith(github.ref, 'refs/heads/ship/')"
    assert deploy["environment"] == "production"
    assert deploy["concurrency"] == {"group": "deploy-prod", "cancel-in-progress": False}
    assert _run_steps(deploy)[-len(DEPLOY_STEPS[tool]("prod")) :] == DEPLOY_STEPS[tool]("prod")
    assert ("databricks/setup-cli" in _uses(deploy)) == (tool == "bundle")
    assert _run_steps(release["jobs"]["unit"]) == PR_STEPS
    assert (_uses(release["jobs"]["unit"])[SETUP_UV], _uses(deploy)[SETUP_UV]) == (TEST_JOB_UV, DEPLOY_JOB_UV)


def test_nothing_deploys_prod_from_any_other_ref(branch_project: tuple[str, str, dict]) -> None:
    _, _, flows = branch_project
    prod_jobs = [
        (name, job_name)
        for name, flow in flows.items()
        for job_name, job in flow["jobs"].items()
        if any("--target prod" in run for run in _run_steps(job)) or job.get("environment") == "production"
    ]

    assert prod_jobs == [("release.yml", "deploy-prod")]
    assert list(flows["release.yml"]["on"]) == ["push"]
    assert set(flows["release.yml"]["on"]["push"]) == {"branches"}
    for flow in flows.values():
        assert "pull_request_target" not in flow["on"]
        assert "workflow_run" not in flow["on"]


# --- permissions and secrets -----------------------------------------------------------------------
def test_every_workflow_reads_contents_only_and_only_deploy_jobs_get_an_oidc_token(
    branch_project: tuple[str, str, dict],
) -> None:
    auth, _, flows = branch_project
    job_permissions = {
        (name, job_name): job.get("permissions")
        for name, flow in flows.items()
        for job_name, job in flow["jobs"].items()
    }
    deploy = {"contents": "read", "id-token": "write"} if auth == "oidc" else {"contents": "read"}

    assert {name: flow["permissions"] for name, flow in flows.items()} == {
        name: {"contents": "read"} for name in WORKFLOW_FILES
    }
    assert job_permissions == {
        ("main.yml", "integration"): None,
        ("main.yml", "staging"): deploy,
        ("pull-request.yml", "unit"): None,
        ("release.yml", "unit"): None,
        ("release.yml", "deploy-prod"): deploy,
    }


def test_secrets_reach_only_the_steps_that_deploy(branch_project: tuple[str, str, dict]) -> None:
    auth, tool, flows = branch_project
    secret_users = []
    for name, flow in flows.items():
        assert "secrets." not in str(flow.get("env", {}))
        for job_name, job in flow["jobs"].items():
            assert "secrets." not in str(job.get("env", {}))
            for step in job["steps"]:
                assert "secrets." not in step.get("run", "")
                if "secrets." in str(step.get("env", {})):
                    assert step["env"] == {"DATABRICKS_TOKEN": "${{ secrets.DATABRICKS_TOKEN }}"}
                    secret_users.append((name, job_name, step.get("name")))

    if auth == "oidc":
        assert secret_users == []
    else:
        staging_deploy, prod_deploy = DEPLOY_STEP_NAMES[tool]
        assert secret_users == [
            ("main.yml", "staging", "Check for staging credentials"),
            *[("main.yml", "staging", step) for step in staging_deploy],
            ("main.yml", "staging", "Seed the staging landing volume with generated data"),
            ("main.yml", "staging", "Feature refresh (ingest, features)"),
            ("main.yml", "staging", "Training, then the deployment run of its version (validate, promote)"),
            ("main.yml", "staging", "Batch inference"),
            ("main.yml", "staging", "Monitoring"),
            *[("release.yml", "deploy-prod", step) for step in prod_deploy],
        ]


def test_deploy_jobs_authenticate_through_the_chosen_ci_auth(branch_project: tuple[str, str, dict]) -> None:
    auth, _, flows = branch_project
    for job in (flows["main.yml"]["jobs"]["staging"], flows["release.yml"]["jobs"]["deploy-prod"]):
        expected = {"DATABRICKS_HOST": "${{ vars.DATABRICKS_HOST }}"}
        if auth == "oidc":
            expected |= {
                "DATABRICKS_AUTH_TYPE": "github-oidc",
                "DATABRICKS_CLIENT_ID": "${{ vars.DATABRICKS_CLIENT_ID }}",
            }
        assert job["env"] == expected


# --- the steps, run for real -----------------------------------------------------------------------
def _report(results: list) -> str:
    lines = [f"{result.seconds:7.1f} s  {result.command}" for result in results]
    return "\n".join([*lines, f"{sum(result.seconds for result in results):7.1f} s  total"])


@pytest.mark.slow
def test_the_pull_request_job_steps_pass_in_order_in_a_fresh_environment(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """On a project unlike the default in every choice and name (the default one's suite runs in the
    integration job's steps below): the unit tests run once per test run, not once per project."""
    project = bake(tmp_path_factory.mktemp("pr-steps"), **NON_DEFAULT)
    env = runner_environment(fresh_env(tmp_path_factory.mktemp("pr-venv") / "env"))
    job = workflows(project)["pull-request.yml"]["jobs"]["unit"]

    results = run_steps(job, project, env)

    print(f"\npull-request job, steps run locally:\n{_report(results)}")
    failed = [result for result in results if result.returncode != 0]
    assert not failed, f"{failed[0].command} failed:\n{failed[0].output}"
    assert [result.command for result in results] == PR_STEPS


@pytest.mark.slow
def test_the_local_part_of_the_integration_job_passes_in_order_in_a_fresh_environment(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    project = bake(tmp_path_factory.mktemp("integration-steps"))
    env = runner_environment(fresh_env(tmp_path_factory.mktemp("integration-venv") / "env"))
    job = workflows(project)["main.yml"]["jobs"]["integration"]

    results = run_steps(job, project, env)

    print(f"\nintegration job, steps run locally:\n{_report(results)}")
    failed = [result for result in results if result.returncode != 0]
    assert not failed, f"{failed[0].command} failed:\n{failed[0].output}"
    assert len(results) == len(_run_steps(job)) == 3
    # The install step gave the environment the project's console script, as `uv sync` does.
    script = subprocess.run(
        [str(Path(env["VIRTUAL_ENV"]) / "bin" / "my_ml_project"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == 0, script.stderr
    assert "generate-data" in script.stdout and "run-all" in script.stdout
