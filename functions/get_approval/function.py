from functions.declaration import Function, Route

FUNCTION = Function(
    description="A version's approval request: its breaking changes, who calls them, its deadline and outcome.",
    trigger=Route("getVersionApproval"),
    access={"table": ("dynamodb:GetItem",)},
)
