"""Placeholder: replaced by its feature work."""
