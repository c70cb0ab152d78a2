"""Baking projects from this template for the tests."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text())
# A project unlike the default in every choice and in its names: the pull-request job's steps run on it.
NON_DEFAULT = {
    "project_name": "Acme Churn",
    "package_name": "acme_churn",
    "cloud": "gcp",
    "compute": "classic",
    "ci_auth": "token",
    "deploy_tool": "bundle",
    "serving": "endpoint",
    "dev_catalog": "acme_dev",
    "schema_name": "churn",
    "license": "Apache-2.0",
}
# The choice inputs (a list of values, the first the default) and their values.
OPTIONS = {
    field: values
    for field, values in DEFAULTS.items()
    if isinstance(values, list) and not field.startswith("_")
}


def bake(output_dir: Path, **extra_context: str) -> Path:
    """Generate a project with the defaults overridden by `extra_context`; return its folder."""
    project = cookiecutter(
        str(TEMPLATE_ROOT),
        no_input=True,
        output_dir=str(output_dir),
        extra_context=extra_context,
        overwrite_if_exists=False,
    )
    return Path(project)


def every_combination() -> list[dict[str, str]]:
    return [dict(zip(OPTIONS, values, strict=True)) for values in itertools.product(*OPTIONS.values())]


def value_pairs(combo: dict[str, str]) -> set[tuple[tuple[str, str], tuple[str, str]]]:
    return {((a, combo[a]), (b, combo[b])) for a, b in itertools.combinations(sorted(combo), 2)}


def pairwise_combinations() -> list[dict[str, str]]:
    """A few combinations that hold every pair of values of any two options, the defaults first.

    Options interact in pairs (e.g. ci_auth x deploy_tool in the workflows), so a covering set finds
    what the full product would at a fraction of the bakes (greedy: each next one covers the most
    pairs not yet covered).
    """
    every = every_combination()
    chosen = [dict(zip(OPTIONS, (values[0] for values in OPTIONS.values()), strict=True))]
    uncovered = set().union(*map(value_pairs, every)) - value_pairs(chosen[0])
    while uncovered:
        best = max(every, key=lambda combo: len(value_pairs(combo) & uncovered))
        chosen.append(best)
        uncovered -= value_pairs(best)
    return chosen
