from functions.declaration import Function, Route

FUNCTION = Function(
    description="A new secret for a key; the old one keeps working for the grace period.",
    trigger=Route("rotateApiKey"),
    access={
        "table": ("dynamodb:PutItem", "dynamodb:Query"),
        "parameters": ("ssm:GetParametersByPath",),  # the rotation grace, tunable
    },
)
