from events.registry import ApiVersionRegistered
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Keeps the catalog entry of an API (owner, latest version, versions) current.",
    trigger=Queue(events=(ApiVersionRegistered,)),
    access={"table": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")},
)
