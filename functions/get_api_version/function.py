from functions.declaration import Function, Route

FUNCTION = Function(
    description="One registered version.",
    trigger=Route("getApiVersion"),
    access={"table": ("dynamodb:GetItem",)},
)
