"""CDK stacks. Every resource is derived from the same definitions the local runtime provisions:
`devportal.names`, the table shape in `devportal.tables`, the function declarations
(`functions.catalog`) and the event topology (`functions.topology.routing()`)."""
