"""Fixtures of the monitoring tests: generated monitoring inputs and a local webhook receiver.

`generated` builds frames from the data generator through the feature stage's own transforms: the
baseline is the point-in-time training set of one generated dataset; a window is the feature snapshot,
at the end of another dataset's period, of every customer of that dataset (what `score` would log).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from {{ cookiecutter.package_name }}.data.generate import generate
from {{ cookiecutter.package_name }}.data.spec import DEFAULT_START
from {{ cookiecutter.package_name }}.features.lookup import point_in_time_lookup
from {{ cookiecutter.package_name }}.features.spec import ENTITY_COLUMN
from {{ cookiecutter.package_name }}.features.training_set import build_training_set
from {{ cookiecutter.package_name }}.features.transforms import customer_features

DAYS = 120
AS_OF = DEFAULT_START + timedelta(days=DAYS)
SPARK_TIMESTAMP = "yyyy-MM-dd'T'HH:mm:ssX"


@dataclass
class Generated:
    """Frames are materialised once (localCheckpoint) and memoised: analyses read them several times."""

    spark: object
    _memo: dict = field(default_factory=dict)

    def _once(self, key: tuple, build):
        if key not in self._memo:
            self._memo[key] = build().localCheckpoint()
        return self._memo[key]

    def _typed(self, frame, timestamp_column: str):
        from pyspark.sql import functions as F

        return self.spark.createDataFrame(frame).withColumn(
            timestamp_column, F.to_timestamp(timestamp_column, SPARK_TIMESTAMP)
        )

    def features(self, rows: int, seed: int, drift: float):
        """(customer_features, labels, events) of one generated dataset."""
        data = generate(rows=rows, seed=seed, drift=drift, days=DAYS)
        events = self._typed(data.events, "event_ts")
        return customer_features(events), self._typed(data.labels, "label_ts"), events

    def baseline(self, rows: int, seed: int):
        def build():
            features, labels, _ = self.features(rows, seed, drift=0.0)
            return build_training_set(features, labels)

        return self._once(("baseline", rows, seed), build)

    def window(self, rows: int, seed: int, drift: float, as_of=AS_OF):
        """Every customer's features as of `as_of` (default: the end of the generated period)."""
        from pyspark.sql import functions as F

        def build():
            features, _, events = self.features(rows, seed, drift)
            spine = (
                events.select(ENTITY_COLUMN).distinct().withColumn("as_of_ts", F.lit(as_of).cast("timestamp"))
            )
            return point_in_time_lookup(features, spine, "as_of_ts")

        return self._once(("window", rows, seed, drift, as_of), build)


@pytest.fixture(scope="session")
def generated(spark) -> Generated:
    return Generated(spark)


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, self.headers["Content-Type"], json.loads(body)))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[ThreadingHTTPServer]:
    """A webhook receiver on 127.0.0.1: `received` holds (path, content type, JSON body) per POST."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    server.status = 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def webhook_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/services/T000/B000/XXXX"


@pytest.fixture
def webhook_address(webhook) -> str:
    return webhook_url(webhook)
