"""One module per exercise of the lower-back routine, found by name."""
