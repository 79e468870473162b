from functions.declaration import Function, Route

FUNCTION = Function(
    description="A team subscribes a webhook URL (secret shown once) or an e-mail address (confirmed first).",
    trigger=Route("createSubscription"),
    access={
        # the caller's profile; the team's subscriptions (no second for one target); the new one
        # and, for an e-mail address, its confirmation token's hash (one transaction)
        "table": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"),
        # a webhook's signing secret, tagged with its team (tags at creation need TagResource too)
        "webhook-secrets": ("secretsmanager:CreateSecret", "secretsmanager:TagResource"),
        "mail": ("ses:SendEmail",),  # the confirmation link
        "portal-url": ("ssm:GetParameter",),  # where the link points
        "temporal-secret": ("secretsmanager:GetSecretValue",),  # the daily digest's schedule, when asked for
    },
)
