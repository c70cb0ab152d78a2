"""Benchmarks of the performance targets: prints a table with met/MISSED per target and writes JSON.

Every target is checked against a figure measured in the same run (absolute times vary between
machines and with their load):

1. Scoring: in-process `predict_proba` of the @champion's native model (the limit) against the native
   Spark path and the pyfunc `spark_udf` path, on the same rows; target native >= 0.8x the limit.
2. Lifecycle: `run-all --rows N` in a fresh process on a fresh lakehouse home per size, with its
   per-step seconds and the peak memory of the whole process tree (Python, JVM, Python workers);
   growth 1M -> 10M <= 4x (time and peak memory).
3. Floor: a fresh process that starts Spark with Delta, reads the landing CSVs of the run-all at 100k
   rows and writes them once to Delta; target run-all(100k) <= 2.5x the floor.
4. Per-command start: commands without Spark <= 1.5 s each; a Spark command's fixed cost <= 8 s.
5. Leftover processes: none in a command's process group once it exits.

A warm-up command runs first, so every measured JVM starts as a user's does after their first command:
with the Delta jars recorded and the JVM's class-data sharing archive written (class_sharing.py).

Usage: python benchmarks/run_benchmarks.py [--quick] [--sizes 100000,1000000,10000000]
       [--scoring-rows 1000000] [--repeats 3] [--output benchmarks/results.json]
See docs/benchmarks.md for what each line means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SOURCE = str(PROJECT / "src")
sys.path.insert(0, SOURCE)
# The commands run here and Spark's Python workers (the native scoring path) import the package too.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (SOURCE, os.environ.get("PYTHONPATH"))))

from {{ cookiecutter.package_name }}.config import PACKAGE_NAME, load_config  # noqa: E402

FULL = {"sizes": "100000,1000000,10000000", "scoring_rows": 1_000_000, "repeats": 3}
QUICK = {"sizes": "20000", "scoring_rows": 20_000, "repeats": 1}
FLOOR_ROWS = 100_000  # run-all at this size is compared with the floor (else the smallest size)
GROWTH_STEPS = ((100_000, 1_000_000), (1_000_000, 10_000_000))
# name: (target, at_most, what it is)
TARGETS = {
    "scoring_native_over_in_process": (0.8, False, "native Spark scoring / in-process predict_proba"),
    "run_all_over_floor": (2.5, True, "run-all wall time / floor wall time, same rows"),
    "lifecycle_time_growth_1m_to_10m": (4.0, True, "run-all wall time at 10M / at 1M rows"),
    "peak_memory_growth_1m_to_10m": (4.0, True, "run-all peak memory at 10M / at 1M rows"),
    "start_help": (1.5, True, "`--help`"),
    "start_promote": (1.5, True, "`promote`"),
    "start_rollback": (1.5, True, "`rollback`"),
    "start_deploy_jobs_dry_run": (1.5, True, "`deploy-jobs --dry-run`"),
    "start_run_job": (1.5, True, "`run-job`"),
    "spark_command_fixed_cost": (8.0, True, "fresh process: Spark session + one small Delta read"),
    "leftover_processes": (0, True, "processes left in a command's process group after it exits"),
}
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")

# A fresh process: the least any local lifecycle pays (session with Delta, read landing, write once).
FLOOR_CODE = """# the floor
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from PACKAGE.config import load_config
from PACKAGE.spark import get_spark, stop_local_sessions
config = load_config("local", home=Path(sys.argv[1]))
spark = get_spark(config, app_name="benchmark-floor")
ready = time.perf_counter()
for name in ("events", "labels"):
    frame = spark.read.option("header", True).csv(f"{config.landing_path}/{name}")
    frame.write.format("delta").mode("overwrite").save(f"{sys.argv[2]}/{name}")
