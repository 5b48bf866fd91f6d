"""The LP-guided engine for large models: relaxation, RENS, neighbourhoods in parallel.

`optimizer.solve.solver` hands a model to it when the strategy (`strategy.py`) says so;
the engine works on the model as plain arrays and returns its best plan and bound.
"""
