from devportal.names import TASK_QUEUE_TESTING
from functions.declaration import Function, Route

FUNCTION = Function(
    description="The owning team deletes its API's contract-test schedule.",
    trigger=Route("deleteTestSchedule"),
    access={
        "table": ("dynamodb:GetItem",),  # the catalog entry, the caller's profile
        "temporal-secret": ("secretsmanager:GetSecretValue",),  # the Temporal Cloud connection
    },
    environment={"DEVPORTAL_TESTING_TASK_QUEUE": TASK_QUEUE_TESTING},
)
