from functions.declaration import Function, Route

FUNCTION = Function(
    description="A team's APIs ranked by calls over a period, with errors, latency, consumers and health.",
    trigger=Route("getTeamAnalytics"),
    access={
        # the team's catalog entries (GSI2), each API's days and hours of usage
        "table": ("dynamodb:Query",),
        "parameters": ("ssm:GetParametersByPath",),  # the retention window
    },
    memory_mb=1024,
    timeout_seconds=20,
)
