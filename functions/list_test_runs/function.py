from functions.declaration import Function, Route

FUNCTION = Function(
    description="An API's contract test runs, newest first, with their score and coverage (the trend).",
    trigger=Route("listTestRuns"),
    access={"table": ("dynamodb:GetItem", "dynamodb:Query")},  # the catalog entry; the runs (GSI2)
)
