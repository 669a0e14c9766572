"""One label per state: what every enum member is called, in zh-Hans and English, for pages, forms, CSV and notices.

portal/translations/glossary.md fixes the Chinese and English word of each state, and tests/test_labels.py holds this
table to it: a member without a label, or a state said with two words (办理中 on one page, 处理中 on another), fails.
Templates call `{{ need.status|label }}`, or `{{ "taken"|label("NeedStatus") }}` for a plain string.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from markupsafe import Markup
from wtforms import SelectChoice

from portal.accounts.models import CodeState
from portal.boards.models import BoardStatus, Category, CommitmentStatus, OrgKind
from portal.boards.report import Outcome as ReportOutcome
from portal.compounds.models import AreaSource
from portal.drive.models import VisitOutcome
from portal.lists.models import ProjectOrigin, ProjectStatus, ResourceStatus
from portal.meetings.models import Answer as MotionAnswer
from portal.meetings.models import InviteeGroup, MeetingKind, MeetingPhase, MeetingStatus, MinutesStatus, Visibility
from portal.needs.models import NeedKind, NeedStatus
from portal.roles.models import CommitteePost, Role
from portal.voting import tally
from portal.voting.models.ballot import BallotChannel
from portal.voting.models.vote import (
    Art278Category,
    CandidateStatus,
    Nomination,
    NominationState,
    Secrecy,
    VoteKind,
    VoteStatus,
)
from portal.voting.models.vote import Matter as VoteMatter

__all__ = ["LABELS", "SENTENCES", "label", "choices"]

# Words several enums share: one state, one word.
_DRAFT = _l("draft")
_CANCELLED = _l("cancelled")
_AGENDA_POSTED = _l("agenda posted")
_IN_PROGRESS = _l("In progress")
_OVERDUE = _l("Overdue")
_FULFILLED = _l("Fulfilled")
_WITHDRAWN = _l("Withdrawn")
_ANSWERS = {"yes": _l("Agree"), "no": _l("Disagree"), "abstain": _l("Abstain")}
_MATTERS = {"ordinary": _l("ordinary matter"), "major": _l("major matter")}
_AWAITING_CHECK = _l("waiting for the eligibility check")
_ON_LIST = _l("eligible: on the candidate list")
_INELIGIBLE = _l("not eligible")
_NOMINATION_WITHDRAWN = _l("withdrawn")
_ACTIVATED = _l("activated")


def _same(kind: type[enum.Enum], words: dict[str, object]) -> dict[enum.Enum, object]:
    return {kind(value): word for value, word in words.items()}


LABELS: dict[type[enum.Enum], dict[enum.Enum, object]] = {
    # requests and micro-wishes (需求 / 微心愿)
    NeedKind: {NeedKind.request: _l("Request"), NeedKind.wish: _l("Micro-wish")},
    NeedStatus: {
        NeedStatus.submitted: _l("Waiting for review"),
        NeedStatus.declined: _l("Declined"),
        NeedStatus.open: _l("Waiting for a taker"),
        NeedStatus.taken: _l("Being dealt with"),
        NeedStatus.done: _l("Done, waiting for the resident"),
        NeedStatus.closed: _l("Closed"),
    },
    # the board of pledges (承诺践诺)
    OrgKind: {
        OrgKind.committee: _l("Owners' committee"),
        OrgKind.property_company: _l("Property company"),
        OrgKind.party_org: _l("Community Party organisation"),
        OrgKind.party_branch: _l("Compound Party branch"),
        OrgKind.cobuilder: _l("Co-building unit"),
        OrgKind.social: _l("Social organisation or volunteer team"),
    },
    Category: {
        Category.environment: _l("Environment and sanitation"),
        Category.safety: _l("Safety"),
        Category.repair: _l("Repairs"),
        Category.greening: _l("Greening"),
        Category.elderly: _l("Services for older people"),
        Category.children: _l("Children and young people"),
        Category.health: _l("Health"),
        Category.culture: _l("Culture and sport"),
        Category.traffic: _l("Parking and traffic"),
        Category.other: _l("Other"),
    },
    CommitmentStatus: {
        CommitmentStatus.in_progress: _IN_PROGRESS,
        CommitmentStatus.fulfilled: _FULFILLED,
        CommitmentStatus.withdrawn: _WITHDRAWN,
    },
    BoardStatus: {
        BoardStatus.in_progress: _IN_PROGRESS,
        BoardStatus.overdue: _OVERDUE,
        BoardStatus.fulfilled: _FULFILLED,
        BoardStatus.withdrawn: _WITHDRAWN,
    },
    ReportOutcome: {
        ReportOutcome.on_time: _l("Fulfilled on time"),
        ReportOutcome.late: _l("Fulfilled late"),
        ReportOutcome.overdue: _OVERDUE,
        ReportOutcome.in_progress: _IN_PROGRESS,
        ReportOutcome.withdrawn: _WITHDRAWN,
    },
    # the three lists (三张清单)
    ResourceStatus: {ResourceStatus.offered: _l("offered"), ResourceStatus.withdrawn: _l("taken off the list")},
    ProjectOrigin: {
        ProjectOrigin.need_claimed: _l("an organisation claimed a need"),
        ProjectOrigin.resource_matched: _l("a need was matched to a resource"),
        ProjectOrigin.staff: _l("set up by community staff"),
    },
    ProjectStatus: {
        ProjectStatus.in_progress: _l("under way"),
        ProjectStatus.completed: _l("completed"),
        ProjectStatus.cancelled: _CANCELLED,
    },
    # meetings (微会议)
    MeetingKind: {
        MeetingKind.committee: _l("Owners' committee meeting"),
        MeetingKind.joint: _l("Three-party joint meeting"),
        MeetingKind.council: _l("Residents' council"),
        MeetingKind.representatives: _l("Owners' representatives meeting"),
    },
    Visibility: {
        Visibility.public: _l("public record"),
        Visibility.members: _l("record for members"),
        Visibility.invitees: _l("record for invitees"),
    },
    MeetingStatus: {
        MeetingStatus.draft: _DRAFT,
        MeetingStatus.posted: _AGENDA_POSTED,
        MeetingStatus.cancelled: _CANCELLED,
    },
    MeetingPhase: {
        MeetingPhase.draft: _DRAFT,
        MeetingPhase.cancelled: _CANCELLED,
        MeetingPhase.upcoming: _AGENDA_POSTED,
        MeetingPhase.under_way: _l("in progress"),
        MeetingPhase.ended: _l("ended"),
    },
    InviteeGroup: {
        InviteeGroup.committee: _l("Owners' committee members"),
        InviteeGroup.property_manager: _l("The property company"),
        InviteeGroup.staff: _l("Community staff and Party organisation"),
        InviteeGroup.owner: _l("All owners"),
        InviteeGroup.resident: _l("All residents"),
        InviteeGroup.volunteer: _l("Volunteers"),
    },
    MinutesStatus: {
        MinutesStatus.draft: _DRAFT,
        MinutesStatus.signing: _l("awaiting sign-off"),
        MinutesStatus.published: _l("published"),
    },
    MotionAnswer: _same(MotionAnswer, _ANSWERS),
    # people
    Role: {
        Role.owner: _l("owner"),
        Role.resident: _l("resident"),
        Role.committee: _l("committee member"),
        Role.property_manager: _l("property manager"),
        Role.volunteer: _l("volunteer"),
    },
    CommitteePost: {
        CommitteePost.chair: _l("chair"),
        CommitteePost.vice_chair: _l("vice chair"),
        CommitteePost.member: _l("member"),
        CommitteePost.secretary: _l("secretary"),
    },
    CodeState: {
        CodeState.none: _l("no code yet"),
        CodeState.valid: _l("code sent, not used"),
        CodeState.used: _ACTIVATED,
        CodeState.active: _ACTIVATED,
        CodeState.expired: _l("code expired"),
        CodeState.revoked: _l("code revoked"),
    },
    # the register
    AreaSource: {
        AreaSource.registered: _l("registered"),
        AreaSource.surveyed: _l("surveyed"),
        AreaSource.contract: _l("contract"),
    },
    # votes (业主电子投票)
    VoteKind: {
        VoteKind.resolution: _l("Assembly resolution"),
        VoteKind.election: _l("Committee election"),
        VoteKind.poll: _l("Opinion poll"),
    },
    Secrecy: {Secrecy.named: _l("named ballot"), Secrecy.secret: _l("secret ballot")},
    VoteStatus: {
        VoteStatus.draft: _DRAFT,
        VoteStatus.announced: _l("announced"),
        VoteStatus.open: _l("voting open"),
        VoteStatus.closed: _l("closed, being counted"),
        VoteStatus.preliminary: _l("preliminary result (objections open)"),
        VoteStatus.final: _l("final result"),
        VoteStatus.archived: _l("archived"),
        VoteStatus.cancelled: _CANCELLED,
    },
    VoteMatter: _same(VoteMatter, _MATTERS),
    tally.Matter: _same(tally.Matter, _MATTERS),
    tally.Answer: _same(tally.Answer, _ANSWERS),
    Art278Category: {
        Art278Category.rules_of_procedure: _l("(1) Making or changing the owners' assembly's rules of procedure"),
        Art278Category.management_rules: _l("(2) Making or changing the management rules"),
        Art278Category.committee: _l("(3) Electing the owners' committee or replacing its members"),
        Art278Category.property_manager: _l("(4) Hiring or dismissing the property service company or other manager"),
        Art278Category.use_fund: _l("(5) Using the maintenance fund of the buildings and their facilities"),
        Art278Category.raise_fund: _l("(6) Raising the maintenance fund of the buildings and their facilities"),
        Art278Category.rebuild: _l("(7) Rebuilding or reconstructing the buildings and their facilities"),
        Art278Category.change_use: _l("(8) Changing the use of common parts, or running a business on them"),
        Art278Category.other: _l("(9) Another major matter of common ownership and joint management"),
    },
    Nomination: {
        Nomination.self_nominated: _l("self-nominated"),
        Nomination.others: _l("nominated by an owner"),
        Nomination.staff: _l("nominated by the community"),
    },
    CandidateStatus: {
        CandidateStatus.pending: _AWAITING_CHECK,
        CandidateStatus.eligible: _ON_LIST,
        CandidateStatus.ineligible: _INELIGIBLE,
        CandidateStatus.withdrawn: _NOMINATION_WITHDRAWN,
    },
    NominationState: {
        NominationState.awaiting_consent: _l("waiting for the nominee's answer"),
        NominationState.declined: _l("declined"),
        NominationState.withdrawn: _NOMINATION_WITHDRAWN,
        NominationState.awaiting_check: _AWAITING_CHECK,
        NominationState.on_list: _ON_LIST,
        NominationState.ineligible: _INELIGIBLE,
    },
    tally.Outcome: {
        tally.Outcome.elected: _l("Elected"),
        tally.Outcome.alternate: _l("Alternate member"),
        tally.Outcome.not_elected: _l("Not elected"),
        tally.Outcome.runoff: _l("Runoff"),
    },
    BallotChannel: {
        BallotChannel.online: _l("online"),
        BallotChannel.proxy: _l("by proxy"),
        BallotChannel.paper: _l("on paper"),
    },
    # the turnout drive (楼栋长走访)
    VisitOutcome: {
        VisitOutcome.reached: _l("reached"),
        VisitOutcome.not_home: _l("not at home"),
        VisitOutcome.refused: _l("refused"),
        VisitOutcome.paper: _l("will vote on paper"),
    },
}

# Enums that are never shown as a word on their own: each is told in whole sentences where it matters.
SENTENCES = {
    "portal.needs.models.NeedStep": "a request's timeline step names who took it (templates/needs/_timeline.html)",
    "portal.meetings.models.MotionRule": "said as the rule a quick vote passes by (meetings/_motions.html, minutes)",
    "portal.voting.tally.Reason": "why an item passed or failed, with its numbers (voting/wording.py item_sentence)",
    "portal.voting.disclosure.Reveal": "what a published number gives away (voting/_result_disclosure.html)",
    "portal.coowners.models.ProposalState": "a proposal of the unit's voter is told in sentences (coowners/unit.html)",
}

# Plain strings name their kind: {{ "taken"|label("NeedStatus") }}. The two Answer and Matter enums say the same.
_BY_NAME: dict[str, type[enum.Enum]] = {kind.__name__: kind for kind in LABELS} | {
    "Answer": tally.Answer,
    "Matter": tally.Matter,
    "Outcome": tally.Outcome,
    "ReportOutcome": ReportOutcome,
}


def label(value: enum.Enum | str, kind: str | None = None) -> str:
    """The word for a member in the current language; a plain string needs its enum's name (ValueError if it is
    not one of its members, TypeError if no kind is given)."""
    if not isinstance(value, enum.Enum):
        if kind is None:
            raise TypeError(f"label({value!r}) needs the name of its enum, e.g. label(value, 'NeedStatus')")
        value = _BY_NAME[kind](value)
    return str(LABELS[type(value)][value])


def choices(members: Iterable[enum.Enum]) -> list[SelectChoice]:
    """A form's select choices: each member's value and lazy label (translated when the form is drawn), in the
    order given: `choices(Category)` for all of an enum, or a list of members in the order people expect."""
    return [SelectChoice(member.value, LABELS[type(member)][member]) for member in members]


@pass_context  # never folded into a constant when the template compiles: the language is the request's
def label_filter(context, value, kind: str | None = None) -> Markup:
    """`{{ need.status|label }}`, `{{ "taken"|label("NeedStatus") }}`: the state's one word (portal/labels.py). A label
    is translator text from the catalogue, as trusted as gettext's in templates (which Jinja marks safe), so it is
    marked safe the same way: "Owners' committee" is printed as before, not as &#39;."""
    return Markup(label(value, kind))  # noqa: S704


# An election is a draft while owners stand and nominate: to them it is taking nominations, not a draft.
_TAKING_NOMINATIONS = _l("taking nominations")


@pass_context
def vote_phase(context, vote) -> Markup:
    """`{{ vote|vote_phase }}`: the vote's state as owners read it (an election being prepared takes nominations)."""
    if vote.status == VoteStatus.draft and vote.kind == VoteKind.election:
        return Markup(str(_TAKING_NOMINATIONS))  # noqa: S704 (translator text, as label_filter)
    return label_filter(context, vote.status)


def init_app(app) -> None:
    """Register the `label` and `vote_phase` filters."""
    app.jinja_env.filters["label"] = label_filter
    app.jinja_env.filters["vote_phase"] = vote_phase
