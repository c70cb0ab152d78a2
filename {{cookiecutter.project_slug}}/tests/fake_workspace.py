"""A fake Databricks workspace: a real HTTP server on 127.0.0.1 for tests that use the real databricks-sdk.

What it gives a test:
- `FakeWorkspace.url`: the host to give `databricks.sdk.WorkspaceClient` (see `workspace_client`).
- a route table keyed by (method, path); a path may hold `{placeholders}`, e.g.
  `/api/2.0/permissions/jobs/{job_id}`. Handlers get a `FakeRequest` and return a dict (200 with that JSON
  body), `None` (200 with `{}`) or a `FakeResponse`; they raise `ApiError` for a Databricks error body.
- in-memory state: `jobs`, `runs`, `permissions`, `workspace_files`, `workspace_dirs`, and `state`, a free
  dict for routes added by other tests.
- `calls`: every request as `Call(method, path, query, json)`, in order; `writes()` keeps the
  non-GET/HEAD ones.
- failure injection: `fail(method, path, status, times=N)` answers the next N calls (or every call with
  times=None) with an error; a 429/503 carries `Retry-After`.

Built in: the discovery probe the SDK makes at construction (`GET /.well-known/databricks-config`), the
Jobs API 2.2 subset (list with name filter and paging, get, create, reset, delete, run-now, runs/get),
job permissions (get, update/PATCH, set/PUT) and the Workspace API subset for files (get-status, mkdirs,
import, delete).

Adding routes (other suites, e.g. serving endpoints): register them on the fixture's instance, keep state
in `workspace.state`:

    def test_x(fake_workspace):
        fake_workspace.add_route("GET", "/api/2.0/serving-endpoints/{name}", lambda request: {...})

or extend `_builtin_routes` below when a route is generally useful. Routes are additive: a later
`add_route` for the same (method, path) replaces the earlier one; `route(method, path)` returns the
current handler, e.g. to wrap it.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

WORKSPACE_ID = "1234567890123456"
FAKE_TOKEN = "dapi-fake-token"  # a test token for a server on loopback
READ_METHODS = ("GET", "HEAD")


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    json: dict | None


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    json: dict | None
    body: bytes
    headers: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)  # values of the route's {placeholders}

    def form(self) -> dict[str, bytes]:
        """The fields of a multipart/form-data body (the SDK's workspace.upload sends one)."""
        content_type = self.headers.get("Content-Type", "")
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + self.body
        )
        return {
            part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
            for part in message.iter_parts()
        }


