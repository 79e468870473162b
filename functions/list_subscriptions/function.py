from functions.declaration import Function, Route

FUNCTION = Function(
    description="A team's subscriptions, without their secrets.",
    trigger=Route("listSubscriptions"),
    access={"table": ("dynamodb:GetItem", "dynamodb:Query")},  # the caller's profile; the subscriptions
)
