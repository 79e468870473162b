from functions.declaration import Function, Route

FUNCTION = Function(
    description="A key stops working at once.",
    trigger=Route("revokeApiKey"),
    access={"table": ("dynamodb:PutItem", "dynamodb:Query")},
)
