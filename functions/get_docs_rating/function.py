from functions.declaration import Function, Route

FUNCTION = Function(
    description="How readers rate a version's docs: helpful or not, the reader's own vote, recent comments.",
    trigger=Route("getDocsRating"),
    access={"table": ("dynamodb:GetItem", "dynamodb:Query")},  # the version; its votes
)