done = time.perf_counter()
print(json.dumps({"session_seconds": ready - started, "read_write_seconds": done - ready}))
stop_local_sessions()  # as a command ends (cli.entry): its JVM gone before it exits
""".replace("PACKAGE", PACKAGE_NAME)

# A Spark command's fixed cost: a fresh process gets the session and reads one small Delta table.
SPARK_COMMAND_CODE = """# a Spark command's fixed cost
import sys
from pathlib import Path
from PACKAGE.config import load_config
from PACKAGE.spark import get_spark, stop_local_sessions
spark = get_spark(load_config("local", home=Path(sys.argv[1])), app_name="benchmark-start")
spark.read.format("delta").load(sys.argv[2]).limit(1).collect()
stop_local_sessions()  # as a command ends (cli.entry): its JVM gone before it exits
""".replace("PACKAGE", PACKAGE_NAME)


# --- processes: run one, sample its tree's memory, find what it left behind -------------------------
def process_table() -> dict[int, tuple[int, int, int]]:
    """pid -> (parent pid, process group, resident pages) of every live (non-zombie) process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:  # ended while we looked
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()  # the name in (...) may hold spaces
        if fields[0] != b"Z":
            table[int(entry.name)] = (int(fields[1]), int(fields[2]), int(fields[21]))
    return table


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants (shared pages count once per process)."""
    table = process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(pid)
    pages, todo = 0, [root] if root in table else []
    while todo:
        pid = todo.pop()
        pages += table[pid][2]
        todo.extend(children.get(pid, []))
    return pages * PAGE_BYTES / 1e6


class PeakMemory:
    """The peak of `tree_rss_mb(pid)`, sampled every `interval` seconds in a thread while in use."""

    def __init__(self, pid: int, interval: float = 0.3):
        self.pid, self.interval, self.peak_mb = pid, interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            if self._stop.wait(self.interval):
                return


def group_size(group: int) -> int:
    return sum(1 for _, pgrp, _ in process_table().values() if pgrp == group)


def leftovers(group: int, grace: float = 2.0) -> tuple[int, int]:
    """Processes still in `group` (a command's own session) when it exited, and `grace` seconds later
    (a JVM that is still shutting down is gone by then, an orphan is not); what is left is ended."""
    at_exit = group_size(group)
    if not at_exit:
        return 0, 0
    time.sleep(grace)
    later = group_size(group)
    if later:
        os.killpg(group, signal.SIGKILL)  # our command's orphans: never let them pile up
    return at_exit, later


def run_process(command: list[str], env: dict, memory: bool = False) -> dict:
    """Run `command` in a new session; wall seconds, stdout, leftovers and (optionally) peak memory.

    Output goes to files, not pipes: a leftover child holding a pipe would block reading it.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=PROJECT, env=env, stdout=out, stderr=err, text=True, start_new_session=True
        )
        with PeakMemory(process.pid) if memory else nullcontext() as sampler:
            process.wait()
        seconds = time.perf_counter() - started
        left, orphans = leftovers(process.pid)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        sys.stderr.write(stdout[-3000:] + stderr[-5000:])
        shown = command[2].splitlines()[0] if command[1] == "-c" else " ".join(command[1:])
        raise SystemExit(f"benchmark failed: `{shown}` ended with exit code {process.returncode}")
    result = {"seconds": round(seconds, 2), "stdout": stdout, "leftover_processes": left, "orphans": orphans}
    if sampler is not None:
        result["peak_memory_mb"] = round(sampler.peak_mb)
    return result


def project_env(home: Path) -> dict:
    return {**os.environ, "LAKEHOUSE_HOME": str(home)}


def cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", PACKAGE_NAME, *arguments]


# --- 2. the lifecycle, and 3. the floor --------------------------------------------------------------
def run_lifecycle(rows: int, home: Path) -> dict:
    """run-all in a fresh process on a fresh home, as a user runs it: the JVM start is included."""
    run = run_process(cli("run-all", "--rows", str(rows), "--json"), project_env(home), memory=True)
    summary = json.loads(run["stdout"].strip().splitlines()[-1])
    steps = {name: facts.get("seconds", 0.0) for name, facts in summary["steps"].items()}
    return {
        "rows": rows,
        "wall_seconds": run["seconds"],
        "steps": steps,
        "peak_memory_mb": run["peak_memory_mb"],
        "leftover_processes": run["leftover_processes"],
    }


