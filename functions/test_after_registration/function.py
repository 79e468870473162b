from events.registry import ApiVersionRegistered
from functions.declaration import Function, Queue

FUNCTION = Function(
    description=(
        "Asks for a contract test run of each newly registered version whose API opted in, against the base URL "
        "its spec declares."
    ),
    trigger=Queue(events=(ApiVersionRegistered,)),
    access={
        # the API's test settings, the version; the run record written (conditionally)
        "table": ("dynamodb:GetItem", "dynamodb:PutItem"),
        "specs": ("s3:GetObject",),  # the spec's declared server URL
        "bus": ("events:PutEvents",),  # TestRunRequested
    },
)
