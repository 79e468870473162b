from functions.declaration import Function, Route

FUNCTION = Function(
    description="A service reports calls to its team's APIs with a service key; each record is checked on its own.",
    trigger=Route("recordUsage"),
    access={
        # the key by its hash; the catalog entry and the version each record names
        "table": ("dynamodb:GetItem",),
        # the version's normalized document, for its operations
        "specs": ("s3:GetObject",),
        # ApiUsageRecorded, in parts
        "bus": ("events:PutEvents",),
        # the retention window and the clock-skew allowance
        "parameters": ("ssm:GetParametersByPath",),
    },
    memory_mb=1024,
)
