"""Names the beat entries of the night; shared by their migrations and the code that looks
them up."""

TASK_NAME = "Nightly invoice generation"
FORECAST_WARM_UP_NAME = "Daily forecast warm-up"
