from events.registry import ApiVersionLifecycleChanged, ApiVersionRegistered
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Keeps the catalog search index current: an API's names, tags and every operation, per latest version.",
    trigger=Queue(events=(ApiVersionRegistered, ApiVersionLifecycleChanged)),
    access={
        # the version record; the search document and the index revision, written in one transaction
        "table": ("dynamodb:GetItem", "dynamodb:PutItem"),
        # the normalized document the registration stored
        "specs": ("s3:GetObject",),
    },
    memory_mb=1024,
    timeout_seconds=60,
)
