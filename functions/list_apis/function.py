from functions.declaration import Function, Route

FUNCTION = Function(
    description="The catalog, a page at a time.",
    trigger=Route("listApis"),
    access={"table": ("dynamodb:Query",)},
)
