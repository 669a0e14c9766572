"""A change a rule refuses: `Refused(code)`, raised by every service, and the one sentence each code stands for.

A service raises `Refused("past_due")`; the page shows `error.sentence`. One table says every code's sentence in
the reader's language, so one refusal reads the same on every page, and a code without a sentence shows the
general one, never the bare code (tests/test_refusals.py holds every code a service raises to a sentence).
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import ngettext

TEXT_LIMIT = 5000  # characters of a description, note, reason or progress update


class Refused(ValueError):
    """A change refused; `code` says why, `values` fill its sentence (e.g. the limit of a text that is too long)."""

    def __init__(self, code: str, **values: object) -> None:
        """Keep the reason code and its values for the page."""
        super().__init__(code)
        self.code = code
        self.values = values

    @property
    def sentence(self) -> str:
        """Why, in the reader's language."""
        return sentence(self.code, **self.values)

    @classmethod
    def text(cls, value: str | None, limit: int = TEXT_LIMIT, required: bool = True, code: str = "empty") -> str:
        """The text stripped; refused with `code` when required and empty, with "too_long" past `limit`."""
        text = (value or "").strip()
        if required and not text:
            raise cls(code)
        if len(text) > limit:
            raise cls("too_long", limit=limit)
        return text


def sentence(code: str, **values: object) -> str:
    """The sentence for a refusal code (the general one for a code the table lacks: never the code itself)."""
    found = SENTENCES.get(code)
    return found(**values) if found is not None else _("This cannot be done now.")


