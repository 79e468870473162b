from functions.declaration import Function, Route

FUNCTION = Function(
    description="A submission's document exactly as it was submitted, for reading its findings in place.",
    trigger=Route("getSubmissionDocument"),
    access={"table": ("dynamodb:GetItem",), "specs": ("s3:GetObject",)},
)
