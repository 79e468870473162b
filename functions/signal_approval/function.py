from events.registry import ApiApprovalDecided
from functions.declaration import Function, Queue

FUNCTION = Function(
    description="Hands an admin's decision on breaking changes to the registration workflow waiting for it.",
    trigger=Queue(events=(ApiApprovalDecided,), visibility_timeout_seconds=60),
    # the Temporal Cloud connection (API key or mTLS), read once per cold start
    access={"temporal-secret": ("secretsmanager:GetSecretValue",)},
)
