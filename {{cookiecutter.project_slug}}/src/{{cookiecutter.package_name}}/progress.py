"""Progress output: log lines on stderr with the step name, its counts and its seconds."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import NothingToDo

logger = logging.getLogger(__package__)


@contextmanager
def logging_to_stderr(level: int = logging.INFO) -> Iterator[None]:
    """The package's log lines on stderr while a command runs; the logger as it was afterwards, so a
    command run in-process (tests, a notebook) leaves no handler on a stream that may be closed later."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S"))
    before = (logger.handlers[:], logger.level, logger.propagate)
    logger.handlers[:], logger.propagate = [handler], False
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.handlers[:], logger.propagate = before[0], before[2]
        logger.setLevel(before[1])


@contextmanager
def step(name: str) -> Iterator[dict]:
    """Log the start and end of a step; put counts in the yielded dict to have them logged."""
    facts: dict = {}
    started = time.perf_counter()
    logger.info("%s: started", name)
    try:
        yield facts
    except NothingToDo:
        raise
    except Exception:
        logger.error("%s: failed after %.1f s", name, time.perf_counter() - started)
        raise
    facts["seconds"] = round(time.perf_counter() - started, 2)
    details = ", ".join(
        f"{key}={value}" for key, value in facts.items() if not isinstance(value, dict | list)
    )
    logger.info("%s: done (%s)", name, details)
