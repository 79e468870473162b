from functions.declaration import Function, Route

FUNCTION = Function(
    description="A contract test run: its progress while it runs, its results once it ended.",
    trigger=Route("getTestRun"),
    access={"table": ("dynamodb:GetItem",)},  # the run
)
