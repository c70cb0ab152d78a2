"""What the jobs need in the workspace before they can run, created idempotently by deploy-jobs:
the schema, the registered model (so that it can be linked to its deployment job before the first
version exists), the Unity Catalog volumes, the folder of the MLflow experiments, the secret scope.

Reading them makes no change (`check_prerequisites`); `create_missing` creates only what is absent and
accepts one created meanwhile by someone else. The catalog is never created: it belongs to an admin.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, ResourceAlreadyExists, ResourceConflict
from databricks.sdk.service.catalog import VolumeType

from ..config import EXPERIMENTS_FOLDER, VOLUMES, load_config
from ..workspace import call
from .registry_api import create_model, get_model

SCHEMA, VOLUME, FOLDER, SECRET_SCOPE = "schema", "volume", "folder", "secret scope"
MODEL = "registered model"


@dataclass(frozen=True)
class Prerequisite:
    kind: str  # SCHEMA, MODEL, VOLUME, FOLDER or SECRET_SCOPE
    name: str  # catalog.schema, catalog.schema.model or .volume, a workspace path, a scope name
    present: bool


def required(target: str) -> list[tuple[str, str]]:
    """(kind, name) of everything the target's jobs need, in creation order."""
    config = load_config(target, on_databricks=True)
    schema = f"{config.catalog}.{config.schema}"
    return [
        (SCHEMA, schema),
        (MODEL, config.model_name),
        *[(VOLUME, f"{schema}.{volume}") for volume in VOLUMES],
        (FOLDER, EXPERIMENTS_FOLDER),
        (SECRET_SCOPE, config.secret_scope or ""),
    ]


def check_prerequisites(client: WorkspaceClient, target: str) -> list[Prerequisite]:
    scopes = {
        scope.name
        for scope in call(client, "listing secret scopes", lambda: list(client.secrets.list_scopes()))
    }
    found = []
    for kind, name in required(target):
        present = name in scopes if kind == SECRET_SCOPE else _exists(client, kind, name)
        found.append(Prerequisite(kind, name, present))
    return found


def _exists(client: WorkspaceClient, kind: str, name: str) -> bool:
    if kind == MODEL:
        return get_model(client, name) is not None
    read = {SCHEMA: client.schemas.get, VOLUME: client.volumes.read, FOLDER: client.workspace.get_status}[
        kind
    ]

    def probe() -> bool:
        try:
            read(name)
        except NotFound:
            return False
        return True

    return call(client, f"checking {kind} {name}", probe)


def create_missing(client: WorkspaceClient, prerequisites: list[Prerequisite]) -> None:
    for item in prerequisites:
        if item.present:
            continue
        if item.kind == MODEL:
            create_model(client, item.name)
        else:
            call(client, f"creating {item.kind} {item.name}", _create, client, item)


def _create(client: WorkspaceClient, item: Prerequisite) -> None:
    """Create one prerequisite; one created meanwhile by someone else is what we wanted too."""
    parts = item.name.split(".")
    with contextlib.suppress(ResourceAlreadyExists, ResourceConflict):
        if item.kind == SCHEMA:
            client.schemas.create(parts[1], parts[0])
        elif item.kind == VOLUME:
            client.volumes.create(parts[0], parts[1], parts[2], VolumeType.MANAGED)
        elif item.kind == FOLDER:
            client.workspace.mkdirs(item.name)
        else:
            client.secrets.create_scope(item.name)
