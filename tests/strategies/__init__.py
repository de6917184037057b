"""Hypothesis strategies for raw lines of the usage sources, one module per source."""
