"""Jobs API 2.2: jobs, their permissions, and runs that really execute.

`run-now` starts a run in a background thread. Its tasks run in `depends_on` order, each in a fresh
process through the wheel launcher (launcher.py): the wheel named by the job (serverless environment
dependency or classic `libraries`) is read from its volume, installed, and its entry point called with
the task's parameters. A task's state comes from its process: exit 0 SUCCESS, anything else FAILED
(after `max_retries` immediate retries: the twin does not wait `min_retry_interval_millis`); tasks
downstream of a failure are UPSTREAM_FAILED and never start. `runs/get` reports it all in the API's
shape, so the SDK's waiters work unchanged. Tasks of a serverless job run under the serverless limits
against the twin's Spark Connect server; classic tasks start their own local Spark.

A job runs at most `max_concurrent_runs` (default 1) runs at once; further runs queue (QUEUED).

Job parameters: the job's `parameters` ([{name, default}]) with `run-now`'s `job_parameters` in place of
defaults (a name the job does not define is refused); `{{job.parameters.<name>}}` in task parameters
resolves to them, and `runs/get` lists them as [{name, default, value}]. `start_run` is how the model
registry starts a deployment job run (mlflow_service.py). `runs/repair` re-runs tasks of a finished run in
the same run (the ones named, their dependents with `rerun_dependent_tasks`, or every task that did not
succeed with `rerun_all_failed_tasks`), with the job's current settings, and records a `repair_history`.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .server import ApiError, FakeRequest
from .workspace import CURRENT_USER

if TYPE_CHECKING:
    from .catalog import UnityCatalog

LAUNCHER = Path(__file__).with_name("launcher.py")
_REFERENCE = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
# What a task process must not inherit from the machine running the twin.
_HOST_ONLY = ("DATABRICKS_", "SPARK_REMOTE", "SPARK_CONNECT", "PYTHONPATH", "LAKEHOUSE_HOME", "MLFLOW_")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _state(life_cycle: str, result: str | None = None, message: str = "") -> dict:
    state = {"life_cycle_state": life_cycle, "state_message": message, "user_cancelled_or_timedout": False}
    if result is not None:
        state["result_state"] = result
    return state


def _wheel_installer() -> list[str]:
    """`uv pip install` (the project's dev dependencies hold uv): a cluster installs a library with pip,
    but an environment made by `uv sync` has no pip."""
    beside = Path(sysconfig.get_path("scripts")) / "uv"
    uv = str(beside) if beside.is_file() else shutil.which("uv")
    if uv is None:
        raise TaskSetupError(
            "Library installation failed: uv is not installed (the dev dependencies hold it)"
        )
    return [uv, "pip", "install", "--offline", "--python", sys.executable]


class Jobs:
    def __init__(
        self, catalog: UnityCatalog, root: Path, task_env: Callable[[bool, Path], dict[str, str]]
    ) -> None:
        self.catalog = catalog
        self.root = root
        self.task_env = task_env  # (serverless, installed wheel) -> the environment a task process gets
        self.jobs: dict[int, dict] = {}
        self.runs: dict[int, dict] = {}
        self.permissions: dict[str, list[dict]] = {}  # "jobs/<id>" -> access control list
        self.host = "http://127.0.0.1"  # set by the twin once it listens
        self._ids = itertools.count(1001)
        self._tokens: dict[str, int] = {}
        self._job_slots: dict[int, threading.Semaphore] = {}
        self._threads: list[threading.Thread] = []
        self._processes: set[subprocess.Popen] = set()
        self._stopping = threading.Event()
        self._repairs = itertools.count(501)

    # --- jobs ------------------------------------------------------------------------------------
    def _job(self, job_id: object) -> dict:
        try:
            return self.jobs[int(job_id)]  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Job {job_id} does not exist.") from None

    def _list(self, request: FakeRequest, page_size: int) -> dict:
        name = request.query.get("name")
        matching = [
            job
            for job_id, job in sorted(self.jobs.items())
            if name is None or job["settings"].get("name", "").lower() == name.lower()
        ]
        start = int(request.query.get("page_token") or 0)
        limit = min(int(request.query.get("limit") or page_size), page_size)
        page = matching[start : start + limit]
        expand = request.query.get("expand_tasks") == "true"
        body: dict = {
            "jobs": [_listed(job, expand) for job in page],
            "has_more": start + limit < len(matching),
        }
        if body["has_more"]:
            body["next_page_token"] = str(start + limit)
        if not page:
            del body["jobs"]
        return body

    def _create(self, request: FakeRequest) -> dict:
        settings = dict(request.json or {})
        access_control_list = settings.pop("access_control_list", None)
        if not settings.get("name"):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "Job name is required.")
        job_id = next(self._ids)
        self.jobs[job_id] = {
            "job_id": job_id,
            "creator_user_name": CURRENT_USER,
            "run_as_user_name": CURRENT_USER,
            "created_time": _now_ms(),
            "settings": settings,
        }
        if access_control_list:
            self.permissions[f"jobs/{job_id}"] = list(access_control_list)
        return {"job_id": job_id}

    def _reset(self, request: FakeRequest) -> None:
        body = request.json or {}
        self._job(body.get("job_id"))["settings"] = dict(body.get("new_settings") or {})

    def _delete(self, request: FakeRequest) -> None:
        job_id = (request.json or {}).get("job_id")
        self._job(job_id)
        del self.jobs[int(job_id)]
        self.permissions.pop(f"jobs/{job_id}", None)

    # --- permissions -----------------------------------------------------------------------------
    def _permissions_get(self, request: FakeRequest) -> dict:
        job_id = request.params["job_id"]
        self._job(job_id)
        # A real workspace always lists the owner and the admins group's inherited CAN_MANAGE.
        owner = {
            "user_name": CURRENT_USER,
            "all_permissions": [{"permission_level": "IS_OWNER", "inherited": False}],
        }
        admins = {
            "group_name": "admins",
            "all_permissions": [
                {"permission_level": "CAN_MANAGE", "inherited": True, "inherited_from_object": ["/jobs/"]}
            ],
        }
        direct = [
            {
                **{key: value for key, value in entry.items() if key != "permission_level"},
                "all_permissions": [{"permission_level": entry["permission_level"], "inherited": False}],
            }
            for entry in self.permissions.get(f"jobs/{job_id}", [])
        ]
        return {
            "object_id": f"/jobs/{job_id}",
            "object_type": "job",
            "access_control_list": [owner, *direct, admins],
        }

    def _permissions_update(self, request: FakeRequest) -> dict:
        job_id = request.params["job_id"]
        self._job(job_id)
        current = {_principal(entry): entry for entry in self.permissions.get(f"jobs/{job_id}", [])}
        for entry in (request.json or {}).get("access_control_list", []):
            current[_principal(entry)] = entry
        self.permissions[f"jobs/{job_id}"] = list(current.values())
        return self._permissions_get(request)

    def _permissions_set(self, request: FakeRequest) -> dict:
        job_id = request.params["job_id"]
        self._job(job_id)
        self.permissions[f"jobs/{job_id}"] = list((request.json or {}).get("access_control_list", []))
        return self._permissions_get(request)

    # --- runs ------------------------------------------------------------------------------------
    def _run_now(self, request: FakeRequest) -> dict:
        body = request.json or {}
        job = self._job(body.get("job_id"))
        token = body.get("idempotency_token")
        if token and token in self._tokens:
            run_id = self._tokens[token]
            return {"run_id": run_id, "number_in_job": run_id}
        run_id = self.start_run(job["job_id"], body.get("job_parameters"))
        if token:
            self._tokens[token] = run_id
        return {"run_id": run_id, "number_in_job": run_id}

    def start_run(self, job_id: int, job_parameters: dict | None = None, trigger: str = "ONE_TIME") -> int:
        """Start a run of the job with these job parameters (the rest keep their defaults)."""
        job = self._job(job_id)
        settings = json.loads(json.dumps(job["settings"]))
        parameters = _job_parameters(settings, job_parameters or {})
        _in_dependency_order(settings.get("tasks", []))  # refuse a cycle before anything starts
        run_id = next(self._ids)
        self.runs[run_id] = {
            "job_id": job["job_id"],
            "run_id": run_id,
            "number_in_job": run_id,
            "original_attempt_run_id": run_id,
            "creator_user_name": CURRENT_USER,
            "run_name": settings.get("name"),
            "run_type": "JOB_RUN",
            "trigger": trigger,
            "start_time": _now_ms(),
            "run_page_url": f"{self.host}/jobs/{job['job_id']}/runs/{run_id}",
            "state": _state("QUEUED", message="Waiting for an active run of this job to finish."),
            "status": {"state": "QUEUED"},
            "tasks": [self._task_entry(task) for task in settings.get("tasks", [])],
            **({"job_parameters": parameters} if parameters else {}),
        }
        self._start(run_id, settings, None)
        return run_id

    def _task_entry(self, task: dict) -> dict:
        return {
            "task_key": task["task_key"],
            "run_id": next(self._ids),
            "depends_on": task.get("depends_on", []),
            "state": _state("BLOCKED"),
            "status": {"state": "BLOCKED"},
            "attempt_number": 0,
        }

    def _start(self, run_id: int, settings: dict, rerun: set[str] | None) -> None:
        job_id = self.runs[run_id]["job_id"]
        slots = self._job_slots.setdefault(
            job_id, threading.Semaphore(settings.get("max_concurrent_runs", 1))
        )
        thread = threading.Thread(target=self._execute, args=(run_id, settings, slots, rerun), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _repair(self, request: FakeRequest) -> dict:
        body = request.json or {}
        run = self._run(body.get("run_id"))
        if run["state"]["life_cycle_state"] not in ("TERMINATED", "SKIPPED", "INTERNAL_ERROR"):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Run {run['run_id']} is still in progress.")
        settings = json.loads(json.dumps(self._job(run["job_id"])["settings"]))
        rerun = _tasks_to_rerun(run, settings, body)
        repair_id = next(self._repairs)
        history = run.setdefault("repair_history", [_history_item(run, "ORIGINAL")])
        for entry in run["tasks"]:
            if entry["task_key"] in rerun:
                entry.update(run_id=next(self._ids), state=_state("BLOCKED"), status={"state": "BLOCKED"})
        history.append({**_history_item(run, "REPAIR", rerun), "id": repair_id})
        run.update(state=_state("QUEUED"), status={"state": "QUEUED"})
        run.pop("end_time", None)
        self._start(run["run_id"], settings, rerun)
        return {"repair_id": repair_id}

    def _run(self, run_id: object) -> dict:
        try:
            return self.runs[int(run_id)]  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Run {run_id} does not exist.") from None

    def _runs_get(self, request: FakeRequest) -> dict:
        return self._run(request.query.get("run_id"))

    def _runs_get_output(self, request: FakeRequest) -> dict:
        wanted = int(request.query.get("run_id", 0))
        for run in self.runs.values():
            for task in run["tasks"]:
                if task["run_id"] == wanted:
                    log = Path(task.get("log", "/nonexistent"))
                    text = log.read_text(errors="replace") if log.is_file() else ""
                    output = {"metadata": {**task, "job_id": run["job_id"]}, "logs": text[-5000:]}
                    if task["state"].get("result_state") == "FAILED":
                        output["error"] = task["state"]["state_message"]
                    return output
        if wanted in self.runs:
            raise ApiError(
                400, "INVALID_PARAMETER_VALUE", "Retrieving the output of a multi-task run is not supported."
            )
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Run {wanted} does not exist.")

    def _runs_list(self, request: FakeRequest) -> dict:
        job_id = request.query.get("job_id")
        runs = [run for run in self.runs.values() if job_id is None or str(run["job_id"]) == job_id]
        return {"runs": sorted(runs, key=lambda run: -run["run_id"]), "has_more": False}

    # --- execution -------------------------------------------------------------------------------
    def _execute(
        self, run_id: int, settings: dict, slots: threading.Semaphore, rerun: set[str] | None = None
    ) -> None:
        """Run the tasks (of a repair: only those in `rerun`; the others keep their result)."""
        run = self.runs[run_id]
        with slots:
            run.update(state=_state("RUNNING"), status={"state": "RUNNING"})
            failed: set[str] = set()
            for task in _in_dependency_order(settings.get("tasks", [])):
                entry = next(item for item in run["tasks"] if item["task_key"] == task["task_key"])
                if rerun is not None and task["task_key"] not in rerun:
                    if entry["state"].get("result_state") != "SUCCESS":
                        failed.add(task["task_key"])
                    continue
                upstream = [dep["task_key"] for dep in task.get("depends_on", [])]
                if self._stopping.is_set() or any(key in failed for key in upstream):
                    message = "Upstream task(s) failed." if not self._stopping.is_set() else "Twin stopped."
                    entry.update(
                        state=_state("SKIPPED", "UPSTREAM_FAILED", message),
                        status={
                            "state": "TERMINATED",
                            "termination_details": {"code": "SKIPPED", "type": "SUCCESS", "message": message},
                        },
                    )
                    failed.add(task["task_key"])
                    continue
                if not self._run_task(run, settings, task, entry):
                    failed.add(task["task_key"])
            result = "FAILED" if failed else "SUCCESS"
            message = f"Task(s) {', '.join(sorted(failed))} did not succeed." if failed else ""
            run.update(
                state=_state("TERMINATED", result, message),
                status={
                    "state": "TERMINATED",
                    "termination_details": {
                        "code": "RUN_EXECUTION_ERROR" if failed else "SUCCESS",
                        "type": "CLIENT_ERROR" if failed else "SUCCESS",
                        "message": message,
                    },
                },
                end_time=_now_ms(),
            )

    def _run_task(self, run: dict, settings: dict, task: dict, entry: dict) -> bool:
        for attempt in range(int(task.get("max_retries", 0)) + 1):
            entry.update(
                state=_state("RUNNING"),
                status={"state": "RUNNING"},
                attempt_number=attempt,
                start_time=_now_ms(),
            )
            try:
                exit_code, message, log = self._launch(run, settings, task, entry, attempt)
            except TaskSetupError as error:
                exit_code, message, log = None, str(error), ""
            entry.update(end_time=_now_ms(), log=log)
            if exit_code == 0:
                entry.update(
                    state=_state("TERMINATED", "SUCCESS"), status=_terminated("SUCCESS", "SUCCESS", "")
                )
                return True
            entry.update(
                state=_state("TERMINATED", "FAILED", message),
                status=_terminated("RUN_EXECUTION_ERROR", "CLIENT_ERROR", message),
            )
            if exit_code is None:
                break  # a set-up error (no wheel, bad reference) fails the same way on every attempt
        return False

    def _launch(
        self, run: dict, settings: dict, task: dict, entry: dict, attempt: int
    ) -> tuple[int, str, str]:
        wheel_task = task.get("python_wheel_task")
        if wheel_task is None:
            raise TaskSetupError("the twin runs python_wheel_task tasks only")
        serverless, wheel = _task_wheel(settings, task)
        installed = self._install(wheel)
        references = {
            "job.run_id": str(run["run_id"]),
            "job.id": str(run["job_id"]),
            "task.name": task["task_key"],
            "task.run_id": str(entry["run_id"]),
            **{f"job.parameters.{p['name']}": p["value"] for p in run.get("job_parameters", [])},
        }
        parameters = [_resolve(parameter, references) for parameter in wheel_task.get("parameters", [])]
        spec = {
            "package_name": wheel_task["package_name"],
            "entry_point": wheel_task.get("entry_point", wheel_task["package_name"]),
            "parameters": parameters,
            "serverless": serverless,
        }
        workdir = self.root / ".twin" / "runs" / str(run["run_id"])
        workdir.mkdir(parents=True, exist_ok=True)
        log = workdir / f"{task['task_key']}-{attempt}.log"
        env = {key: value for key, value in os.environ.items() if not key.startswith(_HOST_ONLY)}
        env.update(self.task_env(serverless, installed), PYTHONPATH=str(installed))
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, str(LAUNCHER), json.dumps(spec)],
                stdout=output,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=workdir,
                start_new_session=True,
            )
            self._processes.add(process)
            try:
                exit_code = process.wait(timeout=task.get("timeout_seconds") or None)
            except subprocess.TimeoutExpired:
                exit_code = -1
            finally:
                _kill_group(process)
                self._processes.discard(process)
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        message = f"exit code {exit_code}: " + " | ".join(tail) if exit_code else ""
        return exit_code, message, str(log)

    def _install(self, wheel: str) -> Path:
        """Read the wheel from its volume (it must be there) and install it once per content hash."""
        try:
            source = self.catalog.local_path(wheel)
        except ApiError as error:
            raise TaskSetupError(f"Library installation failed for {wheel}: {error.message}") from None
        if not source.is_file():
            raise TaskSetupError(f"Library installation failed: {wheel} does not exist.")
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
        target = self.root / ".twin" / "libraries" / digest
        if not target.is_dir():
            staging = target.with_name(f".{digest}.partial")
            # The installer wants the wheel's own file name; the volume path keeps it.
            result = subprocess.run(
                [*_wheel_installer(), "--quiet", "--no-deps", "--target", str(staging), str(source)],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise TaskSetupError(
                    f"Library installation failed for {wheel}: {result.stderr.strip()[-500:]}"
                )
            staging.replace(target)
        return target

    def wait_idle(self, timeout: float = 600) -> None:
        """Wait for every started run to finish, runs started meanwhile (by a task, the registry) too."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            alive = [thread for thread in list(self._threads) if thread.is_alive()]
            if not alive:
                return
            alive[0].join(max(0.0, deadline - time.monotonic()))

    def stop(self) -> None:
        """Stop starting tasks, end the running ones."""
        self._stopping.set()
        for process in list(self._processes):
            _kill_group(process)
        self.wait_idle(timeout=60)

    # --- routes ----------------------------------------------------------------------------------
    def routes(self, page_size: int) -> dict:
        return {
            ("GET", "/api/2.2/jobs/list"): lambda request: self._list(request, page_size),
            ("GET", "/api/2.2/jobs/get"): lambda request: self._job(request.query.get("job_id")),
            ("POST", "/api/2.2/jobs/create"): self._create,
            ("POST", "/api/2.2/jobs/reset"): self._reset,
            ("POST", "/api/2.2/jobs/delete"): self._delete,
            ("POST", "/api/2.2/jobs/run-now"): self._run_now,
            ("POST", "/api/2.2/jobs/runs/repair"): self._repair,
            ("GET", "/api/2.2/jobs/runs/get"): self._runs_get,
            ("GET", "/api/2.2/jobs/runs/get-output"): self._runs_get_output,
            ("GET", "/api/2.2/jobs/runs/list"): self._runs_list,
            ("GET", "/api/2.0/permissions/jobs/{job_id}"): self._permissions_get,
            ("PATCH", "/api/2.0/permissions/jobs/{job_id}"): self._permissions_update,
            ("PUT", "/api/2.0/permissions/jobs/{job_id}"): self._permissions_set,
        }


class TaskSetupError(Exception):
    """The task could not start (no wheel, a bad parameter reference): it fails without running."""


def _terminated(code: str, kind: str, message: str) -> dict:
    return {"state": "TERMINATED", "termination_details": {"code": code, "type": kind, "message": message}}


def _task_wheel(settings: dict, task: dict) -> tuple[bool, str]:
    """(serverless, wheel path) of a task: its environment's dependency, or its classic `whl` library."""
    if "environment_key" in task:
        environments = {env["environment_key"]: env for env in settings.get("environments", [])}
        environment = environments.get(task["environment_key"])
        if environment is None:
            raise TaskSetupError(f"environment {task['environment_key']!r} is not defined by the job")
        wheels = [dep for dep in environment.get("spec", {}).get("dependencies", []) if dep.endswith(".whl")]
        serverless = True
    else:
        clusters = {cluster["job_cluster_key"] for cluster in settings.get("job_clusters", [])}
        if task.get("job_cluster_key") not in clusters:
            raise TaskSetupError(
                f"task {task['task_key']} has no compute (job_cluster_key or environment_key)"
            )
        wheels = [library["whl"] for library in task.get("libraries", []) if "whl" in library]
        serverless = False
    if len(wheels) != 1:
        raise TaskSetupError(f"task {task['task_key']} needs exactly one wheel, the job gives {wheels}")
    return serverless, wheels[0]


def _job_parameters(settings: dict, given: dict) -> list[dict]:
    """A run's job parameters as runs/get lists them: each defined one with its default and value."""
    defined = {entry["name"]: entry.get("default", "") for entry in settings.get("parameters", [])}
    unknown = sorted(set(given) - set(defined))
    if unknown:
        raise ApiError(
            400, "INVALID_PARAMETER_VALUE", f"Job parameter(s) {unknown} are not defined by the job."
        )
    return [
        {"name": name, "default": default, "value": str(given.get(name, default))}
        for name, default in defined.items()
    ]


def _history_item(run: dict, kind: str, tasks: set[str] | None = None) -> dict:
    """An entry of `repair_history`: the original run as it ended, or a repair with its task runs."""
    item = {
        "type": kind,
        "start_time": _now_ms() if tasks else run["start_time"],
        "state": dict(run["state"]),
    }
    if tasks is None:
        item["end_time"] = run.get("end_time", _now_ms())
    runs = [task["run_id"] for task in run["tasks"] if tasks is None or task["task_key"] in tasks]
    return {**item, "task_run_ids": runs, **({} if tasks else {"id": run["run_id"]})}


def _tasks_to_rerun(run: dict, settings: dict, body: dict) -> set[str]:
    keys = {task["task_key"] for task in settings.get("tasks", [])}
    if body.get("rerun_all_failed_tasks"):
        rerun = {task["task_key"] for task in run["tasks"] if task["state"].get("result_state") != "SUCCESS"}
    else:
        rerun = set(body.get("rerun_tasks") or [])
        unknown = sorted(rerun - keys)
        if unknown or not rerun:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid rerun_tasks {unknown or '(none)'}.")
    if body.get("rerun_dependent_tasks"):
        for task in _in_dependency_order(settings.get("tasks", [])):
            if any(dep["task_key"] in rerun for dep in task.get("depends_on", [])):
                rerun.add(task["task_key"])
    return rerun & keys


def _resolve(parameter: str, references: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group(1) not in references:
            raise TaskSetupError(f"Invalid dynamic value reference {match.group(0)} in {parameter!r}")
        return references[match.group(1)]

    return _REFERENCE.sub(substitute, parameter)


def _in_dependency_order(tasks: list[dict]) -> list[dict]:
    done: list[dict] = []
    pending = list(tasks)
    while pending:
        finished = {task["task_key"] for task in done}
        ready = [
            task for task in pending if all(dep["task_key"] in finished for dep in task.get("depends_on", []))
        ]
        if not ready:
            raise ApiError(
                400, "INVALID_PARAMETER_VALUE", "The job's depends_on has a cycle or names an unknown task."
            )
        done.extend(ready)
        pending = [task for task in pending if task not in ready]
    return done


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _listed(job: dict, expand_tasks: bool) -> dict:
    """A job as jobs/list shows it: without tasks and job clusters unless expand_tasks is set."""
    settings = job["settings"]
    if not expand_tasks:
        settings = {key: value for key, value in settings.items() if key not in ("tasks", "job_clusters")}
    return {**job, "settings": settings}


def _principal(entry: dict) -> str:
    for key in ("user_name", "group_name", "service_principal_name"):
        if key in entry:
            return f"{key}:{entry[key]}"
    raise ApiError(400, "INVALID_PARAMETER_VALUE", f"access control entry without a principal: {entry}")
