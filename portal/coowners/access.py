"""Who may see and change who votes for a unit. Views call these first.

Only the unit's own owners see its page and act on it: anyone else (another unit's owner, another compound's, staff)
gets 404, as if the unit had no page. Staff record the voter from the signed paper form on their own pages.
"""

from __future__ import annotations

from portal import permissions
from portal.compounds.models import Compound
from portal.coowners.services import UnitVoter


def can_name_voter(person, unit: UnitVoter) -> bool:
    """An owner of the unit: sees who votes for it, proposes, confirms, declines or withdraws."""
    return permissions.signed_in(person) is not None and unit.owns(person)


def can_record_paper(person, compound: Compound) -> bool:
    """Community staff of the compound (those who keep its register) record the voter from the paper form."""
    return permissions.may(permissions.signed_in(person), "import_register", compound)
