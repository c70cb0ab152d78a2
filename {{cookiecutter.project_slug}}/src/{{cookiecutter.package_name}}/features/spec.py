"""The feature contract shared by the stages: key columns, feature names, the label.

Feature tables hold one row per (customer_id, feature_ts): the features as known at `feature_ts`,
computed from events strictly before it. `days_since_last_activity` is computed at lookup time
(as-of timestamp minus feature_ts), so training and scoring derive it the same way.
"""

ENTITY_COLUMN = "customer_id"
FEATURE_TS_COLUMN = "feature_ts"
KEY_COLUMNS = (ENTITY_COLUMN, FEATURE_TS_COLUMN)
WINDOW_DAYS = 30

# Stored in the customer_features table, with their Spark types.
STORED_NUMERIC_TYPES = {
    "events_30d": "bigint",
    "purchases_30d": "bigint",
    "amount_30d": "double",
    "support_contacts_30d": "bigint",
    "avg_session_minutes_30d": "double",
    "mobile_share_30d": "double",
}
STORED_NUMERIC_FEATURES = tuple(STORED_NUMERIC_TYPES)
CATEGORICAL_FEATURES = ("main_channel_30d",)
FEATURE_COLUMNS = (ENTITY_COLUMN, FEATURE_TS_COLUMN, *STORED_NUMERIC_FEATURES, *CATEGORICAL_FEATURES)
FEATURES_SCHEMA = ", ".join(
    [
        f"{ENTITY_COLUMN} string",
        f"{FEATURE_TS_COLUMN} timestamp",
        *(f"{name} {spark_type}" for name, spark_type in STORED_NUMERIC_TYPES.items()),
        *(f"{name} string" for name in CATEGORICAL_FEATURES),
    ]
)
# Derived at lookup time from the as-of timestamp.
LOOKUP_NUMERIC_FEATURES = ("days_since_last_activity",)

NUMERIC_FEATURES = STORED_NUMERIC_FEATURES + LOOKUP_NUMERIC_FEATURES
MODEL_FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES

LABEL_COLUMN = "churned"
LABEL_TS_COLUMN = "label_ts"
TRAINING_SET_COLUMNS = (ENTITY_COLUMN, LABEL_TS_COLUMN, FEATURE_TS_COLUMN, *MODEL_FEATURES, LABEL_COLUMN)
