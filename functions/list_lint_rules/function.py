from functions.declaration import Function, Route

FUNCTION = Function(
    description="The lint rules with their default levels.",
    trigger=Route("listLintRules"),
    access={},
)
