"""Jinja filters for the domain's formats."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask


def area(value) -> str:
    """An exclusive floor area as owners read it: two decimals and ㎡ (formatted from the Decimal, no float)."""
    return f"{Decimal(value).quantize(Decimal('0.01'))} ㎡"


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters["area"] = area
