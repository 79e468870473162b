from functions.declaration import Function, Route

FUNCTION = Function(
    description="Opens an upload for a document too large for a request body: a presigned PUT into the specs bucket.",
    trigger=Route("createUpload"),
    # Presigning calls nothing; the URL carries this role's s3:PutObject on the upload's key.
    access={"specs": ("s3:PutObject",), "parameters": ("ssm:GetParametersByPath",)},
)
