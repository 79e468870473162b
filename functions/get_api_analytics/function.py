from functions.declaration import Function, Route

FUNCTION = Function(
    description="An API's usage over a period: calls, errors, latency percentiles, top operations and consumers.",
    trigger=Route("getApiAnalytics"),
    access={
        # the catalog entry; the API's versions (an operation across them); its hours and consumers
        "table": ("dynamodb:GetItem", "dynamodb:Query"),
        # the retention window
        "parameters": ("ssm:GetParametersByPath",),
    },
    memory_mb=1024,
)
