from devportal.names import TASK_QUEUE_TESTING
from events.testing import TestRunRequested
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Starts TestOrchestrationWorkflow for a requested test run (deterministic workflow id).",
    trigger=Queue(events=(TestRunRequested,), visibility_timeout_seconds=60),
    # the Temporal Cloud connection (API key or mTLS), read once per cold start
    access={"temporal-secret": ("secretsmanager:GetSecretValue",)},
    environment={"DEVPORTAL_TESTING_TASK_QUEUE": TASK_QUEUE_TESTING},
)
