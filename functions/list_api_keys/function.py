from functions.declaration import Function, Route

FUNCTION = Function(
    description="A team's service API keys, without secrets.",
    trigger=Route("listApiKeys"),
    access={"table": ("dynamodb:Query",)},
)
