from devportal.names import TASK_QUEUE_ANALYTICS
from functions.declaration import Function, TaskQueue

FUNCTION = Function(
    description=(
        "Temporal worker for ApiHealthWorkflow (the hourly health sweep), ApiAnalyticsWorkflow (each API's "
        "daily report) and NotificationDigestWorkflow (the daily digest), invoked by Temporal Cloud"
    ),
    trigger=TaskQueue(TASK_QUEUE_ANALYTICS),
    access={
        # which APIs have traffic (a query of GSI1), their hours and days of usage (queries), their
        # health state and thresholds (a batch read), the state and its alerts (one transaction);
        # the daily reports: the catalog entry, versions, consumers, votes and alerts read, the report put;
        # the digest: deliveries waiting (GSI1), the subscription, the digest put, its notices marked
        "table": (
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ),
        "bus": ("events:PutEvents",),  # ApiHealthDegraded, ApiHealthRecovered
        "notifications": ("states:StartExecution",),  # each digest's delivery
        "temporal-secret": ("secretsmanager:GetSecretValue",),
        "parameters": ("ssm:GetParametersByPath",),  # the default health lines, the clock-skew allowance
    },
    timeout_seconds=600,
    memory_mb=1024,
    environment={"DEVPORTAL_ANALYTICS_TASK_QUEUE": TASK_QUEUE_ANALYTICS},
)
