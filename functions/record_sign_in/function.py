from events.identity import UserSignedIn
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Moves a user's lastLogin forward when they sign in.",
    trigger=Queue(events=(UserSignedIn,)),
    access={"table": ("dynamodb:UpdateItem",)},
)
