from events.registry import ApiApprovalRequested, ApiRegistrationRejected, ApiVersionRegistered
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Records the outcome of a registration on its submission (and when it waits for an approval).",
    trigger=Queue(events=(ApiVersionRegistered, ApiRegistrationRejected, ApiApprovalRequested)),
    access={"table": ("dynamodb:UpdateItem",)},
)
