from functions.declaration import Function, Route

FUNCTION = Function(
    description="A team deletes a subscription (and a webhook's signing secret).",
    trigger=Route("deleteSubscription"),
    access={
        "table": ("dynamodb:GetItem", "dynamodb:DeleteItem"),  # the caller's profile; the subscription
        "webhook-secrets": ("secretsmanager:DeleteSecret",),
    },
)