@dataclass
class FakeResponse:
    status: int = 200
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """Raise from a handler to answer with a Databricks error body."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_code, self.message = status, error_code, message

    def response(self) -> FakeResponse:
        return FakeResponse(self.status, {"error_code": self.error_code, "message": self.message})


ERROR_CODES = {
    400: "INVALID_PARAMETER_VALUE",
    403: "PERMISSION_DENIED",
    404: "RESOURCE_DOES_NOT_EXIST",
    429: "REQUEST_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    503: "TEMPORARILY_UNAVAILABLE",
}

Handler = Callable[[FakeRequest], "dict | FakeResponse | None"]


@dataclass
class _Failure:
    status: int
    remaining: int | None  # None: every call
    retry_after: int
    message: str


class FakeWorkspace:
    def __init__(self, page_size: int = 2) -> None:
        # A small page size makes every listing exercise the SDK's paging.
        self.page_size = page_size
        self.calls: list[Call] = []
        self.jobs: dict[int, dict] = {}
        self.runs: dict[int, dict] = {}
        self.permissions: dict[str, list[dict]] = {}  # "jobs/<id>" -> access control list
        self.workspace_files: dict[str, bytes] = {}
        self.workspace_dirs: set[str] = {"/", "/Workspace", "/Workspace/Shared"}
        self.state: dict = {}
        self._ids = itertools.count(1001)
        self._routes: dict[tuple[str, str], Handler] = {}
        self._failures: dict[tuple[str, str], _Failure] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for (method, path), handler in self._builtin_routes().items():
            self.add_route(method, path, handler)

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeWorkspace:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-workspace", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeWorkspace:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake workspace first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- routes and failures ---------------------------------------------------------------------
    def add_route(self, method: str, path: str, handler: Handler) -> None:
        self._routes[(method.upper(), path)] = handler

    def route(self, method: str, path: str) -> Handler:
        """The handler registered for (method, path), e.g. to wrap it in a test."""
        return self._routes[(method.upper(), path)]

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        times: int | None = 1,
        retry_after: int = 0,
        message: str = "injected failure",
    ) -> None:
        """Answer the next `times` calls to (method, path) with `status`; times=None: every call.

        `path` is the requested path (not a route pattern). 429 and 503 carry `Retry-After: retry_after`.
        """
        self._failures[(method.upper(), path)] = _Failure(status, times, retry_after, message)

    def writes(self) -> list[Call]:
        return [call for call in self.calls if call.method not in READ_METHODS]

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [call for call in self.calls if call.method == method and call.path == path]

    def reset_calls(self) -> None:
        self.calls.clear()

    # --- dispatch --------------------------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        with self._lock:
            self.calls.append(Call(request.method, request.path, request.query, request.json))
            injected = self._take_failure(request.method, request.path)
            if injected is not None:
                return injected
            handler, params = self._match(request.method, request.path)
            if handler is None:
                return ApiError(
                    404, "ENDPOINT_NOT_FOUND", f"no route for {request.method} {request.path}"
                ).response()
            request.params = params
            try:
                result = handler(request)
            except ApiError as error:
                return error.response()
        if isinstance(result, FakeResponse):
            return result
        return FakeResponse(200, result if result is not None else {})

    def _take_failure(self, method: str, path: str) -> FakeResponse | None:
        failure = self._failures.get((method, path))
        if failure is None or failure.remaining == 0:
            return None
        if failure.remaining is not None:
            failure.remaining -= 1
        headers = {"Retry-After": str(failure.retry_after)} if failure.status in (429, 503) else {}
        error_code = ERROR_CODES.get(failure.status, "UNKNOWN")
        return FakeResponse(failure.status, {"error_code": error_code, "message": failure.message}, headers)

    def _match(self, method: str, path: str) -> tuple[Handler | None, dict[str, str]]:
        exact = self._routes.get((method, path))
        if exact is not None:
            return exact, {}
        for (route_method, pattern), handler in self._routes.items():
            if route_method != method or "{" not in pattern:
                continue
            regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern))
            matched = re.fullmatch(regex, path)
            if matched:
                return handler, matched.groupdict()
        return None, {}

    # --- built-in API subset ---------------------------------------------------------------------
    def _builtin_routes(self) -> dict[tuple[str, str], Handler]:
        return {
            ("GET", "/.well-known/databricks-config"): self._host_metadata,
            ("GET", "/api/2.2/jobs/list"): self._jobs_list,
            ("GET", "/api/2.2/jobs/get"): self._jobs_get,
            ("POST", "/api/2.2/jobs/create"): self._jobs_create,
            ("POST", "/api/2.2/jobs/reset"): self._jobs_reset,
            ("POST", "/api/2.2/jobs/delete"): self._jobs_delete,
            ("POST", "/api/2.2/jobs/run-now"): self._jobs_run_now,
            ("GET", "/api/2.2/jobs/runs/get"): self._runs_get,
            ("GET", "/api/2.0/permissions/jobs/{job_id}"): self._permissions_get,
            ("PATCH", "/api/2.0/permissions/jobs/{job_id}"): self._permissions_update,
            ("PUT", "/api/2.0/permissions/jobs/{job_id}"): self._permissions_set,
            ("GET", "/api/2.0/workspace/get-status"): self._workspace_get_status,
            ("POST", "/api/2.0/workspace/mkdirs"): self._workspace_mkdirs,
            ("POST", "/api/2.0/workspace/import"): self._workspace_import,
            ("POST", "/api/2.0/workspace/delete"): self._workspace_delete,
        }

    def _host_metadata(self, request: FakeRequest) -> dict:
        return {"oidc_endpoint": f"{self.url}/oidc", "workspace_id": WORKSPACE_ID}

    def _job(self, job_id: object) -> dict:
        try:
            return self.jobs[int(job_id)]  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Job {job_id} does not exist.") from None

    def _jobs_list(self, request: FakeRequest) -> dict:
        name = request.query.get("name")
        matching = [
            job
            for job_id, job in sorted(self.jobs.items())
            if name is None or job["settings"].get("name", "").lower() == name.lower()
        ]
        start = int(request.query.get("page_token") or 0)
        limit = min(int(request.query.get("limit") or self.page_size), self.page_size)
        page = matching[start : start + limit]
        expand = request.query.get("expand_tasks") == "true"
        body: dict = {
            "jobs": [_listed(job, expand) for job in page],
            "has_more": start + limit < len(matching),
        }
        if body["has_more"]:
            body["next_page_token"] = str(start + limit)
        if not page:
            del body["jobs"]
        return body

    def _jobs_get(self, request: FakeRequest) -> dict:
        return self._job(request.query.get("job_id"))

    def _jobs_create(self, request: FakeRequest) -> dict:
        settings = dict(request.json or {})
        access_control_list = settings.pop("access_control_list", None)
        if not settings.get("name"):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "Job name is required.")
        job_id = next(self._ids)
        self.jobs[job_id] = {
            "job_id": job_id,
            "creator_user_name": "deployer@example.com",
            "created_time": 1_700_000_000_000 + job_id,
            "settings": settings,
        }
        if access_control_list:
            self.permissions[f"jobs/{job_id}"] = list(access_control_list)
        return {"job_id": job_id}

    def _jobs_reset(self, request: FakeRequest) -> None:
        body = request.json or {}
        job = self._job(body.get("job_id"))
        job["settings"] = dict(body.get("new_settings") or {})

    def _jobs_delete(self, request: FakeRequest) -> None:
        job_id = (request.json or {}).get("job_id")
        self._job(job_id)
        del self.jobs[int(job_id)]
        self.permissions.pop(f"jobs/{job_id}", None)

    def _jobs_run_now(self, request: FakeRequest) -> dict:
        body = request.json or {}
        job = self._job(body.get("job_id"))
        run_id = next(self._ids)
        self.runs[run_id] = {
            "run_id": run_id,
            "job_id": job["job_id"],
            "number_in_job": run_id,
            "run_name": job["settings"].get("name"),
            "job_parameters": body.get("job_parameters"),
            # Runs finish at once; a test can edit self.runs[run_id]["state"] to simulate anything else.
            "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS", "state_message": ""},
        }
        return {"run_id": run_id, "number_in_job": run_id}

    def _runs_get(self, request: FakeRequest) -> dict:
        try:
            return self.runs[int(request.query["run_id"])]
        except (KeyError, ValueError):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "Run does not exist.") from None

    def _permissions_get(self, request: FakeRequest) -> dict:
        job_id = request.params["job_id"]
        self._job(job_id)
        owner = {
            "user_name": "deployer@example.com",
            "all_permissions": [{"permission_level": "IS_OWNER", "inherited": False}],
        }
        direct = [
            {
                **{key: value for key, value in entry.items() if key != "permission_level"},
                "all_permissions": [{"permission_level": entry["permission_level"], "inherited": False}],
            }
            for entry in self.permissions.get(f"jobs/{job_id}", [])
        ]
        return {"object_id": f"/jobs/{job_id}", "object_type": "job", "access_control_list": [owner, *direct]}

    def _permissions_update(self, request: FakeRequest) -> dict:
        job_id = request.params["job_id"]
        self._job(job_id)
        current = {_principal(entry): entry for entry in self.permissions.get(f"jobs/{job_id}", [])}
        for entry in (request.json or {}).get("access_control_list", []):
            current[_principal(entry)] = entry
        self.permissions[f"jobs/{job_id}"] = list(current.values())
        return self._permissions_get(request)

    def _permissions_set(self, request: FakeRequest) -> dict:
        job_id = request.params["job_id"]
        self._job(job_id)
        self.permissions[f"jobs/{job_id}"] = list((request.json or {}).get("access_control_list", []))
        return self._permissions_get(request)

    def _workspace_get_status(self, request: FakeRequest) -> dict:
        path = request.query.get("path", "")
        if path in self.workspace_files:
            return {"path": path, "object_type": "FILE", "size": len(self.workspace_files[path])}
        if path in self.workspace_dirs:
            return {"path": path, "object_type": "DIRECTORY"}
        raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Path ({path}) doesn't exist.")

    def _workspace_mkdirs(self, request: FakeRequest) -> None:
        path = (request.json or {}).get("path", "")
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            self.workspace_dirs.add("/" + "/".join(parts[:depth]))

    def _workspace_import(self, request: FakeRequest) -> None:
        form = request.form()
        path = form["path"].decode()
        if path in self.workspace_files and form.get("overwrite") != b"true":
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) already exists.")
        if path.rsplit("/", 1)[0] not in self.workspace_dirs:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"The parent folder of {path} does not exist.")
        self.workspace_files[path] = form["content"]

    def _workspace_delete(self, request: FakeRequest) -> None:
        path = (request.json or {}).get("path", "")
        self.workspace_files.pop(path, None)


def _listed(job: dict, expand_tasks: bool) -> dict:
    """A job as jobs/list shows it: without tasks and job clusters unless expand_tasks is set."""
    settings = job["settings"]
    if not expand_tasks:
        settings = {key: value for key, value in settings.items() if key not in ("tasks", "job_clusters")}
    return {**job, "settings": settings}


def _principal(entry: dict) -> str:
    for key in ("user_name", "group_name", "service_principal_name"):
        if key in entry:
            return f"{key}:{entry[key]}"
    raise ApiError(400, "INVALID_PARAMETER_VALUE", f"access control entry without a principal: {entry}")


def _make_handler_class(workspace: FakeWorkspace) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            is_json = self.headers.get("Content-Type", "").startswith("application/json")
            request = FakeRequest(
                method=self.command,
                path=url.path,
                query={key: values[-1] for key, values in parse_qs(url.query).items()},
                json=json.loads(body) if body and is_json else None,
                body=body,
                headers=dict(self.headers.items()),
            )
            response = workspace.handle(request)
            payload = json.dumps(response.body).encode() if response.body is not None else b""
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            pass

    return Handler


def workspace_client(
    workspace: FakeWorkspace, retry_timeout_seconds: int = 10, http_timeout_seconds: float = 5
):
    """A real `databricks.sdk.WorkspaceClient` on the fake workspace: token auth, short timeouts."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    return WorkspaceClient(
        config=Config(
            host=workspace.url,
            token=FAKE_TOKEN,
            auth_type="pat",
            retry_timeout_seconds=retry_timeout_seconds,
            http_timeout_seconds=http_timeout_seconds,
        )
    )


@pytest.fixture
def fake_workspace(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWorkspace]:
    """A started fake workspace; DATABRICKS_* variables of the caller's shell cannot leak into the SDK."""
    import os

    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_", "AZURE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", os.devnull)
    with FakeWorkspace() as workspace:
        yield workspace
