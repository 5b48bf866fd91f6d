"""The solve engine: the one HiGHS adapter, objective staging, fix-and-optimise, diagnosis."""
