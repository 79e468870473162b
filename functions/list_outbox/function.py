from functions.declaration import Function, Route

FUNCTION = Function(
    description="The mail a local stack sent (SES in moto keeps it); in AWS, a 404 saying where to look instead.",
    trigger=Route("listOutbox"),
    # locally it reads moto's data endpoint over HTTP; in AWS it reaches nothing
)
