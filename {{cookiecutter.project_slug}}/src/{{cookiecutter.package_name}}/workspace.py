"""The one way this project makes a Databricks client: unified auth, short timeouts, clear errors.

Every caller (deployer, serving, retraining trigger, MLflow set-up, seeding) goes through
`workspace_client`, so host resolution, authentication and timeouts behave the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config
from databricks.sdk.errors import DatabricksError, NotFound

from .config import WORKSPACE_TIMEOUT_SECONDS
from .errors import ConfigError, WorkspaceError

# The probe the SDK makes while building its config is best effort (it falls back to the explicit
# settings), so it gets only a few seconds of the budget.
PROBE_TIMEOUT_SECONDS = 5


def workspace_client(
    host: str | None = None, timeout_seconds: int = WORKSPACE_TIMEOUT_SECONDS
) -> WorkspaceClient:
    """A client through the SDK's unified auth (environment, config profile, OIDC in GitHub Actions,
    the job's own identity on Databricks). `host` None: the host that auth resolves.

    The SDK retries a failing call for 5 minutes by default; here every call, retries included, gets
    `timeout_seconds`, so an unreachable host fails after about PROBE_TIMEOUT_SECONDS + timeout_seconds.
    """
    settings: dict = {
        "retry_timeout_seconds": min(timeout_seconds, PROBE_TIMEOUT_SECONDS),
        "http_timeout_seconds": min(timeout_seconds, 30),
    }
    if host is not None:
        settings["host"] = host
    try:
        config = Config(**settings)
    except ValueError as error:
        where = host or "the workspace"
        raise ConfigError(
            f"cannot authenticate to {where}: {error}. "
            "Set DATABRICKS_HOST and DATABRICKS_TOKEN, or in GitHub "
            "Actions DATABRICKS_AUTH_TYPE=github-oidc with DATABRICKS_CLIENT_ID (see docs/)"
        ) from error
    # The API client reads the retry budget when it is created, after the probe.
    config.retry_timeout_seconds = timeout_seconds
    return WorkspaceClient(config=config)


def call[T](
    client: WorkspaceClient, description: str, function: Callable[..., T], /, *args: object, **kwargs: object
) -> T:
    """Run one API call; turn SDK and network errors into a WorkspaceError that names the call."""
    host = client.config.host
    try:
        return function(*args, **kwargs)
    except DatabricksError as error:
        code = getattr(error, "error_code", None) or type(error).__name__
        raise WorkspaceError(f"{description} failed on {host}: {code}: {error}") from error
    except (TimeoutError, OSError) as error:
        cause = error.__cause__ or error
        raise WorkspaceError(
            f"{description}: cannot reach the Databricks workspace {host} ({error}; last error: {cause}). "
            "Check DATABRICKS_HOST and the network, or raise --timeout"
        ) from error


def read_secret(client: WorkspaceClient, scope: str, key: str) -> str | None:
    """The value of a secret, or None when the scope or the key does not exist.

    Existence is checked with the documented list calls; the value is read through dbutils, which on
    Databricks is the runtime's own (the REST read is reserved for it) and elsewhere the SDK's remote one.
    """
    try:
        keys = {secret.key for secret in client.secrets.list_secrets(scope)}
    except NotFound:
        return None
    if key not in keys:
        return None
    return call(client, f"reading secret {key} of scope {scope}", client.dbutils.secrets.get, scope, key)
