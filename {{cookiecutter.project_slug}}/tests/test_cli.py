"""The CLI end to end, in-process: exit codes, the --json last line, run-all; and in processes of its
own: what a command loads, and what it leaves running when it exits."""

import inspect
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.config import EMULATE_WORKSPACE_VARIABLE, PACKAGE_NAME, load_config
from {{ cookiecutter.package_name }}.contracts.model import (
    BASELINE_TABLE_TAG,
    CHALLENGER,
    CHAMPION,
    GATE_PASSED,
    GATE_STATUS_TAG,
    PREVIOUS_CHAMPION,
)
from {{ cookiecutter.package_name }}.contracts.tables import Table
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.progress import logger
from {{ cookiecutter.package_name }}.spark import delta_jars_record, recorded_jars
from {{ cookiecutter.package_name }}.tracking import configure_mlflow


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


def test_a_command_run_in_process_logs_to_stderr_and_leaves_the_logger_as_it_was(home: Path, capsys) -> None:
    """Otherwise the next test's (or notebook cell's) log lines go to this one's closed stderr capture."""
    before = (logger.handlers[:], logger.level, logger.propagate)

    assert cli.main(["generate-data", "--rows", "10"]) == 0

    assert "generate-data: started" in capsys.readouterr().err
    assert (logger.handlers, logger.level, logger.propagate) == before


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


