"""The feature contract shared by the stages: key columns, feature names, the label.

Feature tables hold one row per (customer_id, feature_ts): the features as known at `feature_ts`,
computed from events strictly before it. `days_since_last_activity` is computed at lookup time
(as-of timestamp minus feature_ts), so training and scoring derive it the same way.
"""

ENTITY_COLUMN = "customer_id"
FEATURE_TS_COLUMN = "feature_ts"
KEY_COLUMNS = (ENTITY_COLUMN, FEATURE_TS_COLUMN)
WINDOW_DAYS = 30

# Stored in the customer_features table.
STORED_NUMERIC_FEATURES = (
    "events_30d",
    "purchases_30d",
    "amount_30d",
    "support_contacts_30d",
    "avg_session_minutes_30d",
    "mobile_share_30d",
)
CATEGORICAL_FEATURES = ("main_channel_30d",)
# Derived at lookup time from the as-of timestamp.
LOOKUP_NUMERIC_FEATURES = ("days_since_last_activity",)

NUMERIC_FEATURES = STORED_NUMERIC_FEATURES + LOOKUP_NUMERIC_FEATURES
MODEL_FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES

LABEL_COLUMN = "churned"
LABEL_TS_COLUMN = "label_ts"
TRAINING_SET_COLUMNS = (ENTITY_COLUMN, LABEL_TS_COLUMN, FEATURE_TS_COLUMN, *MODEL_FEATURES, LABEL_COLUMN)
