"""Single-purpose Lambda functions: one folder, one thin handler each."""
