from devportal.names import TASK_QUEUE_ANALYTICS
from events.analytics import ApiTrafficStarted
from functions.declaration import Function, Queue

FUNCTION = Function(
    description=(
        "Creates the analytics schedules (the hourly health sweep, the API's daily report) when an API's first "
        "usage is counted."
    ),
    trigger=Queue(events=(ApiTrafficStarted,), visibility_timeout_seconds=60),
    # the Temporal Cloud connection (API key or mTLS), read once per cold start
    access={"temporal-secret": ("secretsmanager:GetSecretValue",)},
    environment={"DEVPORTAL_ANALYTICS_TASK_QUEUE": TASK_QUEUE_ANALYTICS},
)
