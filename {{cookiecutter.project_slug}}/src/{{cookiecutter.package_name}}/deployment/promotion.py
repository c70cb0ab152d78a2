"""Promotion and rollback by registry aliases.

promote:  @champion -> the @challenger version; the old champion is remembered as @previous_champion.
rollback: @champion -> the @previous_champion version; a @challenger on the rolled-back version is
          removed so a later `promote` cannot bring it straight back.
Both are idempotent (a rerun changes nothing) and refuse when there is nothing to move to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

from ..contracts.model import (
    CHALLENGER,
    CHAMPION,
    GATE_PASSED,
    GATE_STATUS_TAG,
    PREVIOUS_CHAMPION,
    PROMOTED_AT_TAG,
    ROLLED_BACK_AT_TAG,
)
from ..errors import LifecycleError
from ..training.registry import version_by_alias


@dataclass(frozen=True)
class Transition:
    changed: bool
    champion: str
    previous_champion: str | None
    message: str

    def as_dict(self) -> dict:
        return {
            "changed": self.changed,
            "champion_version": self.champion,
            "previous_champion_version": self.previous_champion,
            "message": self.message,
        }


def _version(model_version: ModelVersion | None) -> str | None:
    # The local registry returns versions as int, Unity Catalog as str: compare and report strings.
    return None if model_version is None else str(model_version.version)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def promote(client: MlflowClient, name: str, expected: str | None = None) -> Transition:
    """Move @champion to the @challenger; with `expected`, only if the challenger is that version."""
    challenger = version_by_alias(client, name, CHALLENGER)
    if challenger is None:
        raise LifecycleError(
            f"nothing to promote: {name} has no @{CHALLENGER}; run `validate` and let a version pass the gate"
        )
    if expected is not None and str(challenger.version) != str(expected):
        raise LifecycleError(
            f"refusing to promote: @{CHALLENGER} of {name} is version {challenger.version}, "
            f"not version {expected} "
            "that this run validated (another run moved it); nothing changed"
        )
    if challenger.tags.get(GATE_STATUS_TAG) != GATE_PASSED:
        raise LifecycleError(
            f"refusing to promote version {challenger.version} of {name}: its gate_status tag is "
            f"{challenger.tags.get(GATE_STATUS_TAG)!r}, not {GATE_PASSED!r}; run `validate` on it"
        )
    champion = _version(version_by_alias(client, name, CHAMPION))
    previous = _version(version_by_alias(client, name, PREVIOUS_CHAMPION))
    target = str(challenger.version)
    if champion == target:
        return Transition(
            False, champion, previous, f"version {champion} is already @{CHAMPION}; nothing changed"
        )
    # Remember the old champion before moving the alias, so a crash in between loses nothing.
    if champion is not None:
        client.set_registered_model_alias(name, PREVIOUS_CHAMPION, champion)
    client.set_registered_model_alias(name, CHAMPION, target)
    client.set_model_version_tag(name, target, PROMOTED_AT_TAG, _now())
    return Transition(
        True, target, champion or previous, f"@{CHAMPION} moved from version {champion or 'none'} to {target}"
    )


def rollback(client: MlflowClient, name: str) -> Transition:
    previous = _version(version_by_alias(client, name, PREVIOUS_CHAMPION))
    if previous is None:
        raise LifecycleError(
            f"nothing to roll back to: {name} has no @{PREVIOUS_CHAMPION} (no earlier promotion)"
        )
    champion = _version(version_by_alias(client, name, CHAMPION))
    if champion == previous:
        return Transition(
            False,
            previous,
            previous,
            f"@{CHAMPION} is already the previous champion, version {previous}; nothing changed",
        )
    client.set_registered_model_alias(name, CHAMPION, previous)
    if champion is not None:
        client.set_model_version_tag(name, champion, ROLLED_BACK_AT_TAG, _now())
        if _version(version_by_alias(client, name, CHALLENGER)) == champion:
            client.delete_registered_model_alias(name, CHALLENGER)
    return Transition(
        True, previous, previous, f"@{CHAMPION} rolled back from version {champion or 'none'} to {previous}"
    )
