"""`features`: bronze -> customer features (MERGE) -> the training set."""

from __future__ import annotations

import argparse

from ..commands import Command, Context


def run_features(context: Context, args: argparse.Namespace) -> dict:
    from .build import build_features

    return build_features(context.spark, context.config)


COMMANDS = [
    Command(
        name="features",
        help="compute customer features from bronze (MERGE) and rebuild the training set",
        run=run_features,
    ),
]
