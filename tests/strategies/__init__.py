"""Hypothesis strategies, one module per usage source: each exposes a strategy for one raw line of
its format and a function telling whether a line sends a cost field that cannot be read."""
