from functions.declaration import Function, StateMachineTask

FUNCTION = Function(
    description="Notify state machine: whether to send, and an e-mail's subject and text in plain words.",
    trigger=StateMachineTask("notify"),
    access={
        "table": ("dynamodb:GetItem",),  # the delivery and its subscription
        "mail": (),  # the sender; SES itself is called by the state machine
        "portal-url": ("ssm:GetParameter",),  # where the mail's links point
    },
)
