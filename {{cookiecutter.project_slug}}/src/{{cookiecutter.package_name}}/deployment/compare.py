"""Whether what the workspace has matches what a spec asks for, ignoring what the workspace adds."""

from __future__ import annotations

_IDENTITY_KEYS = ("task_key", "job_cluster_key", "environment_key")


def contains(actual: object, expected: object) -> bool:
    """Whether `actual` (from the workspace) has every value `expected` (the spec) sets.

    Extra keys in `actual` are defaults the workspace fills in. Lists of tasks, job clusters and
    environments are compared by their keys, other lists in order.
    """
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return False
        identity = _identity_key(expected)
        if identity and _identity_key(actual) == identity:
            by_key = {item[identity]: item for item in actual}
            return all(contains(by_key.get(item[identity]), item) for item in expected)
        return all(contains(a, e) for a, e in zip(actual, expected, strict=True))
    return actual == expected


def _identity_key(items: list) -> str | None:
    for key in _IDENTITY_KEYS:
        if items and all(isinstance(item, dict) and key in item for item in items):
            return key
    return None
