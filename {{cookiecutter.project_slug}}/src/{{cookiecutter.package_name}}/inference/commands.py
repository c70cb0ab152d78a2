"""`score`: batch (default) or streaming scoring of the latest features with the @champion model."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from ..arguments import utc_datetime
from ..commands import Command, Context
from ..errors import ConfigError
from ..progress import logger
from .spec import AUTO, NATIVE, PYFUNC, SCORING_PATHS


def as_of_timestamp(text: str) -> str:
    """An ISO date or timestamp (UTC unless it has an offset) as 'yyyy-MM-dd HH:mm:ss' UTC."""
    return utc_datetime(text).strftime("%Y-%m-%d %H:%M:%S")


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=as_of_timestamp,
        help="score the features known at this UTC date/time (default: the latest feature_ts)",
    )
    parser.add_argument(
        "--stream",
        action="store_true",
        help="score new feature rows with Structured Streaming (availableNow)",
    )
    parser.add_argument(
        "--scoring-path",
        choices=SCORING_PATHS,
        default=AUTO,
        help=f"how the model is applied: {NATIVE} (its scikit-learn pipeline on the Spark workers), "
        f"{PYFUNC} (mlflow's spark_udf, any flavor), or {AUTO} ({NATIVE} when the model is scikit-learn)",
    )


def _run(context: Context, args: argparse.Namespace) -> dict:
    from .batch import score_batch
    from .champion import champion_scorer, champion_version
    from .streaming import run_scoring_stream

    if args.stream and args.as_of:
        raise ConfigError("--as-of applies to batch scoring; the stream scores each row as of its feature_ts")
    version = champion_version(context.config)  # before Spark starts: without one there is nothing to do
    scorer, version = champion_scorer(context.spark, context.config, version, args.scoring_path)
    logger.info(
        "score: version %s of %s scores by the %s path", version, context.config.model_name, scorer.path
    )
    if args.stream:
        summary = run_scoring_stream(context.spark, context.config, scorer, version)
    else:
        scored_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        summary = score_batch(context.spark, context.config, scorer, version, scored_at, as_of=args.as_of)
    return {**summary, "scoring_path": scorer.path}


COMMANDS = [
    Command(
        name="score",
        help="score the latest feature snapshot with the @champion model (predictions + inference log)",
        run=_run,
        add_arguments=_add_arguments,
    )
]
