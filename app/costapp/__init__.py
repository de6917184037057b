"""The stakeholder app's shared code: warehouse access, every query, and the page furniture."""
