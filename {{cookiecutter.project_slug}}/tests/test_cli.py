"""The CLI end to end, in-process: exit codes, the --json last line, run-all."""

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.config import EMULATE_WORKSPACE_VARIABLE, load_config


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path))
    return tmp_path


def _last_json_line(capsys: pytest.CaptureFixture) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_generate_data_prints_a_json_summary(home: Path, capsys) -> None:
    code = cli.main(["generate-data", "--rows", "300", "--seed", "4", "--json"])

    summary = _last_json_line(capsys)
    assert code == 0
    assert summary["command"] == "generate-data" and summary["status"] == "ok"
    assert summary["events"] == 300 and summary["files"] == 2
    assert summary["landing_path"] == str(home / "landing")
    assert len(list((home / "landing" / "events").glob("*.csv"))) == 1


def test_run_all_generates_data_only_when_the_landing_zone_is_empty(
    home: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the first step: the whole lifecycle has its own integration test (test_lifecycle.py).
    monkeypatch.setattr(cli, "LIFECYCLE", ("generate-data",))

    assert cli.main(["run-all", "--rows", "200", "--json"]) == 0
    first = _last_json_line(capsys)
    assert cli.main(["run-all", "--rows", "200", "--json"]) == 0
    second = _last_json_line(capsys)

    assert first["steps"]["generate-data"]["events"] == 200
    assert second["steps"]["generate-data"] == {"skipped": True}


def test_an_unknown_environment_is_a_usage_error(home: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["generate-data", "--env", "qa"])

    assert exit_info.value.code == 2
    assert "invalid choice: 'qa'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["deploy-jobs", "run-job", "seed-data"])
def test_workspace_commands_take_a_target_not_an_env(command: str, home: Path, capsys) -> None:
    """They would ignore --env (their workspace is --target's), so they refuse it instead."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--target", "staging", "--env", "staging"])

    assert exit_info.value.code == 2
    assert "unrecognized arguments: --env staging" in capsys.readouterr().err


def test_a_bad_row_count_is_a_usage_error(home: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["generate-data", "--rows", "0"])

    assert exit_info.value.code == 2
    assert "--rows: must be a whole number from 1 to 10000000, got 0" in capsys.readouterr().err


def test_a_failing_command_exits_1_with_a_json_error(home: Path, monkeypatch, capsys) -> None:
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", str(home / "landing"))

    monkeypatch.setattr("{{ cookiecutter.package_name }}.data.landing.write_landing_files", full_disk)

    code = cli.main(["generate-data", "--rows", "10", "--json"])

    summary = _last_json_line(capsys)
    assert code == 1
    assert summary["command"] == "generate-data" and summary["status"] == "failed"
    assert "No space left on device" in summary["error"]


@pytest.mark.parametrize(
    ("env", "argv"), [("prod", ["generate-data"]), ("staging", ["ingest"]), ("dev", ["tables"])]
)
def test_off_databricks_a_data_command_of_a_workspace_env_is_refused(
    env: str, argv: list[str], home: Path, capsys
) -> None:
    code = cli.main([*argv, "--env", env])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1, err
    assert f"--env {env}" in err[0] and "run-job" in err[0] and "--env local" in err[0]
    assert f"{EMULATE_WORKSPACE_VARIABLE}=1" in err[0]
    assert list(home.iterdir()) == []


def test_with_the_emulation_switch_a_workspace_env_keeps_its_data_under_the_home(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv(EMULATE_WORKSPACE_VARIABLE, "1")

    code = cli.main(["generate-data", "--env", "staging", "--rows", "300", "--json"])

    summary = _last_json_line(capsys)
    assert code == 0
    assert summary["landing_path"] == load_config("staging", home=home, on_databricks=False).landing_path
    assert Path(summary["landing_path"]).is_relative_to(home / "Volumes")


@pytest.mark.parametrize("name", cli.LIFECYCLE)
def test_run_all_gives_each_step_the_defaults_of_its_command_line(name: str) -> None:
    command = next(command for command in cli.REGISTERED if command.name == name)
    from_command_line = vars(cli.build_parser().parse_args([name]))

    defaults = vars(command.defaults())

    assert defaults == {key: from_command_line[key] for key in defaults}
    with pytest.raises(TypeError, match="no argument"):
        command.defaults(no_such_option=1)


def test_the_approval_step_is_skipped_where_no_approval_is_required(home: Path, capsys) -> None:
    from {{ cookiecutter.package_name }}.commands import Context, run_steps

    code = cli.main(["check-approval", "--json"])
    summary = _last_json_line(capsys)
    context = Context(load_config("local"), {command.name: command for command in cli.REGISTERED})
    steps = run_steps(context, ["check-approval"])

    assert (code, summary["status"]) == (0, "skipped")
    assert "environment local requires no approval" in summary["reason"]
    assert steps["check-approval"]["skipped"] is True
