"""Placeholder: `flask portal verify-vote` is added by the results work."""
