"""Errors that end a command, each with the exit code the CLI returns for it."""


class LifecycleError(Exception):
    """A command failed; the message says what went wrong and what to do."""

    exit_code = 1


class ConfigError(LifecycleError):
    """Bad configuration or usage."""

    exit_code = 2


class UsageError(ConfigError):
    """An argument names what does not exist (a model version, a date outside the data); the message
    says what does. Values that are wrong whatever the data are refused by the parser (arguments.py)."""


class WorkspaceError(LifecycleError):
    """The Databricks workspace refused a call or could not be reached; the message names the call and why."""


class HomeBusyError(LifecycleError):
    """Another command is writing to the same lakehouse home (lakehouse.py); the message names it."""

    exit_code = 5


class GateRejectedError(LifecycleError):
    """The validation gate rejected a model version."""

    exit_code = 3


class MonitoringAlertError(LifecycleError):
    """Monitoring raised an alert and the command was asked to fail on alerts."""

    exit_code = 4


class NothingToDo(Exception):
    """A command found nothing to act on yet (e.g. no @champion): it ends with status "skipped", exit 0."""
