from functions.declaration import Function, Route

FUNCTION = Function(
    description="The owning team or an admin moves a version on in its lifecycle (active, deprecated, retired).",
    trigger=Route("changeVersionLifecycle"),
    access={
        "table": ("dynamodb:GetItem", "dynamodb:UpdateItem"),  # the version, the caller's profile; the change
        "bus": ("events:PutEvents",),
    },
)
