from functions.declaration import Function, Route

FUNCTION = Function(
    description="An API's health: each rule's state and line, the lines in effect, the alert history.",
    trigger=Route("getApiHealth"),
    access={
        # the catalog entry, whether the API has traffic; its health state and thresholds (a batch
        # read); its alerts (a query)
        "table": ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"),
        "parameters": ("ssm:GetParametersByPath",),  # the default lines
    },
)
