from functions.declaration import Function, Route

FUNCTION = Function(
    description="An e-mail address confirms its subscription with the token its link carries.",
    trigger=Route("confirmSubscription"),
    # the token's item; the subscription made active and the token deleted (one transaction)
    access={"table": ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")},
)
