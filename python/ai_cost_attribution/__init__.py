"""AI cost attribution: price, attribute and reconcile LLM usage with dbt."""

__version__ = "0.1.0"
