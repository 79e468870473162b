from functions.declaration import Function, StateMachineTask

FUNCTION = Function(
    description="Notify state machine: one signed POST of a delivery to its webhook, each attempt recorded.",
    trigger=StateMachineTask("notify"),
    access={
        "table": ("dynamodb:GetItem", "dynamodb:UpdateItem"),  # the delivery, its subscription; the attempt
        "webhook-secrets": ("secretsmanager:GetSecretValue",),
    },
    outbound="teams' webhook URLs",
    timeout_seconds=20,  # a 10 s answer, and the signing and recording around it
)
