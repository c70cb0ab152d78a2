"""The champion/challenger gate: absolute thresholds, plus "not worse than the champion" when there is one.

Pure: metrics in, checks out. The command loads models and data and acts on the result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..config import GateThresholds

# Metrics equal to a limit up to float rounding (0.81 - 0.80 > 0.01 in binary) count as on the limit.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    value: float
    limit: float
    message: str


@dataclass(frozen=True)
class GateResult:
    candidate_version: str
    champion_version: str | None
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)

    def summary(self) -> str:
        verdict = "passed" if self.passed else "REJECTED"
        against = f"champion version {self.champion_version}" if self.champion_version else "no champion yet"
        lines = "; ".join(check.message for check in self.checks)
        return f"gate {verdict} for version {self.candidate_version} ({against}): {lines}"

    def as_dict(self) -> dict:
        return {
            "candidate_version": self.candidate_version,
            "champion_version": self.champion_version,
            "passed": self.passed,
            "checks": [asdict(check) for check in self.checks],
        }


def _min_auc(auc: float, minimum: float) -> Check:
    if auc >= minimum - _TOLERANCE:
        return Check("min_auc", True, auc, minimum, f"auc {auc:.4f} >= minimum {minimum:.4f}")
    return Check(
        "min_auc",
        False,
        auc,
        minimum,
        f"auc {auc:.4f} is below the minimum {minimum:.4f} by {minimum - auc:.4f}",
    )


def _max_log_loss(log_loss: float, maximum: float) -> Check:
    if log_loss <= maximum + _TOLERANCE:
        return Check(
            "max_log_loss", True, log_loss, maximum, f"log_loss {log_loss:.4f} <= maximum {maximum:.4f}"
        )
    return Check(
        "max_log_loss",
        False,
        log_loss,
        maximum,
        f"log_loss {log_loss:.4f} is above the maximum {maximum:.4f} by {log_loss - maximum:.4f}",
    )


def _versus_champion(auc: float, champion_auc: float, champion_version: str, allowed_drop: float) -> Check:
    drop = champion_auc - auc
    if drop <= allowed_drop + _TOLERANCE:
        return Check(
            "auc_vs_champion",
            True,
            drop,
            allowed_drop,
            f"auc {auc:.4f} vs champion version {champion_version} {champion_auc:.4f} "
            f"(drop {max(drop, 0.0):.4f} <= allowed {allowed_drop:.4f})",
        )
    return Check(
        "auc_vs_champion",
        False,
        drop,
        allowed_drop,
        f"auc {auc:.4f} is {drop:.4f} below champion version {champion_version} ({champion_auc:.4f}); "
        f"the allowed drop is {allowed_drop:.4f}, exceeded by {drop - allowed_drop:.4f}",
    )


def evaluate_gate(
    candidate_version: str,
    candidate: dict[str, float],
    thresholds: GateThresholds,
    champion_version: str | None = None,
    champion: dict[str, float] | None = None,
) -> GateResult:
    """Check the candidate's holdout metrics; compare with the champion's on the same holdout if given."""
    if (champion_version is None) != (champion is None):
        raise ValueError("give both champion_version and champion metrics, or neither")
    checks = [
        _min_auc(candidate["auc"], thresholds.min_auc),
        _max_log_loss(candidate["log_loss"], thresholds.max_log_loss),
    ]
    if champion is not None:
        checks.append(
            _versus_champion(
                candidate["auc"], champion["auc"], champion_version, thresholds.max_auc_drop_vs_champion
            )
        )
    return GateResult(candidate_version, champion_version, tuple(checks))
