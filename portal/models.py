"""Imports every model so that the metadata (and Alembic) sees them all."""

from portal.accounts.models import ActivationCode, Person
from portal.audit import AuditEvent
from portal.boards.models import *  # noqa: F403 (registers the board models)
from portal.compounds.models import AreaSource, Building, Community, Compound, Entrance, Notice, Unit
from portal.coowners.models import VoterConfirmation, VoterProposal
from portal.drive.models import Captain, Visit
from portal.inbox.models import Notification
from portal.lists.models import *  # noqa: F403 (registers the three lists' models)
from portal.meetings.models import *  # noqa: F403 (registers the meeting models)
from portal.needs.models import *  # noqa: F403 (registers the request models)
from portal.register.models import Ownership
from portal.roles.models import CommitteePost, CommunityStaff, Membership, Role
from portal.voting.models import *  # noqa: F403 (registers the voting models)

__all__ = [
    "ActivationCode",
    "AreaSource",
    "AuditEvent",
    "Building",
    "Captain",
    "CommitteePost",
    "Community",
    "CommunityStaff",
    "Compound",
    "Entrance",
    "Membership",
    "Notice",
    "Notification",
    "Ownership",
    "Person",
    "Role",
    "Unit",
    "Visit",
    "VoterConfirmation",
    "VoterProposal",
]
