from functions.declaration import Function, Route

FUNCTION = Function(
    description="An API's contract-test settings: environments, run after registration, limits.",
    trigger=Route("getTestSettings"),
    access={"table": ("dynamodb:GetItem",)},  # the catalog entry; the settings
)
