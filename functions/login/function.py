from functions.declaration import Function, Route

FUNCTION = Function(
    description="E-mail and password -> tokens, with the failed-sign-in brake; publishes UserSignedIn.",
    trigger=Route("login"),
    access={
        # the profile; the failed-sign-in counters (read, count, clear on success); device tokens
        # (read the one presented, remember the one issued)
        "table": ("dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
        "bus": ("events:PutEvents",),
        # Cognito's public sign-in API needs no IAM; the returned token is verified against the pool
        "user-pool": (),
    },
)
