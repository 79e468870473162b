from functions.declaration import Function, Route

FUNCTION = Function(
    description="One of a team's subscriptions.",
    trigger=Route("getSubscription"),
    access={"table": ("dynamodb:GetItem",)},  # the caller's profile; the subscription
)
