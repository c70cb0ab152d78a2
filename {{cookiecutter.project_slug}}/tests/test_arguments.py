"""Every argument of every command: a bad value is a usage error (exit 2, one line on stderr, no
traceback) where it is parsed. The parser is walked, so an option added without a bound fails here
without anyone naming it."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import cli

# Refused by every option that takes a value: negative, huge, not finite, not a number, empty, and dates
# no lifecycle can handle.
HOSTILE = (
    "-1",
    "99999999999999999999",
    "1e308",
    "nan",
    "inf",
    "-inf",
    "abc",
    "",
    " ",
    "0001-01-01",
    "9999-12-31",
)
# Allowed by some options (--seed 0), refused by others (--rows 0).
MAYBE = ("0",)


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (action,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return dict(action.choices)


def _value_options() -> list[tuple[str, argparse.Action]]:
    """(command, option) for every option of every command that takes a value."""
    return [
        (name, action)
        for name, subparser in _subparsers().items()
        for action in subparser._actions
        if action.option_strings and action.nargs != 0
    ]


VALUE_OPTIONS = _value_options()
IDS = [f"{name} {action.option_strings[-1]}" for name, action in VALUE_OPTIONS]


# Tried in order for a required option without choices: the first its type accepts is used.
SAMPLES = ("1", "2026-01-01")


def _valid(command: str, action: argparse.Action) -> str:
    if action.choices:
        return str(next(iter(action.choices)))
    for sample in SAMPLES:
        try:
            action.type(sample)
        except (argparse.ArgumentTypeError, TypeError, ValueError):
            continue
        return sample
    raise AssertionError(f"{command} {action.option_strings[-1]}: no sample value fits; add one to SAMPLES")


def _required(command: str, but: argparse.Action) -> list[str]:
    """Valid values of the command's required options (other than `but`)."""
    argv = []
    for action in _subparsers()[command]._actions:
        if action.required and action is not but and action.option_strings:
            argv += [action.option_strings[-1], _valid(command, action)]
    return argv


class Accepted(Exception):
    """The parser let the value through (the command itself never runs in these tests)."""


@pytest.fixture
def parse_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path))

    def accepted(*args, **kwargs):
        raise Accepted

    monkeypatch.setattr(cli, "load_config", accepted)


def _main(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int | str | None, str]:
    try:
        cli.main(argv)
    except SystemExit as exit_info:
        return exit_info.code, capsys.readouterr().err
    return "accepted", capsys.readouterr().err


@pytest.mark.parametrize(("command", "action"), VALUE_OPTIONS, ids=IDS)
def test_every_value_is_bounded_by_a_type_or_choices(command: str, action: argparse.Action) -> None:
    assert action.type is not None or action.choices is not None, (
        f"{command} {action.option_strings[-1]} accepts any text: give it a type from arguments.py"
    )


@pytest.mark.parametrize(("command", "action"), VALUE_OPTIONS, ids=IDS)
def test_hostile_values_are_one_line_usage_errors(
    command: str, action: argparse.Action, parse_only, capsys: pytest.CaptureFixture
) -> None:
    option = action.option_strings[-1]
    for value in (*HOSTILE, *MAYBE):
        code, err = _main([command, *_required(command, action), f"{option}={value}"], capsys)

        if value in MAYBE and code == "accepted":
            continue
        assert code == 2, f"{command} {option}={value!r} was accepted"
        assert "Traceback" not in err
        lines = err.strip().splitlines()
        assert len(lines) == 1, f"{command} {option}={value!r}:\n{err}"
        assert option in lines[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate-data", "--drift", "10"], "argument --drift: must be a number from 0 to 5, got 10"),
        (
            ["generate-data", "--days", "30"],
            "argument --days: must be a whole number from 61 to 3650, got 30",
        ),
        (["generate-data", "--rows", "99999999999999"], "argument --rows: must be a whole number from 1 to"),
        (["generate-data", "--start", "2026-02-30"], "argument --start: expected an ISO date"),
        (["train", "--tune", "--trials", "0"], "argument --trials: must be a whole number from 1 to"),
        (["validate", "--version", "one"], "argument --version: expected a whole number from 1 to"),
        (["run-job", "--target", "staging", "--wait-minutes", "nan"], "argument --wait-minutes: must be a"),
        (["deploy-jobs", "--target", "staging", "--wheel", "/nowhere/x.whl"], "is not a wheel file"),
        (["deploy-jobs", "--target", "staging", "--host", "example.com"], "argument --host: expected a URL"),
        (["run-all", "--rows", "0"], "argument --rows: must be a whole number from 1 to"),
    ],
)
def test_the_message_says_what_to_fix(argv: list[str], message: str, parse_only, capsys) -> None:
    code, err = _main(argv, capsys)

    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_run_alls_steps_accept_what_run_all_accepts() -> None:
    """run-all hands its --rows to generate-data: the two bounds are one."""
    rows = {name: parser for name, parser in _subparsers().items() if name in ("run-all", "generate-data")}
    types = {
        name: next(a.type for a in parser._actions if "--rows" in a.option_strings)
        for name, parser in rows.items()
    }

    assert types["run-all"] is types["generate-data"]