def growth(lifecycle: list[dict]) -> dict:
    """Time and peak-memory factors between sizes 10x apart; a step whose sizes were not run is skipped."""
    by_rows = {run["rows"]: run for run in lifecycle}
    factors = {}
    for low, high in GROWTH_STEPS:
        key = f"{low}->{high}"
        if low not in by_rows or high not in by_rows:
            factors[key] = {"skipped": f"needs --sizes with {low} and {high}"}
            continue
        factors[key] = {
            "time": round(by_rows[high]["wall_seconds"] / by_rows[low]["wall_seconds"], 2),
            "peak_memory": round(by_rows[high]["peak_memory_mb"] / by_rows[low]["peak_memory_mb"], 2),
        }
    return factors


def measure_floor(home: Path, rows: int, scratch: Path) -> dict:
    """The floor on the landing files the lifecycle at `rows` generated (its home's landing folder)."""
    code = [sys.executable, "-c", FLOOR_CODE, str(home), str(scratch / "floor")]
    run = run_process(code, project_env(home))
    parts = json.loads(run["stdout"].strip().splitlines()[-1])
    return {
        "rows": rows,
        "wall_seconds": run["seconds"],
        "session_seconds": round(parts["session_seconds"], 2),
        "read_write_seconds": round(parts["read_write_seconds"], 2),
        "leftover_processes": run["leftover_processes"],
    }


