from functions.declaration import Function, Route

FUNCTION = Function(
    description="A team changes what a subscription is told, or pauses and resumes it.",
    trigger=Route("updateSubscription"),
    access={
        "table": ("dynamodb:GetItem", "dynamodb:PutItem"),  # the caller's profile; the subscription
        "temporal-secret": ("secretsmanager:GetSecretValue",),  # the daily digest's schedule, when asked for
    },
)
