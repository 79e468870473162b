from functions.declaration import Function, Route

FUNCTION = Function(
    description="What lint found in a version when it was registered.",
    trigger=Route("getApiVersionLint"),
    access={"table": ("dynamodb:GetItem",), "specs": ("s3:GetObject",)},
)
