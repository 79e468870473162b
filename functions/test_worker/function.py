from devportal.names import TASK_QUEUE_TESTING
from functions.declaration import Function, TaskQueue

FUNCTION = Function(
    description=(
        "Temporal worker for TestOrchestrationWorkflow (contract test runs) and ScheduledTestRunWorkflow, "
        "invoked by Temporal Cloud"
    ),
    trigger=TaskQueue(TASK_QUEUE_TESTING),
    access={
        # the run (read, started, each batch's outcome kept with its cases counted in one
        # transaction, finished), the version, the catalog entry and the API's test settings
        "table": (
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
        ),
        "specs": ("s3:GetObject",),  # the registered spec
        "bus": ("events:PutEvents",),  # TestRunCompleted; TestRunRequested from a schedule
        "test-credentials": ("secretsmanager:GetSecretValue",),  # a target's token or key
        "temporal-secret": ("secretsmanager:GetSecretValue",),
    },
    outbound="teams' contract-test targets (the servers their specs name)",
    timeout_seconds=900,
    memory_mb=1024,
    environment={"DEVPORTAL_TESTING_TASK_QUEUE": TASK_QUEUE_TESTING},
)
