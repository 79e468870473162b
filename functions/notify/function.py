from devportal.notify.kinds import NOTIFIED_EVENTS
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Notifier: each event a team subscribed to -> a delivery per subscription (the notify state machine).",
    trigger=Queue(events=NOTIFIED_EVENTS),
    access={
        # the team's subscriptions; the API's owner when the event does not name it; the deliveries
        "table": ("dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
        "notifications": ("states:StartExecution",),
    },
)
