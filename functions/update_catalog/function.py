from events.analytics import ApiDailyReportPublished, ApiHealthDegraded, ApiHealthRecovered
from events.registry import ApiVersionRegistered
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Keeps the catalog entry of an API (owner, latest version, versions, health, last report) current.",
    trigger=Queue(events=(ApiVersionRegistered, ApiHealthDegraded, ApiHealthRecovered, ApiDailyReportPublished)),
    access={"table": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")},
)
