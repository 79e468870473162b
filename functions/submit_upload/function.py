from functions.declaration import Function, Route

FUNCTION = Function(
    description="Submits an uploaded document (up to 64 MB) through the same checks as POST /apis.",
    trigger=Route("submitUpload"),
    access={
        "table": ("dynamodb:GetItem", "dynamodb:PutItem"),
        "specs": ("s3:GetObject", "s3:PutObject"),
        "bus": ("events:PutEvents",),
        "parameters": ("ssm:GetParametersByPath",),  # the upload cap, tunable
    },
    # Reading, parsing and checking up to 64 MB (Microsoft Graph beta: 47 MB, ~450 MB parsed).
    memory_mb=2048,
    timeout_seconds=29,
)
