from functions.declaration import Function, Route

FUNCTION = Function(
    description="Accepts an OpenAPI document: checks, raw spec to S3, submission record, ApiSpecSubmitted.",
    trigger=Route("submitSpec"),
    access={
        "table": ("dynamodb:GetItem", "dynamodb:PutItem"),
        "specs": ("s3:PutObject",),
        "bus": ("events:PutEvents",),
        "parameters": ("ssm:GetParametersByPath",),  # the size caps and finding limits, tunable
    },
    # Parsing and checking a document of up to 10 MB (API Gateway's cap) within its 29 s.
    memory_mb=1024,
    timeout_seconds=29,
)