# --- 1. scoring ------------------------------------------------------------------------------------
def scoring_rows(spark, config, rows: int):
    """`rows` feature rows as scoring gets them (the training set repeated), as a pandas frame."""
    import pandas as pd

    from {{ cookiecutter.package_name }}.features.spec import LABEL_TS_COLUMN, NUMERIC_FEATURES
    from {{ cookiecutter.package_name }}.inference.schema import AS_OF_COLUMN
    from {{ cookiecutter.package_name }}.tables import read_table

    training = read_table(spark, config.table("training_set")).toPandas()
    frame = pd.concat([training] * -(-rows // len(training)), ignore_index=True).head(rows)
    frame = frame.rename(columns={LABEL_TS_COLUMN: AS_OF_COLUMN})
    # The model signature takes doubles, as score_features casts them on the Spark path.
    return frame.astype({name: "float64" for name in NUMERIC_FEATURES})


def spark_paths(spark, config, features, version: str) -> dict:
    """The two Spark scoring paths of the same @champion version, as write-to-nothing actions."""
    from {{ cookiecutter.package_name }}.inference import champion
    from {{ cookiecutter.package_name }}.inference.scoring import score_features

    if not hasattr(champion, "champion_scorer"):
        raise SystemExit("benchmark failed: inference.champion has no champion_scorer (native and pyfunc)")
    actions = {}
    for path in ("native", "pyfunc"):
        scorer, _ = champion.champion_scorer(spark, config, version=version, path=path)
        scored = score_features(features, scorer, config.model_name, version, "2026-01-01 00:00:00")
        actions[path] = lambda scored=scored: scored.write.format("noop").mode("overwrite").save()
    return actions


def interleaved_medians(actions: dict, repeats: int) -> dict[str, float]:
    """Median seconds per action: one warm-up each, then `repeats` rounds that take turns.

    Taking turns spreads the load of other work on the machine over all actions alike.
    """
    for action in actions.values():
        action()  # warm-up: Python workers started, the model loaded in each, JIT warm
    timings: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in timings.items()}


def measure_scoring(home: Path, rows: int, repeats: int) -> dict:
    """The @champion of the lifecycle run in `home`, scored three ways on the same `rows` rows."""
    import mlflow

    from {{ cookiecutter.package_name }}.features.spec import MODEL_FEATURES
    from {{ cookiecutter.package_name }}.inference.champion import champion_version
    from {{ cookiecutter.package_name }}.spark import get_spark
    from {{ cookiecutter.package_name }}.training.registry import version_uri

    config = load_config("local", home=home)
    spark = get_spark(config, app_name="benchmark-scoring")
    frame = scoring_rows(spark, config, rows)
    version = champion_version(config)
    model = mlflow.sklearn.load_model(version_uri(config.model_name, version))
    inputs = frame[list(MODEL_FEATURES)]
    features = spark.createDataFrame(frame).repartition(spark.sparkContext.defaultParallelism).cache()
    features.count()  # the input is materialized outside the timings
    actions = {"in_process": lambda: model.predict_proba(inputs)}
    actions.update(spark_paths(spark, config, features, version))
    seconds = interleaved_medians(actions, repeats)
    features.unpersist()
    spark.stop()
    speed = {name: round(rows / value) for name, value in seconds.items()}
    return {
        "rows": rows,
        "model_version": version,
        "repeats": repeats,
        "in_process_rows_per_second": speed["in_process"],
        "native_rows_per_second": speed["native"],
        "pyfunc_rows_per_second": speed["pyfunc"],
        "native_ratio": round(seconds["in_process"] / seconds["native"], 3),
        "pyfunc_ratio": round(seconds["in_process"] / seconds["pyfunc"], 3),
    }


# --- 4. per-command start, and 5. leftovers ----------------------------------------------------------
def median_run(command: list[str], env: dict, repeats: int, between=None) -> dict:
    """Median wall seconds of `repeats` fresh processes, and the most processes one left behind."""
    runs = []
    for _ in range(repeats):
        runs.append(run_process(command, env))
        if between is not None:
            between()
    return {
        "seconds": round(statistics.median(run["seconds"] for run in runs), 2),
        "runs": [run["seconds"] for run in runs],
        "leftover_processes": max(run["leftover_processes"] for run in runs),
        "orphans": max(run["orphans"] for run in runs),
    }


def twin_env(home: Path) -> dict:
    """A command's environment for the local Databricks twin: its token, none of the caller's auth."""
    from fake_workspace import FAKE_TOKEN

    env = {k: v for k, v in project_env(home).items() if not k.startswith(("DATABRICKS_", "SPARK_REMOTE"))}
    return {**env, "DATABRICKS_TOKEN": FAKE_TOKEN, "DATABRICKS_CONFIG_FILE": os.devnull}


def keep_a_previous_champion(config) -> None:
    """@previous_champion on the champion's version: `rollback` then runs its whole no-change path."""
    from mlflow import MlflowClient

    from {{ cookiecutter.package_name }}.contracts.model import PREVIOUS_CHAMPION
    from {{ cookiecutter.package_name }}.inference.champion import champion_version

    version = champion_version(config)
    MlflowClient().set_registered_model_alias(config.model_name, PREVIOUS_CHAMPION, version)


def workspace_commands(home: Path, scratch: Path, repeats: int) -> dict:
    """`deploy-jobs --dry-run` and `run-job` against the local Databricks twin (tests/fake_workspace.py):
    they need a workspace. run-job starts the feature-refresh job of a dev deployment (a placeholder
    wheel: the twin's run fails at library install, after run-job returned)."""
    sys.path.insert(0, str(PROJECT / "tests"))
    from fake_workspace import FakeWorkspace, project_catalogs

    wheel = scratch / f"{PACKAGE_NAME}-0.0.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    twin = FakeWorkspace(scratch / "twin", catalogs=project_catalogs(), serverless_spark=False)
    with twin.with_mlflow():
        env, target = twin_env(home), ["--target", "dev", "--host", twin.url]
        deploy = cli("deploy-jobs", *target, "--wheel", str(wheel))
        results = {"deploy-jobs --dry-run": median_run([*deploy, "--dry-run"], env, repeats)}
        run_process(deploy, env)  # not timed: run-job needs deployed jobs
        run_job = cli("run-job", *target, "--job", "feature-refresh")
        results["run-job"] = median_run(run_job, env, repeats, between=lambda: twin.wait_for_runs(300))
    return results


def measure_commands(home: Path, scratch: Path, repeats: int) -> dict:
    """Each command as a fresh `python -m` process on the lifecycle's home, median of `repeats`."""
    config = load_config("local", home=home)
    keep_a_previous_champion(config)
    env = project_env(home)
    return {
        "python -c pass": median_run([sys.executable, "-c", "pass"], env, repeats),
        "--help": median_run(cli("--help"), env, repeats),
        "promote": median_run(cli("promote"), env, repeats),
        "rollback": median_run(cli("rollback"), env, repeats),
        **workspace_commands(home, scratch, repeats),
    }


def measure_spark_command(home: Path, repeats: int) -> dict:
    table = load_config("local", home=home).table("training_set").path
    return median_run(
        [sys.executable, "-c", SPARK_COMMAND_CODE, str(home), table], project_env(home), repeats
    )


# --- targets and the report ------------------------------------------------------------------------
def target(name: str, value: float | None, reference: str, skipped: str | None = None) -> dict:
    limit, at_most, what = TARGETS[name]
    met = None if value is None else (value <= limit if at_most else value >= limit)
    line = {"value": value, "target": limit, "at_most": at_most, "what": what, "reference": reference}
    return {**line, "met": met, **({"skipped": skipped} if skipped else {})}


def growth_targets(results: dict) -> dict:
    step = results["growth"]["1000000->10000000"]
    by_rows = {run["rows"]: run for run in results["lifecycle"]}
    if "skipped" in step:
        return {name: target(name, None, "", step["skipped"]) for name in list(TARGETS)[2:4]}
    small, large = by_rows[1_000_000], by_rows[10_000_000]
    return {
        "lifecycle_time_growth_1m_to_10m": target(
            "lifecycle_time_growth_1m_to_10m",
            step["time"],
            f"run-all {small['wall_seconds']} s at 1M, {large['wall_seconds']} s at 10M",
        ),
        "peak_memory_growth_1m_to_10m": target(
            "peak_memory_growth_1m_to_10m",
            step["peak_memory"],
            f"peak {small['peak_memory_mb']} MB at 1M, {large['peak_memory_mb']} MB at 10M",
        ),
    }


def start_targets(results: dict) -> dict:
    commands, bare = results["commands"], results["commands"]["python -c pass"]["seconds"]
    names = {
        "start_help": "--help",
        "start_promote": "promote",
        "start_rollback": "rollback",
        "start_deploy_jobs_dry_run": "deploy-jobs --dry-run",
        "start_run_job": "run-job",
    }
    lines = {
        name: target(name, commands[command]["seconds"], f"bare interpreter start {bare} s")
        for name, command in names.items()
    }
    spark = results["spark_command"]["seconds"]
    floor = results["floor"]["session_seconds"]
    lines["spark_command_fixed_cost"] = target(
        "spark_command_fixed_cost", spark, f"floor's session ready in {floor} s"
    )
    return lines


def all_targets(results: dict) -> dict:
    scoring, floor = results["scoring"], results["floor"]
    run_all = next(run for run in results["lifecycle"] if run["rows"] == floor["rows"])
    runs = [*results["commands"].values(), results["spark_command"]]
    orphans = sum(run["orphans"] for run in runs)
    return {
        "scoring_native_over_in_process": target(
            "scoring_native_over_in_process",
            scoring["native_ratio"],
            f"in-process {scoring['in_process_rows_per_second']} rows/s at {scoring['rows']} rows",
        ),
        "run_all_over_floor": target(
            "run_all_over_floor",
            round(run_all["wall_seconds"] / floor["wall_seconds"], 2),
            f"floor {floor['wall_seconds']} s, run-all {run_all['wall_seconds']} s at {floor['rows']} rows",
        ),
        **growth_targets(results),
        **start_targets(results),
        "leftover_processes": target(
            "leftover_processes",
            sum(run["leftover_processes"] for run in runs),
            f"{sum(len(run['runs']) for run in runs)} command processes; {orphans} still there 2 s later",
        ),
    }


def print_lifecycle(results: dict) -> None:
    lifecycle = results["lifecycle"]
    steps = list(lifecycle[0]["steps"])
    print("\n2. Lifecycle: run-all on a fresh lakehouse home (seconds; peak memory of the process tree)")
    header = f"{'rows':>10} {'total':>8} {'peak MB':>8} {'left':>4} "
    print(header + " ".join(f"{name:>{max(len(name), 8)}}" for name in steps))
    for run in lifecycle:
        cells = " ".join(f"{run['steps'].get(name, 0.0):>{max(len(name), 8)}.1f}" for name in steps)
        facts = f"{run['wall_seconds']:>8.1f} {run['peak_memory_mb']:>8} {run['leftover_processes']:>4}"
        print(f"{run['rows']:>10} {facts} {cells}")
    for step, factors in results["growth"].items():
        if "skipped" in factors:
            print(f"  growth {step}: skipped ({factors['skipped']})")
        else:
            print(f"  growth {step}: time {factors['time']}x, peak memory {factors['peak_memory']}x")
    floor = results["floor"]
    print(
        f"\n3. Floor at {floor['rows']} rows: {floor['wall_seconds']} s "
        f"(session {floor['session_seconds']} s, read+write {floor['read_write_seconds']} s)"
    )


def print_report(results: dict) -> None:
    print(f"\nMachine: {json.dumps(results['machine'])}")
    scoring = results["scoring"]
    print(f"\n1. Scoring {scoring['rows']} rows, @champion version {scoring['model_version']} (rows/s)")
    print(f"  in-process predict_proba (the limit) {scoring['in_process_rows_per_second']:>10}")
    print(f"  native Spark path                    {scoring['native_rows_per_second']:>10}")
    print(f"  pyfunc spark_udf path                {scoring['pyfunc_rows_per_second']:>10}")
    print_lifecycle(results)
    print("\n4. Per-command start: fresh process, median seconds (runs); 5. processes left behind")
    for name, run in [*results["commands"].items(), ("Spark session + Delta read", results["spark_command"])]:
        left = f"left {run['leftover_processes']} at exit, {run['orphans']} after 2 s"
        print(f"  {name:<28} {run['seconds']:>6.2f}  {run['runs']!s:<24} {left}")
    print("  (deploy-jobs --dry-run and run-job run against the local Databricks twin)")
    print(f"\nTargets{'':<32}{'value':>8}  target   result  same-run reference")
    for name, line in results["targets"].items():
        sign = "<=" if line["at_most"] else ">="
        if line["met"] is None:
            print(f"  {name:<37} {'-':>8}  {sign} {line['target']:<5g} skipped ({line['skipped']})")
            continue
        result = "met" if line["met"] else "MISSED"
        print(
            f"  {name:<37} {line['value']:>8g}  {sign} {line['target']:<5g} {result:<7} {line['reference']}"
        )


def machine() -> dict:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"tiny sizes for a smoke test: {QUICK}")
    parser.add_argument("--sizes", help=f"rows per run-all, comma-separated (default: {FULL['sizes']})")
    parser.add_argument("--scoring-rows", type=int, help=f"rows scored (default: {FULL['scoring_rows']})")
    parser.add_argument("--repeats", type=int, help=f"timed runs per figure (default: {FULL['repeats']})")
    parser.add_argument("--output", default=str(PROJECT / "benchmarks" / "results.json"), help="JSON file")
    args = parser.parse_args()
    for name, default in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    args.sizes = sorted(int(size) for size in str(args.sizes).split(","))
    return args


