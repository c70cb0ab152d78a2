"""Unity Catalog as the project meets it: catalogs (provisioned by an admin), schemas, volumes, and the
Files API that reads and writes volume files (and the internal paths MLflow stores artifacts under).

Volume files are real files under `<root>/Volumes/<catalog>/<schema>/<volume>/`: the folder a process
off Databricks uses as `/Volumes/...` when LAKEHOUSE_HOME is `<root>` (see config.py), so what the
Files API writes, the job tasks read, and the other way round. A path in a volume that does not exist
is refused, as on Databricks; nothing creates catalogs except the twin's set-up.
"""

from __future__ import annotations

import itertools
import secrets
import shutil
import time
import uuid
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path

from .server import ApiError, FakeRequest, FakeResponse
from .workspace import CURRENT_USER

NamespaceCheck = Callable[[list[str], bool], None]  # (path parts after the namespace, is_write)
PAGE_SIZE = 1000


class UnityCatalog:
    def __init__(self, root: Path, catalogs: tuple[str, ...]) -> None:
        self.root = root
        self._ids = itertools.count(1)
        self.catalogs = {name: self._info(name=name) for name in catalogs}
        self.schemas: dict[str, dict] = {}
        self.volumes: dict[str, dict] = {}
        self.namespaces: dict[str, NamespaceCheck] = {"Volumes": self._check_volume_path}
        self.host = "http://127.0.0.1"  # set by the twin once it listens
        self._presigned: dict[str, str] = {}

    def _info(self, **fields: object) -> dict:
        now = int(time.time() * 1000)
        return {
            **fields,
            "owner": CURRENT_USER,
            "created_at": now,
            "updated_at": now,
            "created_by": CURRENT_USER,
        }

    # --- schemas and volumes ---------------------------------------------------------------------
    def require_schema(self, catalog: str, schema: str) -> dict:
        if catalog not in self.catalogs:
            raise ApiError(404, "CATALOG_DOES_NOT_EXIST", f"Catalog '{catalog}' does not exist.")
        found = self.schemas.get(f"{catalog}.{schema}")
        if found is None:
            raise ApiError(404, "SCHEMA_DOES_NOT_EXIST", f"Schema '{catalog}.{schema}' does not exist.")
        return found

    def _create_schema(self, request: FakeRequest) -> dict:
        catalog, name = str(request.arg("catalog_name", "")), str(request.arg("name", ""))
        if catalog not in self.catalogs:
            raise ApiError(404, "CATALOG_DOES_NOT_EXIST", f"Catalog '{catalog}' does not exist.")
        full_name = f"{catalog}.{name}"
        if full_name in self.schemas:
            raise ApiError(409, "SCHEMA_ALREADY_EXISTS", f"Schema '{name}' already exists")
        self.schemas[full_name] = self._info(
            name=name, catalog_name=catalog, full_name=full_name, schema_id=f"schema-{next(self._ids)}"
        )
        return self.schemas[full_name]

    def _get_schema(self, request: FakeRequest) -> dict:
        catalog, _, schema = request.params["full_name"].partition(".")
        return self.require_schema(catalog, schema)

    def _create_volume(self, request: FakeRequest) -> dict:
        catalog, schema = str(request.arg("catalog_name", "")), str(request.arg("schema_name", ""))
        name, volume_type = str(request.arg("name", "")), str(request.arg("volume_type", ""))
        self.require_schema(catalog, schema)
        if volume_type not in ("MANAGED", "EXTERNAL"):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid volume_type {volume_type!r}.")
        full_name = f"{catalog}.{schema}.{name}"
        if full_name in self.volumes:
            raise ApiError(409, "VOLUME_ALREADY_EXISTS", f"Volume '{full_name}' already exists")
        self.volume_folder(catalog, schema, name).mkdir(parents=True, exist_ok=True)
        self.volumes[full_name] = self._info(
            name=name,
            catalog_name=catalog,
            schema_name=schema,
            full_name=full_name,
            volume_type=volume_type,
            volume_id=f"volume-{next(self._ids)}",
            storage_location=f"s3://twin-metastore/{catalog}/{schema}/{name}",
        )
        return self.volumes[full_name]

    def _get_volume(self, request: FakeRequest) -> dict:
        found = self.volumes.get(request.params["full_name"])
        if found is None:
            message = f"Volume '{request.params['full_name']}' does not exist."
            raise ApiError(404, "VOLUME_DOES_NOT_EXIST", message)
        return found

    def table(self, full_name: str) -> dict | None:
        """A table is there once a job has written it: a Delta table in the emulated warehouse
        (`<root>/warehouse/<catalog>/<schema>/<table>`, where job tasks write under LAKEHOUSE_HOME)."""
        parts = full_name.split(".")
        if len(parts) != 3 or not (self.root / "warehouse" / Path(*parts) / "_delta_log").is_dir():
            return None
        catalog, schema, name = parts
        table_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"twin-table:{full_name}"))
        return self._info(
            name=name,
            catalog_name=catalog,
            schema_name=schema,
            full_name=full_name,
            table_type="MANAGED",
            data_source_format="DELTA",
            table_id=table_id,
        )

    def table_by_id(self, table_id: str) -> dict | None:
        warehouse = self.root / "warehouse"
        for log in warehouse.glob("*/*/*/_delta_log"):
            table = self.table(".".join(log.parent.relative_to(warehouse).parts))
            if table is not None and table["table_id"] == table_id:
                return table
        return None

    def _get_table(self, request: FakeRequest) -> dict:
        full_name = request.params["full_name"]
        catalog, _, rest = full_name.partition(".")
        self.require_schema(catalog, rest.partition(".")[0])
        found = self.table(full_name)
        if found is None:
            raise ApiError(404, "TABLE_DOES_NOT_EXIST", f"Table '{full_name}' does not exist.")
        return found

    def _get_catalog(self, request: FakeRequest) -> dict:
        found = self.catalogs.get(request.params["name"])
        if found is None:
            raise ApiError(
                404, "CATALOG_DOES_NOT_EXIST", f"Catalog '{request.params['name']}' does not exist."
            )
        return found

    def volume_folder(self, catalog: str, schema: str, volume: str) -> Path:
        return self.root / "Volumes" / catalog / schema / volume

    # --- files -----------------------------------------------------------------------------------
    def local_path(self, path: str, write: bool = False) -> Path:
        """Where a Files API path is kept; refuses paths outside an existing volume or namespace."""
        parts = [part for part in path.split("/") if part]
        if not parts or parts[0] not in self.namespaces or any(part in (".", "..") for part in parts):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"The path {path} is not a valid Files API path.")
        self.namespaces[parts[0]](parts[1:], write)
        if parts[0] == "Volumes":
            return self.root.joinpath(*parts)
        return self.root.joinpath(".twin-files", *parts)

    def _check_volume_path(self, parts: list[str], write: bool) -> None:
        if len(parts) < 3 or f"{parts[0]}.{parts[1]}.{parts[2]}" not in self.volumes:
            volume = ".".join(parts[:3])
            raise ApiError(404, "NOT_FOUND", f"Volume '{volume}' does not exist (create it first).")

    def _put_file(self, request: FakeRequest) -> FakeResponse:
        target = self.local_path(request.params["path"], write=True)
        if target.is_dir():
            raise ApiError(409, "ALREADY_EXISTS", f"{request.params['path']} is a directory.")
        if target.exists() and request.query.get("overwrite", "true").lower() != "true":
            raise ApiError(409, "ALREADY_EXISTS", f"The file {request.params['path']} already exists.")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.uploading")
        partial.write_bytes(request.body)
        partial.replace(target)
        return FakeResponse(204)

    def _file(self, request: FakeRequest) -> Path:
        target = self.local_path(request.params["path"])
        if not target.is_file():
            raise ApiError(404, "NOT_FOUND", f"The file {request.params['path']} does not exist.")
        return target

    def _get_file(self, request: FakeRequest) -> FakeResponse:
        target = self._file(request)
        return FakeResponse(200, raw=target.read_bytes(), headers=self._file_headers(target))

    def _create_download_url(self, request: FakeRequest) -> dict:
        """A presigned URL, as the SDK asks for first: here it points back at the twin's storage."""
        path = str(request.arg("path", ""))
        if not self.local_path(path).is_file():
            raise ApiError(404, "NOT_FOUND", f"The file {path} does not exist.")
        token = secrets.token_urlsafe(16)
        self._presigned[token] = path
        return {
            "url": f"{self.host}/presigned/{token}",
            "headers": [{"name": "x-twin-presigned", "value": "1"}],
        }

    def _get_presigned(self, request: FakeRequest) -> FakeResponse:
        path = self._presigned.get(request.params["token"])
        if path is None:
            raise ApiError(403, "PERMISSION_DENIED", "The presigned URL is not valid.")
        target = self.local_path(path)
        return FakeResponse(200, raw=target.read_bytes(), headers=self._file_headers(target))

    def _file_headers(self, target: Path) -> dict[str, str]:
        return {"Last-Modified": formatdate(target.stat().st_mtime, usegmt=True)}

    def _delete_file(self, request: FakeRequest) -> FakeResponse:
        self._file(request).unlink()
        return FakeResponse(204)

    def _put_directory(self, request: FakeRequest) -> FakeResponse:
        target = self.local_path(request.params["path"], write=True)
        if target.is_file():
            raise ApiError(409, "ALREADY_EXISTS", f"{request.params['path']} is a file.")
        target.mkdir(parents=True, exist_ok=True)
        return FakeResponse(204)

    def _directory(self, request: FakeRequest) -> Path:
        target = self.local_path(request.params["path"])
        if not target.is_dir():
            raise ApiError(404, "NOT_FOUND", f"The directory {request.params['path']} does not exist.")
        return target

    def _head_directory(self, request: FakeRequest) -> FakeResponse:
        self._directory(request)
        return FakeResponse(200, raw=b"")

    def _list_directory(self, request: FakeRequest) -> dict:
        folder = self._directory(request)
        base = request.params["path"].rstrip("/")
        entries = sorted(entry for entry in folder.iterdir() if not entry.name.startswith("."))
        start = int(request.query.get("page_token") or 0)
        page = entries[start : start + PAGE_SIZE]
        body: dict = {
            "contents": [
                {
                    "path": f"{base}/{entry.name}",
                    "name": entry.name,
                    "is_directory": entry.is_dir(),
                    **({"file_size": entry.stat().st_size} if entry.is_file() else {}),
                    "last_modified": int(entry.stat().st_mtime * 1000),
                }
                for entry in page
            ]
        }
        if start + PAGE_SIZE < len(entries):
            body["next_page_token"] = str(start + PAGE_SIZE)
        return body

    def _delete_directory(self, request: FakeRequest) -> FakeResponse:
        folder = self._directory(request)
        if any(folder.iterdir()):
            raise ApiError(
                409, "DIRECTORY_NOT_EMPTY", f"The directory {request.params['path']} is not empty."
            )
        shutil.rmtree(folder)
        return FakeResponse(204)

    # --- routes ----------------------------------------------------------------------------------
    def routes(self) -> dict:
        return {
            ("GET", "/api/2.1/unity-catalog/catalogs/{name}"): self._get_catalog,
            ("POST", "/api/2.1/unity-catalog/schemas"): self._create_schema,
            ("GET", "/api/2.1/unity-catalog/schemas/{full_name}"): self._get_schema,
            ("GET", "/api/2.1/unity-catalog/tables/{full_name}"): self._get_table,
            ("POST", "/api/2.1/unity-catalog/volumes"): self._create_volume,
            ("GET", "/api/2.1/unity-catalog/volumes/{full_name}"): self._get_volume,
            ("POST", "/api/2.0/fs/create-download-url"): self._create_download_url,
            ("GET", "/presigned/{token}"): self._get_presigned,
            ("PUT", "/api/2.0/fs/files{path*}"): self._put_file,
            ("GET", "/api/2.0/fs/files{path*}"): self._get_file,
            ("HEAD", "/api/2.0/fs/files{path*}"): self._get_file,  # the server sends no body for HEAD
            ("DELETE", "/api/2.0/fs/files{path*}"): self._delete_file,
            ("PUT", "/api/2.0/fs/directories{path*}"): self._put_directory,
            ("GET", "/api/2.0/fs/directories{path*}"): self._list_directory,
            ("HEAD", "/api/2.0/fs/directories{path*}"): self._head_directory,
            ("DELETE", "/api/2.0/fs/directories{path*}"): self._delete_directory,
        }
