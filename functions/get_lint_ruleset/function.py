from functions.declaration import Function, Route

FUNCTION = Function(
    description="A team's lint ruleset.",
    trigger=Route("getLintRuleset"),
    access={"table": ("dynamodb:GetItem",)},
)
