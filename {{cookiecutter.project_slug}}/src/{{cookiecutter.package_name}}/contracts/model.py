"""The model's contract with the registry: alias names, model-version tags, the decision threshold.

`train` registers versions with the training tags, `validate` adds the gate's and moves @challenger,
`promote`/`rollback` move @champion; scoring and monitoring read @champion.
"""

CHAMPION = "champion"
CHALLENGER = "challenger"
PREVIOUS_CHAMPION = "previous_champion"

# Set by `train`: the training_set version it read and where its holdout starts (validation rebuilds it).
TRAINING_VERSION_TAG = "training_table_version"
HOLDOUT_START_TAG = "holdout_start"
# The id of the Databricks job run whose `train` registered the version (tag on the version and run).
JOB_RUN_ID_TAG = "job_run_id"
# Set by `validate`; only a version whose gate status is GATE_PASSED can be promoted.
GATE_STATUS_TAG = "gate_status"
GATE_PASSED = "passed"
GATE_REJECTED = "rejected"
# The deployment job's approval step (only where the target requires it, deployment/jobs.py): a reviewer
# sets this tag on the model version to APPROVED (compared case-insensitively). As in Databricks' approval
# task for deployment jobs, the tag is named after the approval task, which is why the task has this key.
APPROVAL_TAG = "approval"
APPROVED = "approved"
# Set by `promote` and `rollback`.
PROMOTED_AT_TAG = "promoted_at"
ROLLED_BACK_AT_TAG = "rolled_back_at"
# Set by `promote` once the version's monitoring baseline is snapshotted: the table that holds it (so a
# later promote or rollback of that version needs no Spark).
BASELINE_TABLE_TAG = "baseline_table"

DECISION_THRESHOLD = 0.5  # a predicted probability at or above it is a churn prediction
