"""Domain events: the envelope, one model per event, the catalog that routes them."""
