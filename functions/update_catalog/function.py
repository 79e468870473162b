from events.analytics import ApiHealthDegraded, ApiHealthRecovered
from events.registry import ApiVersionRegistered
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Keeps the catalog entry of an API (owner, latest version, versions, health) current.",
    trigger=Queue(events=(ApiVersionRegistered, ApiHealthDegraded, ApiHealthRecovered)),
    access={"table": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")},
)
