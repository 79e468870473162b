from functions.declaration import Function, StateMachineTask

FUNCTION = Function(
    description="Notify state machine: a delivery's outcome recorded; a failure announced (NotificationFailed).",
    trigger=StateMachineTask("notify"),
    access={
        "table": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
        "bus": ("events:PutEvents",),
    },
)
