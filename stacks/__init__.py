"""CDK stacks. Every resource is derived from the same definitions the local runtime provisions:
`devportal.names`, the table shape in `devportal.adapters.dynamodb`, and `events.catalog.routing()`."""
