from functions.declaration import Function, Route

FUNCTION = Function(
    description="The caller's refresh tokens stop working (Cognito GlobalSignOut).",
    trigger=Route("logout"),
    access={"user-pool": ()},
)
