from functions.declaration import Function, Route

FUNCTION = Function(
    description="The owning team's health lines for one of its APIs (error rate, p99, traffic, minimum calls).",
    trigger=Route("setApiHealthThresholds"),
    access={
        # the catalog entry (whose API), the caller's profile (their team), the lines written;
        # then the health as GET shows it
        "table": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchGetItem", "dynamodb:Query"),
        "parameters": ("ssm:GetParametersByPath",),  # the default lines
    },
)
