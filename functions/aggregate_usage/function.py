from events.analytics import ApiUsageRecorded
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Counts published usage into hourly buckets per API, version and operation, once per delivery.",
    trigger=Queue(events=(ApiUsageRecorded,)),
    access={
        # the catalog entry and the version (who owns the API, where its document is); the buckets,
        # read together and rewritten with their delivery's marker in one transaction; each
        # consumer's first call; whether the API has traffic yet, and the mark that it has
        "table": ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
        # the normalized document, for the version's operations and their status codes
        "specs": ("s3:GetObject",),
        # an API's first usage announced (ApiTrafficStarted)
        "bus": ("events:PutEvents",),
        # the retention window and the clock-skew allowance
        "parameters": ("ssm:GetParametersByPath",),
    },
    memory_mb=1024,
    timeout_seconds=60,
)
