from functions.declaration import Function, Route

FUNCTION = Function(
    description="Where a submission stands, with findings when rejected.",
    trigger=Route("getSubmission"),
    access={"table": ("dynamodb:GetItem",)},
)
