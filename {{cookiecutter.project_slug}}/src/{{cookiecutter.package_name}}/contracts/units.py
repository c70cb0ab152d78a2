"""Units the stages count in."""

SECONDS_PER_DAY = 86_400
