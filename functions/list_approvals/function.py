from functions.declaration import Function, Route

FUNCTION = Function(
    description="The approvals admins are asked for, oldest first.",
    trigger=Route("listApprovals"),
    access={"table": ("dynamodb:Query",)},  # the pending requests (GSI1)
)
