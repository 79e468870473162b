from functions.declaration import Function, Route

FUNCTION = Function(
    description="The caller's profile.",
    trigger=Route("getMe"),
    access={"table": ("dynamodb:GetItem",)},
)
