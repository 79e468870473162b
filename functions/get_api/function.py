from functions.declaration import Function, Route

FUNCTION = Function(
    description="One API and its versions.",
    trigger=Route("getApi"),
    access={"table": ("dynamodb:GetItem", "dynamodb:Query")},
)
