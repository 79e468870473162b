from functions.declaration import Function, StateMachineTask

FUNCTION = Function(
    description="Notify state machine: whether to send, and an e-mail's subject and text in plain words.",
    trigger=StateMachineTask("notify"),
    access={
        "table": ("dynamodb:GetItem",),  # the delivery and its subscription
        "mail": (),  # the sender and the portal's address for links; SES itself is called by the state machine
    },
)
