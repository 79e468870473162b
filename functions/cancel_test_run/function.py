from devportal.names import TASK_QUEUE_TESTING
from functions.declaration import Function, Route

FUNCTION = Function(
    description="Cancels a queued or running contract test run (a signal to its workflow).",
    trigger=Route("cancelTestRun"),
    access={
        "table": ("dynamodb:GetItem",),  # the run; the caller's profile (their team)
        "temporal-secret": ("secretsmanager:GetSecretValue",),  # the Temporal Cloud connection
    },
    environment={"DEVPORTAL_TESTING_TASK_QUEUE": TASK_QUEUE_TESTING},
)
