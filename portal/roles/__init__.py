"""Roles per compound and community staff (no pages of its own: the staff pages manage them)."""
