"""The --as-of argument of `score`."""

import argparse

import pytest

from {{ cookiecutter.package_name }}.inference.commands import as_of_timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-30", "2026-04-30 00:00:00"),
        ("2026-04-30T13:45:10", "2026-04-30 13:45:10"),
        ("2026-04-30T13:45:10+02:00", "2026-04-30 11:45:10"),
        ("2026-04-30 23:00:00Z", "2026-04-30 23:00:00"),
    ],
)
def test_as_of_is_normalised_to_utc(text: str, expected: str) -> None:
    assert as_of_timestamp(text) == expected


def test_a_bad_as_of_is_a_usage_error() -> None:
    with pytest.raises(
        argparse.ArgumentTypeError, match="expected an ISO date or timestamp like 2026-04-30, got '30/04'"
    ):
        as_of_timestamp("30/04")


def test_without_a_champion_score_is_skipped_not_failed(tmp_path, monkeypatch, capsys) -> None:
    import json

    from {{ cookiecutter.package_name }} import cli

    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path))

    code = cli.main(["score", "--json"])

    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (code, summary["command"], summary["status"]) == (0, "score", "skipped")
    assert summary["reason"].startswith("no @champion of ")
