"""Benchmarks of the local lifecycle: prints a table with the targets and writes JSON.

1. Lifecycle wall time (run-all on a fresh lakehouse home) at each size, with a per-step breakdown.
2. Batch scoring throughput: the Spark + MLflow UDF path against in-process `model.predict` on the
   same rows (the in-process figure is the limit), and their ratio.
3. Cost growth of `features` and `monitor` as rows grow: time(largest) / time(smallest).

Usage: python benchmarks/run_benchmarks.py [--sizes 100000,300000,1000000] [--scoring-rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "src"))

from {{ cookiecutter.package_name }}.config import PACKAGE_NAME, load_config  # noqa: E402

TARGETS = {
    "lifecycle_seconds_at_100k": 90.0,  # at most
    "lifecycle_growth_1m_over_100k": 6.0,  # at most
    "scoring_ratio_at_1m": 0.5,  # at least
}


def run_lifecycle(rows: int, home: Path) -> dict:
    """run-all in a fresh process, as a user runs it; wall time includes the JVM start."""
    env = {**os.environ, "LAKEHOUSE_HOME": str(home), "PYTHONPATH": str(PROJECT / "src")}
    command = [sys.executable, "-m", PACKAGE_NAME, "run-all", "--rows", str(rows), "--json"]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr[-5000:])
        raise SystemExit(f"run-all --rows {rows} failed with exit code {completed.returncode}")
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    steps = {name: facts.get("seconds", 0.0) for name, facts in summary["steps"].items()}
    return {"rows": rows, "wall_seconds": round(wall, 2), "steps": steps}


def median_seconds(work, repeats: int = 3) -> float:
    """The median wall time of `repeats` runs: single runs of both paths vary by 10-20% here."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def scoring_throughput(home: Path, rows: int) -> dict:
    """Score the same `rows` feature rows in-process and through Spark with the champion UDF."""
    import mlflow
    import pandas as pd
    from mlflow import MlflowClient

    from {{ cookiecutter.package_name }}.contracts.model import CHAMPION
    from {{ cookiecutter.package_name }}.features.spec import (
        LABEL_TS_COLUMN,
        MODEL_FEATURES,
        NUMERIC_FEATURES,
    )
    from {{ cookiecutter.package_name }}.inference.champion import champion_udf
    from {{ cookiecutter.package_name }}.inference.schema import AS_OF_COLUMN
    from {{ cookiecutter.package_name }}.inference.scoring import score_features
    from {{ cookiecutter.package_name }}.spark import get_spark
    from {{ cookiecutter.package_name }}.tables import read_table
    from {{ cookiecutter.package_name }}.tracking import configure_mlflow
    from {{ cookiecutter.package_name }}.training.registry import version_by_alias, version_uri

    config = load_config("local", home=home)
    spark = get_spark(config, app_name="benchmarks")
    training = read_table(spark, config.table("training_set")).toPandas()
    repeats = -(-rows // len(training))
    frame = pd.concat([training] * repeats, ignore_index=True).head(rows)
    frame = frame.rename(columns={LABEL_TS_COLUMN: AS_OF_COLUMN})
    # The model signature takes doubles, as score_features casts them on the Spark path.
    frame = frame.astype({name: "float64" for name in NUMERIC_FEATURES})

    configure_mlflow(config)
    champion = version_by_alias(MlflowClient(), config.model_name, CHAMPION)
    model = mlflow.pyfunc.load_model(version_uri(config.model_name, champion.version))
    inputs = frame[list(MODEL_FEATURES)]
    model.predict(inputs.head(1000))  # warm-up
    in_process = median_seconds(lambda: model.predict(inputs))

    features = spark.createDataFrame(frame).repartition(spark.sparkContext.defaultParallelism).cache()
    features.count()  # materialize the input outside the timing
    predict, version = champion_udf(spark, config)
    scored = score_features(features, predict, config.model_name, version, "2026-01-01 00:00:00")
    # Warm-up: a full pass starts every Python worker and loads the model in each, as a long-running
    # scoring job would have done before its steady state.
    scored.write.format("noop").mode("overwrite").save()
    through_spark = median_seconds(lambda: scored.write.format("noop").mode("overwrite").save())
    features.unpersist()
    return {
        "rows": rows,
        "in_process_rows_per_second": round(rows / in_process),
        "spark_udf_rows_per_second": round(rows / through_spark),
        "ratio": round(in_process / through_spark, 3),
        "timing": "median of 3 runs each, after a warm-up",
    }


def machine() -> dict:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def verdict(value: float, target: float, at_most: bool) -> str:
    met = value <= target if at_most else value >= target
    return f"{'met' if met else 'MISSED'} (target {'<=' if at_most else '>='} {target:g})"


def print_report(results: dict) -> None:
    lifecycles = results["lifecycle"]
    steps = list(lifecycles[0]["steps"])
    print(f"\nMachine: {results['machine']}")
    print("\nLifecycle wall time (s), run-all on a fresh lakehouse home")
    print(f"{'rows':>10} {'total':>8} " + " ".join(f"{name:>13}" for name in steps))
    for run in lifecycles:
        cells = " ".join(f"{run['steps'].get(name, 0.0):>13.1f}" for name in steps)
        print(f"{run['rows']:>10} {run['wall_seconds']:>8.1f} {cells}")
    growth = results["growth"]
    print("\nGrowth, time(largest) / time(smallest):")
    for name, factor in growth.items():
        print(f"  {name:<12} {factor:>6.2f}")
    scoring = results.get("scoring")
    if scoring:
        print(f"\nBatch scoring of {scoring['rows']} rows")
        print(f"  in-process model.predict  {scoring['in_process_rows_per_second']:>10} rows/s (the limit)")
        print(f"  Spark + MLflow UDF        {scoring['spark_udf_rows_per_second']:>10} rows/s")
        print(f"  ratio                     {scoring['ratio']:>10}")
    print("\nTargets")
    for name, (value, line) in results["targets"].items():
        print(f"  {name:<32} {value:>8} {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000", help="generated rows per lifecycle run")
    parser.add_argument("--scoring-rows", type=int, default=1_000_000, help="rows for the scoring benchmark")
    parser.add_argument("--output", default=str(PROJECT / "benchmarks" / "results.json"), help="JSON file")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    results: dict = {"machine": machine(), "lifecycle": []}
    with tempfile.TemporaryDirectory(prefix="lakehouse-bench-") as scratch:
        for rows in sizes:
            print(f"==> run-all --rows {rows}", flush=True)
            results["lifecycle"].append(run_lifecycle(rows, Path(scratch) / f"rows-{rows}"))
        smallest, largest = results["lifecycle"][0], results["lifecycle"][-1]
        results["growth"] = {
            name: round(largest["steps"][name] / smallest["steps"][name], 2)
            for name in ("features", "monitor")
            if smallest["steps"].get(name)
        }
        results["growth"]["lifecycle"] = round(largest["wall_seconds"] / smallest["wall_seconds"], 2)
        if args.scoring_rows:
            print(f"==> scoring {args.scoring_rows} rows", flush=True)
            results["scoring"] = scoring_throughput(
                Path(scratch) / f"rows-{largest['rows']}", args.scoring_rows
            )
    targets = {}
    by_rows = {run["rows"]: run for run in results["lifecycle"]}
    if 100_000 in by_rows:
        value = by_rows[100_000]["wall_seconds"]
        targets["lifecycle_seconds_at_100k"] = (
            value,
            verdict(value, TARGETS["lifecycle_seconds_at_100k"], True),
        )
    if 100_000 in by_rows and 1_000_000 in by_rows:
        value = round(by_rows[1_000_000]["wall_seconds"] / by_rows[100_000]["wall_seconds"], 2)
        targets["lifecycle_growth_1m_over_100k"] = (
            value,
            verdict(value, TARGETS["lifecycle_growth_1m_over_100k"], True),
        )
    if results.get("scoring") and results["scoring"]["rows"] >= 1_000_000:
        value = results["scoring"]["ratio"]
        targets["scoring_ratio_at_1m"] = (value, verdict(value, TARGETS["scoring_ratio_at_1m"], False))
    results["targets"] = targets
    print_report(results)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
