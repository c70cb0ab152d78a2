"""A small seeded random search over the classifier's hyperparameters."""

from __future__ import annotations

from typing import Any

import numpy as np


def sample_params(trials: int, seed: int = 0) -> list[dict[str, Any]]:
    """`trials` parameter sets drawn from a fixed search space; the same seed gives the same sets."""
    rng = np.random.default_rng(seed)
    return [
        {
            "learning_rate": float(np.round(10 ** rng.uniform(np.log10(0.02), np.log10(0.3)), 4)),
            "max_iter": int(rng.choice([100, 150, 200, 300])),
            "max_leaf_nodes": int(rng.choice([7, 15, 31])),
            "min_samples_leaf": int(rng.choice([20, 40, 80])),
            "l2_regularization": float(rng.choice([0.0, 0.5, 1.0, 2.0])),
        }
        for _ in range(trials)
    ]
