from functions.declaration import Function, Route

FUNCTION = Function(
    description="A refresh token -> new access and id tokens.",
    trigger=Route("refreshTokens"),
    access={"user-pool": ()},
)
