"""Training stage: train a model on the training set, track it with MLflow and register it."""
