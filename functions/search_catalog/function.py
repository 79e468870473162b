from functions.declaration import Function, Route

FUNCTION = Function(
    description="Searches the catalog (APIs and their operations) from the index this function keeps in memory.",
    trigger=Route("searchCatalog"),
    # the index revision on every search; the documents written since, by GSI1
    access={"table": ("dynamodb:GetItem", "dynamodb:Query")},
    memory_mb=1024,
)
