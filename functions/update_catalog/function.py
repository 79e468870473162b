from events.analytics import ApiDailyReportPublished, ApiHealthDegraded, ApiHealthRecovered
from events.registry import ApiVersionLifecycleChanged, ApiVersionRegistered
from events.testing import TestRunCompleted
from functions.declaration import Function, Queue

FUNCTION = Function(
    description=(
        "Keeps the catalog entry of an API (owner, latest version, versions, health, last report, last test run) "
        "current."
    ),
    trigger=Queue(
        events=(
            ApiVersionRegistered,
            ApiVersionLifecycleChanged,
            ApiHealthDegraded,
            ApiHealthRecovered,
            ApiDailyReportPublished,
            TestRunCompleted,
        )
    ),
    access={"table": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")},
)
