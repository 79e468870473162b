"""Who calls: the user pool's shape (shared by the auth stack and the local runtime), token checks,
roles."""
