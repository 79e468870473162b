from functions.declaration import Function, Route

FUNCTION = Function(
    description="A reader's vote on a version's docs (helpful or not, an optional comment); voting again changes it.",
    trigger=Route("rateDocs"),
    access={"table": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")},  # the version; the vote; the tally
)
