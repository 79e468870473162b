from functions.declaration import Function, Route

FUNCTION = Function(
    description="A version's rendered documentation page (or a presigned redirect to it).",
    trigger=Route("getApiDocs"),
    access={"table": ("dynamodb:GetItem",), "docs": ("s3:GetObject",)},
)
