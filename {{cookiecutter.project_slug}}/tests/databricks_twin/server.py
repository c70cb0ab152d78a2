"""The HTTP side of the twin: a real server on 127.0.0.1, a route table, failure injection, a call log.

Handlers get a `FakeRequest` and return a dict (200 with that JSON body), `None` (200 with `{}`), a
`FakeResponse` (any status, JSON or raw bytes), or raise `ApiError` for a Databricks error body. A route
path may hold `{placeholders}` (one segment) or end in `{path*}` (the rest of the path, slashes included).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

READ_METHODS = ("GET", "HEAD")
# POST calls that change nothing in the workspace (they only hand out a way to read).
READ_ONLY_POSTS = ("/api/2.0/fs/create-download-url",)
ERROR_CODES = {
    400: "INVALID_PARAMETER_VALUE",
    403: "PERMISSION_DENIED",
    404: "RESOURCE_DOES_NOT_EXIST",
    409: "RESOURCE_ALREADY_EXISTS",
    429: "REQUEST_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    503: "TEMPORARILY_UNAVAILABLE",
}


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
    raw_query: str = ""  # the query string as sent (repeated parameters included)

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

    def arg(self, name: str, default: object = None) -> object:
        """A request argument from the JSON body, else the query string (the APIs use both)."""
        if self.json and name in self.json:
            return self.json[name]
        return self.query.get(name, default)


@dataclass
class FakeResponse:
    status: int = 200
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # sent as is (file downloads) instead of a JSON body


class ApiError(Exception):
    """Raise from a handler to answer with a Databricks error body."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_code, self.message = status, error_code, message

    def response(self) -> FakeResponse:
        return FakeResponse(self.status, {"error_code": self.error_code, "message": self.message})


Handler = Callable[[FakeRequest], "dict | FakeResponse | None"]


@dataclass
class _Failure:
    status: int
    remaining: int | None  # None: every call
    retry_after: int
    message: str


class Server:
    """Routes, failure injection and the call log; subclasses add the API surface."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._routes: dict[tuple[str, str], Handler] = {}
        self._patterns: list[tuple[str, str, re.Pattern[str], Handler]] = []
        self._failures: dict[tuple[str, str], _Failure] = {}
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler_class(self))
        self._server.daemon_threads = True
        serve = lambda: self._server.serve_forever(poll_interval=0.05)  # noqa: E731 - a quick stop()
        threading.Thread(target=serve, name="databricks-twin", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the twin first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- routes and failures ---------------------------------------------------------------------
    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """Register a handler; a later route for the same (method, path) replaces the earlier one."""
        key = (method.upper(), path)
        self._routes[key] = handler
        if "{" in path:
            self._patterns = [entry for entry in self._patterns if entry[:2] != key]
            self._patterns.append((*key, _compile(path), handler))

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
        return [
            call
            for call in self.calls
            if call.method not in READ_METHODS and call.path not in READ_ONLY_POSTS
        ]

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [call for call in self.calls if call.method == method and call.path == path]

    def reset_calls(self) -> None:
        self.calls.clear()

    # --- dispatch --------------------------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        # One request at a time: handlers share the twin's state and never wait on another request.
        with self.lock:
            self.calls.append(Call(request.method, request.path, request.query, request.json))
            injected = self._take_failure(request.method, request.path)
            if injected is not None:
                return injected
            handler, params = self._match(request.method, request.path)
            if handler is None:
                message = f"no route for {request.method} {request.path}"
                return ApiError(404, "ENDPOINT_NOT_FOUND", message).response()
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
        for route_method, _, regex, handler in self._patterns:
            matched = regex.fullmatch(path) if route_method == method else None
            if matched:
                return handler, {key: unquote(value) for key, value in matched.groupdict().items()}
        return None, {}


def _compile(pattern: str) -> re.Pattern[str]:
    regex = re.escape(pattern)
    regex = re.sub(r"\\\{(\w+)\\\*\\\}", r"(?P<\1>/.*)", regex)
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", regex))


def _make_handler_class(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in one round trip, not after a delayed ACK

        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            is_json = self.headers.get("Content-Type", "").startswith("application/json")
            request = FakeRequest(
                method=self.command,
                path=url.path,
                query={key: values[-1] for key, values in parse_qs(url.query).items()},
                json=_json_body(body) if body and is_json else None,
                body=body,
                headers=dict(self.headers.items()),
                raw_query=url.query,
            )
            response = server.handle(request)
            if response.raw is not None:
                payload, content_type = response.raw, "application/octet-stream"
            else:
                payload = json.dumps(response.body).encode() if response.body is not None else b""
                content_type = "application/json"
            self.send_response(response.status)
            self.send_header("Content-Type", content_type)
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


def _json_body(body: bytes) -> dict | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
