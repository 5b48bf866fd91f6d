"""Start plans built from the data tables alone, without a solver: greedy, targets first, robust."""
