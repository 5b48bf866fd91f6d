"""Studies that run many solves: Pareto, sweeps, flexibility, robustness, stress, re-planning."""
