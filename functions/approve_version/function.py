from functions.declaration import Function, Route

FUNCTION = Function(
    description="An admin approves a version's breaking changes (an event its registration workflow is told of).",
    trigger=Route("approveVersion"),
    access={"table": ("dynamodb:GetItem",), "bus": ("events:PutEvents",)},  # the request; the decision
)
