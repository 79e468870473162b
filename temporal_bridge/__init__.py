"""Temporal: the registration workflow, its activities, the worker, and the bridge handlers that
turn events into workflow starts."""
