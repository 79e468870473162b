from functions.declaration import Function, Route

FUNCTION = Function(
    description="An admin creates a service API key for a team; the secret is shown once.",
    trigger=Route("createApiKey"),
    access={"table": ("dynamodb:PutItem",)},
)
