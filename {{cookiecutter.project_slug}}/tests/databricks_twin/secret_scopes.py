"""Secret scopes: create, list, put, get (the value comes back base64-encoded, as from the REST API)."""

from __future__ import annotations

import base64
import time

from .server import ApiError, FakeRequest
from .workspace import CURRENT_USER


class Secrets:
    def __init__(self) -> None:
        self.scopes: dict[str, dict[str, bytes]] = {}
        self.acls: dict[str, dict[str, str]] = {}

    def _scope(self, name: object) -> dict[str, bytes]:
        if name not in self.scopes:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Scope {name} does not exist!")
        return self.scopes[str(name)]

    def _create_scope(self, request: FakeRequest) -> None:
        name = str(request.arg("scope", ""))
        if name in self.scopes:
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Scope {name} already exists!")
        self.scopes[name] = {}
        self.acls[name] = {CURRENT_USER: "MANAGE"}

    def _list_scopes(self, request: FakeRequest) -> dict:
        return {"scopes": [{"name": name, "backend_type": "DATABRICKS"} for name in sorted(self.scopes)]}

    def _put(self, request: FakeRequest) -> None:
        scope = self._scope(request.arg("scope"))
        value = request.arg("string_value")
        raw = (
            str(value).encode()
            if value is not None
            else base64.b64decode(str(request.arg("bytes_value", "")))
        )
        scope[str(request.arg("key", ""))] = raw

    def _get(self, request: FakeRequest) -> dict:
        scope, key = request.arg("scope"), str(request.arg("key", ""))
        values = self._scope(scope)
        if key not in values:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Failed to get secret {key} for scope {scope}.")
        return {"key": key, "value": base64.b64encode(values[key]).decode()}

    def _list(self, request: FakeRequest) -> dict:
        values = self._scope(request.arg("scope"))
        now = int(time.time() * 1000)
        return {"secrets": [{"key": key, "last_updated_timestamp": now} for key in sorted(values)]}

    def _put_acl(self, request: FakeRequest) -> None:
        self._scope(request.arg("scope"))
        self.acls[str(request.arg("scope"))][str(request.arg("principal"))] = str(request.arg("permission"))

    def routes(self) -> dict:
        return {
            ("POST", "/api/2.0/secrets/scopes/create"): self._create_scope,
            ("GET", "/api/2.0/secrets/scopes/list"): self._list_scopes,
            ("POST", "/api/2.0/secrets/put"): self._put,
            ("GET", "/api/2.0/secrets/get"): self._get,
            ("GET", "/api/2.0/secrets/list"): self._list,
            ("POST", "/api/2.0/secrets/acls/put"): self._put_acl,
        }
