from functions.declaration import Function, Route

FUNCTION = Function(
    description="What was sent to a subscription, newest first, with every attempt.",
    trigger=Route("listDeliveries"),
    access={"table": ("dynamodb:GetItem", "dynamodb:Query")},  # the caller's profile; the subscription; deliveries
)
