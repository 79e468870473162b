from events.registry import ApiRegistrationRejected, ApiVersionRegistered
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Records the outcome of a registration on its submission.",
    trigger=Queue(events=(ApiVersionRegistered, ApiRegistrationRejected)),
    access={"table": ("dynamodb:UpdateItem",)},
)
