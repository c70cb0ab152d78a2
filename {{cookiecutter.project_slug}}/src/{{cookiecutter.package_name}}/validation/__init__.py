"""Validation stage: the gate that decides whether a new model version may become the challenger."""
