"""Independent implementation of MODEL.md: re-price and verify a plan from its decisions alone."""