def test_run_all_without_json_ends_with_the_readable_summary(
    home: Path, spark, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "LIFECYCLE", ("generate-data", "ingest"))

    assert cli.main(["run-all", "--rows", "200"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Lifecycle"
    assert re.fullmatch(r"  generate-data +[\d.]+ s  200 events, \d+ labels from 2026-01-01", out[1])
    assert re.fullmatch(
        r"  ingest +[\d.]+ s  200 rows in = \d+ accepted \+ \d+ quarantined \+ \d+ duplicates", out[2]
    )
    assert "Tables (rows, Delta version)" in out
    assert any(re.fullmatch(r"  bronze_events +\d+  v\d+", line) for line in out)
    assert re.fullmatch(r"Total: [\d.]+ s", out[-1])


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


def _help(capsys: pytest.CaptureFixture, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit:
        cli.main([*argv, "--help"])
    assert exit.value.code == 0
    return capsys.readouterr().out


def _error_classes(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _error_classes(sub)


def test_generate_data_on_a_landing_zone_with_data_writes_the_next_period(
    home: Path, capsys: pytest.CaptureFixture
) -> None:
    assert cli.main(["generate-data", "--rows", "200", "--days", "61", "--json"]) == 0
    first = _last_json_line(capsys)
    assert cli.main(["generate-data", "--rows", "200", "--days", "61", "--drift", "1", "--json"]) == 0
    second = _last_json_line(capsys)
    assert (
        cli.main(["generate-data", "--rows", "200", "--days", "61", "--start", "2026-01-01", "--json"]) == 0
    )
    again = _last_json_line(capsys)

    assert (first["start"], second["start"], again["start"]) == ("2026-01-01", "2026-03-03", "2026-01-01")
    assert again["batch"] == first["batch"]  # an explicit --start writes that period again, in place
    files = sorted(path.name for path in (home / "landing" / "events").glob("*.csv"))
    assert files == sorted([f"{first['batch']}-part-00000.csv", f"{second['batch']}-part-00000.csv"])


def test_generate_data_warns_when_its_period_runs_past_now(home: Path, capsys: pytest.CaptureFixture) -> None:
    today = f"{datetime.now(UTC):%Y-%m-%d}"

    assert cli.main(["generate-data", "--rows", "100", "--days", "61", "--start", today]) == 0

    warnings = [line for line in capsys.readouterr().err.splitlines() if "WARNING" in line]
    assert len(warnings) == 1 and "run past now" in warnings[0] and "in_the_future" in warnings[0]


def test_the_top_level_help_ends_with_every_exit_code(capsys: pytest.CaptureFixture) -> None:
    codes = {0, LifecycleError.exit_code, *(error.exit_code for error in _error_classes(LifecycleError))}

    epilog = _help(capsys).split("Exit codes:", 1)[1]

    listed = {int(line.split()[0]) for line in epilog.splitlines() if line[:3].strip().isdigit()}
    assert listed == codes


@pytest.mark.parametrize("command", [command.name for command in (*cli.REGISTERED, cli.RUN_ALL)])
def test_every_command_describes_itself_in_its_own_help(command: str, capsys: pytest.CaptureFixture) -> None:
    help_text = next(c.help for c in (*cli.REGISTERED, cli.RUN_ALL) if c.name == command)

    text = " ".join(_help(capsys, command).split())

    assert help_text and f"{help_text[0].upper()}{help_text[1:]}." in text


# --- in processes of their own ----------------------------------------------------------------------
def _environment(home: Path) -> dict[str, str]:
    return {**os.environ, "LAKEHOUSE_HOME": str(home), "PYTHONPATH": os.pathsep.join(filter(None, sys.path))}


def _python(code: str, *args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=_environment(home),
        check=False,
    )


def _registered_with_baselines(home: Path) -> tuple[MlflowClient, str]:
    """Two versions that passed the gate and whose baselines were snapshotted: 1 the @champion, 2 the
    @challenger."""
    config = load_config("local", home=home)
    configure_mlflow(config)
    client = MlflowClient()
    client.create_registered_model(config.model_name)
    baselines = config.table(Table.CHAMPION_BASELINES).identifier
    tags = {GATE_STATUS_TAG: GATE_PASSED, BASELINE_TABLE_TAG: baselines}
    for _ in range(2):
        client.create_model_version(config.model_name, source=str(home / "model"), tags=tags)
    client.set_registered_model_alias(config.model_name, CHAMPION, "1")
    client.set_registered_model_alias(config.model_name, CHALLENGER, "2")
    return client, config.model_name


# What starts Spark (the package's session factory and tables, Delta), the Databricks SDK, scikit-learn.
# (`import mlflow` itself imports pyspark's Python modules, which start no JVM.)
NOT_FOR_ALIASES = [
    *(f"{PACKAGE_NAME}.{module}" for module in ("spark", "tables", "training.baseline", "workspace")),
    *("delta", "databricks.sdk", "sklearn"),
]
LOADED_PROBE = f"""
import json, sys
from {PACKAGE_NAME}.cli import main
codes = [main([name, "--json"]) for name in sys.argv[1:]]
print(json.dumps(dict(codes=codes, loaded=[name for name in {NOT_FOR_ALIASES!r} if name in sys.modules])))
"""


def test_promote_and_rollback_of_versions_with_baselines_start_no_spark_nor_sdk(home: Path) -> None:
    """They only move aliases: no Spark session (a JVM), no Databricks SDK, no scikit-learn."""
    client, name = _registered_with_baselines(home)

    result = _python(LOADED_PROBE, "promote", "rollback", home=home)

    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"codes": [0, 0], "loaded": []}
    # The local registry gives versions as int.
    assert str(client.get_model_version_by_alias(name, CHAMPION).version) == "1"
    assert str(client.get_model_version_by_alias(name, PREVIOUS_CHAMPION).version) == "1"
    assert "promoted_at" in client.get_model_version(name, "2").tags


def processes() -> Iterator[tuple[int, str, str, int, int]]:
    """(pid, name, state, parent pid, process group) of every process, from Linux's /proc/<pid>/stat."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, fields = stat.read_text().rsplit(") ", 1)
        except OSError:  # it exited meanwhile
            continue
        state, parent, group = fields.split()[:3]
        yield int(stat.parent.name), head.split(" (", 1)[1], state, int(parent), int(group)


# A line the package logger writes to stderr (progress.py): time, level, message.
PROGRESS_LINE = re.compile(r"^\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")
ENTRY_PROBE = f"""
import json, os, sys
from collections.abc import Iterator
from pathlib import Path
from {PACKAGE_NAME} import cli
{inspect.getsource(processes)}
sys.argv = ["{PACKAGE_NAME}", *sys.argv[1:]]
try:
    cli.entry()
except SystemExit as exit:
    code = exit.code
# Its children once entry() is done: running, or exited and not collected (state Z).
children = [name for _, name, _, parent, _ in processes() if parent == os.getpid()]
print(json.dumps(dict(code=code, children=children)))
"""


@pytest.mark.integration
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_a_spark_command_leaves_no_process_behind(home: Path) -> None:
    """`ingest` starts Spark (a JVM, which starts Python workers); by the time the command process
    exits, the JVM has exited and been collected, and its process group runs nothing more."""
    generated = _python(ENTRY_PROBE, "generate-data", "--rows", "50", home=home)
    assert json.loads(generated.stdout.strip().splitlines()[-1]) == {"code": 0, "children": []}

    with subprocess.Popen(
        [sys.executable, "-c", ENTRY_PROBE, "ingest"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(home),
        start_new_session=True,  # its process group is its pid
    ) as ingest:
        out, err = ingest.communicate(timeout=600)
    # An exited process (state Z) only waits for init to collect it.
    running = [
        (name, state) for _, name, state, _, group in processes() if group == ingest.pid and state != "Z"
    ]

    assert json.loads(out.strip().splitlines()[-1]) == {"code": 0, "children": []}, err[-3000:]
    assert "ingest: done" in err
    assert running == []
    # Quiet by default: the command's own progress lines, not Spark's start-up (log4j, Ivy) chatter.
    assert _spark_lines(err) == []


def _spark_lines(stderr: str) -> list[str]:
    """What is not a progress line of the command. The JVM's own notice of the incubator module Spark 4
    loads cannot be turned off."""
    return [
        line
        for line in stderr.splitlines()
        if not PROGRESS_LINE.match(line) and line != "WARNING: Using incubator modules: jdk.incubator.vector"
    ]


@pytest.mark.integration
def test_the_first_session_on_a_machine_resolves_the_delta_jars_without_ivy_s_report(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No record of the Delta jars yet (a new machine, or a new delta-spark): Ivy resolves them in a
    child process whose report stays out of the terminal, and the jars are recorded for the next ones."""
    cache = tmp_path / "cache"
    env = {**_environment(home), "XDG_CACHE_HOME": str(cache), "SPARK_CLASS_SHARING": "off"}

    result = subprocess.run(
        [sys.executable, "-m", PACKAGE_NAME, "tables"], capture_output=True, text=True, env=env, check=False
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert "spark: resolving the Delta Lake jars" in result.stderr
    assert _spark_lines(result.stderr) == []
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    assert recorded_jars(delta_jars_record()) is not None
