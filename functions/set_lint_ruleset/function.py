from functions.declaration import Function, Route

FUNCTION = Function(
    description="A team sets its lint ruleset.",
    trigger=Route("setLintRuleset"),
    access={"table": ("dynamodb:GetItem", "dynamodb:PutItem")},  # the caller's profile; the ruleset
)
