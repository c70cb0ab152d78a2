"""Workspace objects in one namespace, as Databricks keeps them: folders, files, MLflow experiments.

`/Shared/x` and `/Workspace/Shared/x` name the same object. A folder cannot be created where a file or
an experiment is, nor an experiment where a folder or file is, and an experiment or file needs its
parent folder to exist (the workspace never creates parents for them).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from .server import ApiError, FakeRequest

DIRECTORY, FILE, EXPERIMENT = "DIRECTORY", "FILE", "MLFLOW_EXPERIMENT"
CURRENT_USER = "deployer@example.com"
ROOTS = ("/", "/Shared", "/Users", f"/Users/{CURRENT_USER}")


@dataclass
class WorkspaceObject:
    path: str
    object_type: str
    object_id: int
    content: bytes = b""

    def status(self) -> dict:
        status = {"path": self.path, "object_type": self.object_type, "object_id": self.object_id}
        if self.object_type == FILE:
            status["size"] = len(self.content)
        if self.object_type == EXPERIMENT:
            status["resource_id"] = str(self.object_id)
        return status


def normalize(path: str) -> str:
    """The canonical form of a workspace path: no /Workspace prefix, no trailing slash."""
    if not path.startswith("/"):
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Path ({path}) must be absolute.")
    if path == "/Workspace" or path.startswith("/Workspace/"):
        path = path.removeprefix("/Workspace") or "/"
    return path.rstrip("/") or "/"


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


class WorkspaceTree:
    def __init__(self) -> None:
        self._ids = itertools.count(4_000_000_000)
        self.objects: dict[str, WorkspaceObject] = {}
        # Personal access tokens of other users (the workspace knows whose a token is); any other
        # token is CURRENT_USER's.
        self.token_users: dict[str, str] = {}
        for root in ROOTS:
            self.objects[root] = WorkspaceObject(root, DIRECTORY, next(self._ids))

    def get(self, path: str) -> WorkspaceObject | None:
        return self.objects.get(normalize(path))

    def require(self, path: str) -> WorkspaceObject:
        found = self.get(path)
        if found is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Path ({path}) doesn't exist.")
        return found

    def mkdirs(self, path: str) -> None:
        path = normalize(path)
        parts = path.strip("/").split("/") if path != "/" else []
        for depth in range(1, len(parts) + 1):
            current = "/" + "/".join(parts[:depth])
            existing = self.objects.get(current)
            if existing is None:
                self.objects[current] = WorkspaceObject(current, DIRECTORY, next(self._ids))
            elif existing.object_type != DIRECTORY:
                raise ApiError(
                    400,
                    "RESOURCE_ALREADY_EXISTS",
                    f"Cannot create directory {path}: {current} already exists as {existing.object_type}.",
                )

    def create(self, path: str, object_type: str, content: bytes = b"", overwrite: bool = False) -> int:
        """Create a file or an experiment at `path`; its parent folder must exist. Returns its id."""
        path = normalize(path)
        parent = self.objects.get(_parent(path))
        if parent is None or parent.object_type != DIRECTORY:
            raise ApiError(
                404, "RESOURCE_DOES_NOT_EXIST", f"Parent directory {_parent(path)} does not exist."
            )
        existing = self.objects.get(path)
        if existing is not None:
            if not (overwrite and existing.object_type == object_type == FILE):
                raise ApiError(
                    400,
                    "RESOURCE_ALREADY_EXISTS",
                    f"Node named '{path.rsplit('/', 1)[-1]}' already exists "
                    f"({existing.object_type}) at {path}.",
                )
            existing.content = content
            return existing.object_id
        created = WorkspaceObject(path, object_type, next(self._ids), content)
        self.objects[path] = created
        return created.object_id

    def delete(self, path: str, recursive: bool = False) -> None:
        path = normalize(path)
        self.require(path)
        children = [other for other in self.objects if other.startswith(path + "/")]
        if children and not recursive:
            raise ApiError(400, "DIRECTORY_NOT_EMPTY", f"Folder ({path}) is not empty.")
        for other in [path, *children]:
            del self.objects[other]

    def children(self, path: str) -> list[WorkspaceObject]:
        path = normalize(path)
        prefix = path.rstrip("/") + "/"
        return [
            obj
            for key, obj in sorted(self.objects.items())
            if key.startswith(prefix) and "/" not in key[len(prefix) :]
        ]

    # --- routes ----------------------------------------------------------------------------------
    def routes(self) -> dict:
        return {
            ("GET", "/api/2.0/workspace/get-status"): self._get_status,
            ("GET", "/api/2.0/workspace/list"): self._list,
            ("POST", "/api/2.0/workspace/mkdirs"): lambda request: self.mkdirs(str(request.arg("path", ""))),
            ("POST", "/api/2.0/workspace/import"): self._import,
            ("POST", "/api/2.0/workspace/delete"): self._delete,
            ("GET", "/api/2.0/preview/scim/v2/Me"): self._me,
        }

    def _get_status(self, request: FakeRequest) -> dict:
        return self.require(str(request.arg("path", ""))).status()

    def _list(self, request: FakeRequest) -> dict:
        folder = self.require(str(request.arg("path", "")))
        if folder.object_type != DIRECTORY:
            return {"objects": [folder.status()]}
        return {"objects": [child.status() for child in self.children(folder.path)]}

    def _import(self, request: FakeRequest) -> None:
        form = request.form() if request.json is None else {}
        fields = {key: value.decode() if key != "content" else value for key, value in form.items()}
        if request.json is not None:
            import base64

            fields = {**request.json, "content": base64.b64decode(request.json.get("content", ""))}
        overwrite = str(fields.get("overwrite", "false")).lower() == "true"
        self.create(str(fields["path"]), FILE, fields.get("content", b""), overwrite=overwrite)

    def _delete(self, request: FakeRequest) -> None:
        self.delete(str(request.arg("path", "")), bool(request.arg("recursive", False)))

    def _me(self, request: FakeRequest) -> dict:
        """The caller, as identified by its token (SCIM `Me`)."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        user = self.token_users.get(token, CURRENT_USER)
        users = [CURRENT_USER, *dict.fromkeys(self.token_users.values())]
        return {
            "id": str(7000000000000001 + users.index(user)),
            "userName": user,
            "displayName": user.split("@")[0].title(),
            "active": True,
            "emails": [{"value": user, "primary": True}],
        }
