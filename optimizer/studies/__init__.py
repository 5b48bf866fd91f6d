"""Studies that run many solves: Pareto fronts, sweeps, flexibility, robustness, stress, re-plans."""
