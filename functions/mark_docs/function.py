from events.registry import ApiVersionLifecycleChanged
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Marks a version's docs page with its lifecycle status (draft, deprecated and its sunset, retired).",
    trigger=Queue(events=(ApiVersionLifecycleChanged,)),
    access={
        "table": ("dynamodb:GetItem",),  # the version record: its status now
        "docs": ("s3:GetObject", "s3:PutObject"),  # the page, read and written back marked
    },
    memory_mb=1024,
    timeout_seconds=60,
)
