from functions.declaration import Function, Route

FUNCTION = Function(
    description="A version's document exactly as it was submitted (or a presigned redirect to it).",
    trigger=Route("getApiSpec"),
    access={"table": ("dynamodb:GetItem",), "specs": ("s3:GetObject",)},
)
