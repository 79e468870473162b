"""One module per command: `add_to(subcommands)` declares its arguments and sets `run`, which
takes the parsed arguments and returns the exit code."""
