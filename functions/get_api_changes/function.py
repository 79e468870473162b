from functions.declaration import Function, Route

FUNCTION = Function(
    description="What changed between two registered versions of an API, and what of it breaks consumers.",
    trigger=Route("getApiChanges"),
    access={"table": ("dynamodb:Query",), "specs": ("s3:GetObject",)},
    # Two descriptions of up to 64 MB, read and compared (GitHub's two releases: ~0.4 s).
    memory_mb=2048,
    timeout_seconds=29,
)
