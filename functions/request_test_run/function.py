from functions.declaration import Function, Route

FUNCTION = Function(
    description="Asks for a contract test run of a registered version against a live base URL.",
    trigger=Route("requestTestRun"),
    access={
        # the version and the catalog entry, the caller's profile (their team), the API's test
        # settings read; the run record written (conditionally)
        "table": ("dynamodb:GetItem", "dynamodb:PutItem"),
        "specs": ("s3:GetObject",),  # the spec's declared server URL, when no target is named
        "bus": ("events:PutEvents",),  # TestRunRequested
    },
)