# code → its sentence. Codes are named for what is wrong, once for the whole portal: a code means one thing.
SENTENCES: dict[str, Callable[..., str]] = {
    # Texts people write
    "empty": lambda: _("Write something before sending."),
    "too_long": lambda limit=TEXT_LIMIT: _("This text is too long: at most %(limit)d characters.", limit=limit),
    "title": lambda: _("Give a title."),
    "reason": lambda: _("Give a reason."),
    "note": lambda: _("Say what was done."),
    "body": lambda: _("Write what has been done."),
    "stars": lambda: _("Choose from 1 to 5 stars."),
    "not_allowed": lambda: _("You are not allowed to do this."),
    # Meetings (微会议)
    "too_soon": lambda: _(
        "A committee meeting's agenda must be posted at least 7 days ahead. Give the reason why it is urgent."
    ),
    "window": lambda: _("This cannot be done outside the meeting's time window."),
    "not_draft": lambda: _("The agenda has been posted already."),
    "cancelled": lambda: _("The meeting is cancelled."),
    "ended": lambda: _("The meeting has ended; it can no longer be cancelled."),
    "meeting_published": lambda: _("The minutes are published; the meeting can no longer be cancelled."),
    "item": lambda: _("This agenda item is not part of this meeting."),
    "record_closed": lambda: _("The minutes are published: the meeting's record is closed."),
    "take_part": lambda: _("Only invitees who have signed in can take part, while the meeting is open."),
    "not_author": lambda: _("Only the author can edit a comment."),
    "hidden": lambda: _("A hidden comment cannot be edited."),
    "edit_window": lambda: _("A comment can only be edited within 5 minutes of posting it."),
    "not_chair": lambda: _("Only the chair can hide a comment."),
    "hide_reason": lambda: _("Give the reason for hiding the comment."),
    "already_hidden": lambda: _("This comment is hidden already."),
    "motion_text": lambda: _("Write the motion to be voted on."),
    "motion_closed": lambda: _("This vote is closed."),
    "answer_not_attendee": lambda: _(
        "Only attendees who signed in can answer (in committee meetings: committee members)."
    ),
    "answer": lambda: _("Choose yes, no or abstain."),
    "published": lambda: _("Published minutes never change. Add a dated addendum instead."),
    "minutes_empty": lambda: _("Write the minutes first."),
    "status": lambda: _("The minutes are not out for sign-off."),
    "comment": lambda: _("Say what you object to: a comment is required."),
    "publish_reason": lambda: _("Not every attendee has confirmed. Give the reason for publishing now."),
    "chair_only": lambda: _("Not every attendee has confirmed; only the chair may publish now, with a reason."),
    "motions_open": lambda: _("Close every quick vote first: the minutes record their results."),
    # The board (承诺) and its organisations
    "target": lambda: _("Say what exactly will be done."),
    "pledge_closed": lambda: _("This pledge is no longer in progress."),
    "past_due": lambda: _("The due date cannot be in the past."),
    "community_wide": lambda: _("Only community staff and community-wide organisations pledge for every compound."),
    "rate_not_allowed": lambda: _("You cannot rate this pledge."),
    "name": lambda: _("Give the organisation a name."),
    "duplicate_name": lambda: _("The community already has an organisation of this name."),
    "already_member": lambda: _("This person is already a member."),
    "not_found": lambda: _("No account has this account number or phone number."),
    # Requests and micro-wishes (需求), the three lists
    "need_title": lambda: _("Say in a few words what you need."),
    "description": lambda: _("Say what exactly you need."),
    "taker": lambda: _("Choose who will take it on."),
    "changed": lambda: _("Someone else has just acted on this request. Here it is as it is now."),
    "own": lambda: _("You cannot take on your own request."),
    "not_serving": lambda: _("This organisation or resource does not serve this compound."),
    "not_taker": lambda: _("Only volunteers of the compound and members of organisations serving it take requests."),
    "not_requester": lambda: _("Only the resident who asked can do this."),
    "taken": lambda: _("This need has already been taken on by someone else. Nothing was changed."),
    "withdrawn": lambda: _("This resource has been withdrawn from the list and cannot be matched."),
    "offered": lambda: _("The resource is already on the list."),
    "not_community_wide": lambda: _("Only an organisation serving the whole community can offer to every compound."),
    "organisation": lambda: _("Choose the organisation that takes the need on."),
    "project_closed": lambda: _("The project is no longer under way."),
    # Casting a ballot
    "vote_not_open": lambda: _("This vote is not open for voting."),
    "already_voted": lambda: _("This voting right has been used already. Nothing was changed."),
    "too_many": lambda: _("You chose more than allowed."),
    "too_many_candidates": lambda num=0, most=0: ngettext(
        "You chose %(num)d candidate; you can choose at most %(most)d.",
        "You chose %(num)d candidates; you can choose at most %(most)d.",
        num,
        most=most,
    ),
    "no_choice": lambda: _("Choose at least one option."),
    "unreadable": lambda: _("The ballot could not be read. Please fill it in again."),
    # Steps of a vote
    "step_not_possible": lambda: _("This step is not possible now."),
    "incomplete": lambda: _("The vote is not complete yet: see what is missing above."),
    "early_reason_required": lambda: _("The vote opens in less than 15 days: give the reason for the short notice."),
    "cancel_reason_required": lambda: _("Give the reason for cancelling."),
    "too_early": lambda: _("The vote cannot open before the announced time: it opens by itself then."),
    "close_reason_required": lambda: _(
        "The announced closing time has not come: give the reason for closing the vote early. It is printed on "
        "the notice."
    ),
    "not_confirmed": lambda: _("Tick the box to confirm: nothing has changed yet."),
    "early_needs_staff": lambda: _(
        "The vote opens in less than 15 days: only community staff may announce it at short notice, with a reason."
    ),
    "objections_unanswered": lambda: _("Answer every objection before posting the final result."),
    "objection_period_open": lambda: _(
        "The objection period has not ended: give the reason for posting the final result early."
    ),
    "locked": lambda: _("What owners are asked cannot change once the vote is announced."),
    # A vote's scope (表决范围)
    "scope_no_units": lambda: _(
        "The buildings and entrances chosen hold no unit: choose where the owners who decide live."
    ),
    "scope_unknown": lambda: _("Choose buildings and entrances of this compound."),
    "scope_resolution_only": lambda: _(
        "Only an owners' resolution can be limited to buildings or entrances; elections and polls are for the whole "
        "compound."
    ),
    # Proxies and paper ballots (the desk)
    "right_required": lambda: _("Give the number on the roll or the room."),
    "right_not_found": lambda: _("No voting right has this number or room."),
    "right_ambiguous": lambda: _("Several voting rights match: give the building and entrance too, or the number."),
    "proxy_not_found": lambda: _("No account has this account number or phone."),
    "proxy_self": lambda: _("An owner cannot be their own proxy."),
    "reference_required": lambda: _("Give the number of the written authorisation."),
    "owner_has_proxy": lambda: _("This owner already has a proxy in this vote. Revoke it first."),
    "used": lambda: _("This voting right has been used already."),
    "not_now": lambda: _("Proxies are recorded and revoked from the announcement until voting closes."),
    "revoked": lambda: _("The authorisation was revoked already."),
    "cap_range": lambda most=10: _("Choose a number from 1 to %(most)d.", most=most),
    "cap": lambda cap=1: ngettext(
        "This person already represents %(num)d owner in this vote, the most the compound allows.",
        "This person already represents %(num)d owners in this vote, the most the compound allows.",
        cap,
    ),
    "paper_not_open": lambda: _("Paper ballots are entered while voting is open."),
    "paper_conflict": lambda: _(
        "This voting right has been used online or by proxy. The paper ballot is refused and listed as a conflict."
    ),
    "already_counted": lambda: _("A paper ballot for this voting right has been counted already."),
    "mismatch_open": lambda: _("The entries for this voting right differ. A supervisor must void them first."),
    "same_staff": lambda: _("You entered this ballot already. A second staff member must enter it."),
    "not_voidable": lambda: _("Only pending or mismatched entries can be voided."),
    # Secret paper ballots: the envelope (who took part) apart from the sheet (what was chosen)
    "sheet_by_code": lambda: _(
        "In a secret vote the envelope and the sheet are recorded apart: record the envelope, then enter the sheet "
        "by its sheet code."
    ),
    "envelope_in": lambda: _("The envelope of this voting right has been recorded already."),
    "envelope_has_sheet": lambda: _(
        "A sheet of this voting right has been entered already: the envelope cannot be undone. Ask a supervisor."
    ),
    "envelope_first": lambda: _(
        "This sheet's envelope has not been recorded: record the envelope first (先登记信封), then enter the sheet."
    ),
    "sheet_code_required": lambda: _("Give the sheet code printed on the sheet, e.g. K3M9P-2XQ7H."),
    "sheet_code_unknown": lambda: _("No sheet of this vote has this code. Check it against the sheet."),
    "sheet_used": lambda: _(
        "The voting right of this sheet has been used online or by proxy since its envelope came in. The sheet is "
        "refused: show it to a supervisor."
    ),
    "sheet_counted": lambda: _("This sheet has been counted already."),
    "sheet_mismatch_open": lambda: _("The entries of this sheet differ. A supervisor must void them first."),
    # Objections to a result
    "objections_closed": lambda: _("Objections can be filed only while the preliminary result is posted."),
    "deadline": lambda: _("The objection period has ended. New objections can no longer be filed."),
    "no_right": lambda: _("Only owners with a voting right in this vote can file an objection."),
    "answered": lambda: _("This objection has been answered already."),
    # Nominations in an election
    "unknown_room": lambda: _("No such room in this compound. Write it as on the roll, e.g. 1栋 1单元 101."),
    "not_eligible": lambda: _("The owner of this room cannot stand (only owners holding the vote, not the developer)."),
    "already": lambda: _("This owner is already on the nomination list, or has declined."),
    "not_election": lambda: _("Only an election has nominations."),
    "not_owner": lambda: _("Only owners holding a vote in the compound stand or nominate."),
    "not_yours": lambda: _("Only the candidate can do this."),
    "nominate_self": lambda: _("To stand yourself, use “Stand as a candidate”."),
    "statement_required": lambda: _("Write a statement."),
    "nominations_closed": lambda: _("Nominations are closed: the election has been announced."),
    "state": lambda: _("This nomination cannot change this way now."),
    # Who votes for a co-owned unit (指定投票人)
    "not_co_owner": lambda: _("Only the owners of this unit can do this."),
    "single_owner": lambda: _("This unit has one owner, who votes for it: there is nobody else to name."),
    "nominee": lambda: _("Choose one of the unit's owners."),
    "already_voter": lambda: _("This owner already votes for the unit."),
    "proposal_changed": lambda: _(
        "The proposal has changed since the page was opened (withdrawn, declined or replaced). Here it is as it is now."
    ),
    "own_proposal": lambda: _("You made this proposal: the other owners confirm or decline it. You can withdraw it."),
    "already_confirmed": lambda: _("You have confirmed this proposal already."),
    "not_proposer": lambda: _("Only the owner who made the proposal can withdraw it."),
    # Building captains (楼栋长/单元长)
    "captain_not_resident": lambda: _("Only an owner or resident of this compound can be a captain."),
    "captain_not_activated": lambda: _(
        "This person has not activated their account yet: a captain works in the portal. Give them their letter first."
    ),
    "captain_place": lambda: _("Choose a building or an entrance of this compound."),
    "captain_already": lambda: _("This person is already captain of this building or entrance."),
    "reminded_today": lambda: _(
        "The owners who have not voted were reminded today already. Remind them again tomorrow."
    ),
}
