from functions.declaration import Function, Route

FUNCTION = Function(
    description="An API's analytics report of one day.",
    trigger=Route("getAnalyticsReport"),
    access={"table": ("dynamodb:GetItem",)},  # the catalog entry; the report
)
