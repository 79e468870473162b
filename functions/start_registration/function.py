from devportal.names import TASK_QUEUE_REGISTRATION
from events.registry import ApiSpecSubmitted
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Starts ApiRegistrationWorkflow for a submission (deterministic workflow id).",
    trigger=Queue(events=(ApiSpecSubmitted,), visibility_timeout_seconds=60),
    # the Temporal Cloud connection (API key or mTLS), read once per cold start
    access={"temporal-secret": ("secretsmanager:GetSecretValue",)},
    environment={"DEVPORTAL_REGISTRATION_TASK_QUEUE": TASK_QUEUE_REGISTRATION},
)
