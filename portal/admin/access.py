"""Who may use the administrator's area. Views call these first."""

from __future__ import annotations

from portal import permissions


def can_administer(person) -> bool:
    """Only platform administrators (平台管理员) create communities and appoint community staff."""
    return permissions.is_admin(person)
