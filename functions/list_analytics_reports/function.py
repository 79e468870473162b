from functions.declaration import Function, Route

FUNCTION = Function(
    description="An API's daily analytics reports, newest first, a page at a time.",
    trigger=Route("listAnalyticsReports"),
    access={"table": ("dynamodb:GetItem", "dynamodb:Query")},  # the catalog entry; the reports' summaries
)
