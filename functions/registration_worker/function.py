from devportal.names import TASK_QUEUE_REGISTRATION
from functions.declaration import Function, TaskQueue

FUNCTION = Function(
    description="Temporal worker for ApiRegistrationWorkflow, invoked by Temporal Cloud (serverless worker)",
    trigger=TaskQueue(TASK_QUEUE_REGISTRATION),
    access={
        # submissions, versions, rulesets; the versions of an API and the usage hours of an operation
        # (Query); the decisions on breaking changes (BatchGetItem, BatchWriteItem) and approval requests
        "table": (
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
        ),
        "specs": ("s3:GetObject", "s3:PutObject"),
        "docs": ("s3:PutObject", "s3:DeleteObject"),
        "bus": ("events:PutEvents",),
        "temporal-secret": ("secretsmanager:GetSecretValue",),
        "parameters": ("ssm:GetParametersByPath",),  # the size caps and finding limits, tunable
    },
    # Validating and rendering a 10 MB document; polls until shortly before the deadline.
    timeout_seconds=600,
    memory_mb=2048,
    environment={"DEVPORTAL_REGISTRATION_TASK_QUEUE": TASK_QUEUE_REGISTRATION},
)