def measure(args: argparse.Namespace, scratch: Path) -> dict:
    results: dict = {"machine": machine(), "settings": {**vars(args)}, "lifecycle": []}
    homes = {rows: scratch / f"rows-{rows}" for rows in args.sizes}
    print("==> warm-up: one Spark command (Delta jars recorded, the JVM's class archive written)", flush=True)
    results["warm_up_seconds"] = run_process(cli("tables"), project_env(scratch / "warm-up"))["seconds"]
    for rows, home in homes.items():
        print(f"==> run-all --rows {rows}", flush=True)
        results["lifecycle"].append(run_lifecycle(rows, home))
    results["growth"] = growth(results["lifecycle"])
    floor_rows = FLOOR_ROWS if FLOOR_ROWS in homes else args.sizes[0]
    print(f"==> floor at {floor_rows} rows", flush=True)
    results["floor"] = measure_floor(homes[floor_rows], floor_rows, scratch)
    home = homes[args.sizes[0]]  # the smallest run's @champion: scoring, then the commands
    print(f"==> scoring {args.scoring_rows} rows", flush=True)
    results["scoring"] = measure_scoring(home, args.scoring_rows, args.repeats)
    print("==> per-command start", flush=True)
    results["commands"] = measure_commands(home, scratch, args.repeats)
    results["spark_command"] = measure_spark_command(home, args.repeats)
    results["targets"] = all_targets(results)
    return results


def main() -> int:
    args = parse_arguments()
    with tempfile.TemporaryDirectory(prefix="lakehouse-bench-") as scratch:
        results = measure(args, Path(scratch))
    print_report(results)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
