from functions.declaration import Function, Route

FUNCTION = Function(
    description="The owning team sets an API's contract-test settings.",
    trigger=Route("setTestSettings"),
    access={"table": ("dynamodb:GetItem", "dynamodb:PutItem")},  # the entry, the caller's profile; the settings
)
