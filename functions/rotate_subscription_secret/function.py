from functions.declaration import Function, Route

FUNCTION = Function(
    description="A new signing secret for a webhook subscription, shown once (the old one signs for a day).",
    trigger=Route("rotateSubscriptionSecret"),
    access={
        "table": ("dynamodb:GetItem",),  # the caller's profile; the subscription
        "webhook-secrets": ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"),
    },
)
