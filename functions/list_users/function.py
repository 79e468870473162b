from functions.declaration import Function, Route

FUNCTION = Function(
    description="The portal's users, by e-mail address, of one team or all (admins).",
    trigger=Route("listUsers"),
    access={"table": ("dynamodb:Query",)},
)
