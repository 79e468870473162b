from functions.declaration import Function, Route

FUNCTION = Function(
    description="An admin invites a user: account, role group, profile.",
    trigger=Route("inviteUser"),
    access={
        "table": ("dynamodb:PutItem",),
        "user-pool": (
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminDeleteUser",
            "cognito-idp:AdminSetUserPassword",
        ),
    },
)
