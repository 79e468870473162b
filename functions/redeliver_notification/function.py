from functions.declaration import Function, Route

FUNCTION = Function(
    description="A delivery sent once more, as a new round of the notify state machine.",
    trigger=Route("redeliverNotification"),
    access={
        # the caller's profile; the subscription and the delivery; its next round
        "table": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
        "notifications": ("states:StartExecution",),
    },
)
