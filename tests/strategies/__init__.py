"""Hypothesis strategies for the raw records of each usage source (one module per source)."""
