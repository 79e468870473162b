from devportal.names import TASK_QUEUE_TESTING
from functions.declaration import Function, Route

FUNCTION = Function(
    description="An API's contract-test schedule (cron, time zone, environment, paused) and its next runs.",
    trigger=Route("getTestSchedule"),
    access={
        "table": ("dynamodb:GetItem",),  # the catalog entry
        "temporal-secret": ("secretsmanager:GetSecretValue",),  # the Temporal Cloud connection
    },
    environment={"DEVPORTAL_TESTING_TASK_QUEUE": TASK_QUEUE_TESTING},
)
