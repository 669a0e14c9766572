"""The audited lifecycle of a vote: draft → announced → open → closed → preliminary → final → archived.

Each transition is done by a named person, recorded as a VoteEvent and an audit line, and posts a notice where
owners expect one. Assembly decisions are announced at least 15 days before they open unless a reason is recorded.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _

from portal import audit
from portal.compounds import services as compounds
from portal.db import utcnow
from portal.extensions import db
from portal.voting import box, electorate
from portal.voting.models import Vote, VoteEvent, VoteKind, VoteStatus

ANNOUNCE_DAYS = 15  # 业主大会会议召开15日以前通知全体业主

# status → the statuses it may move to
TRANSITIONS: dict[VoteStatus, tuple[VoteStatus, ...]] = {
    VoteStatus.draft: (VoteStatus.announced, VoteStatus.cancelled),
    VoteStatus.announced: (VoteStatus.open, VoteStatus.cancelled),
    VoteStatus.open: (VoteStatus.closed, VoteStatus.cancelled),
    VoteStatus.closed: (VoteStatus.preliminary,),
    VoteStatus.preliminary: (VoteStatus.final,),
    VoteStatus.final: (VoteStatus.archived,),
    VoteStatus.archived: (),
    VoteStatus.cancelled: (),
}


class TransitionError(ValueError):
    """The transition is not allowed now; `code` says why."""

    def __init__(self, code: str) -> None:
        """Keep the reason code for the page to translate."""
        super().__init__(code)
        self.code = code


def allowed(vote: Vote, target: VoteStatus) -> bool:
    """True if the lifecycle permits moving to `target` from the vote's status."""
    return target in TRANSITIONS[vote.status]


def editable(vote: Vote) -> bool:
    """What voters answer can change only while the vote is a draft."""
    return vote.status == VoteStatus.draft


def needs_early_reason(vote: Vote, now=None) -> bool:
    """An assembly vote (resolution or election) announced less than 15 days before it opens needs a reason."""
    now = now or utcnow()
    return vote.kind != VoteKind.poll and vote.opens_at - now < timedelta(days=ANNOUNCE_DAYS)


def problems_before_announcing(vote: Vote) -> list[str]:
    """What stops a draft from being announced (reason codes)."""
    found = []
    if vote.closes_at <= vote.opens_at:
        found.append("window")
    if vote.kind == VoteKind.resolution and not vote.items:
        found.append("no_items")
    if vote.kind == VoteKind.poll and len(vote.options) < 2:
        found.append("no_options")
    if vote.kind == VoteKind.election:
        if not vote.seats or vote.seats % 2 == 0 or not 3 <= vote.seats <= 11:
            found.append("seats")
        if sum(1 for c in vote.candidates if c.on_ballot) < 1:
            found.append("no_candidates")
    return found


def transition(vote: Vote, target: VoteStatus, actor, reason: str | None = None) -> VoteEvent:
    """Move the vote to `target`, by `actor`, with the checks and side effects of that step."""
    if not allowed(vote, target):
        raise TransitionError("not_allowed")
    now = utcnow()
    if target == VoteStatus.announced:
        if problems_before_announcing(vote):
            raise TransitionError("incomplete")
        if needs_early_reason(vote, now):
            if not (reason or "").strip():
                raise TransitionError("early_reason_required")
            vote.early_reason = reason.strip()
        vote.announced_at = now
    elif target == VoteStatus.open:
        electorate.freeze(vote)
        box.prepare_counters(vote)
        vote.opened_at = now
    elif target == VoteStatus.closed:
        from portal.voting import paper

        paper.forget_uncounted(vote)  # secret votes: entries that never counted keep no choices either
        box.seal(vote)
        vote.closed_at = now
    elif target == VoteStatus.preliminary:
        vote.preliminary_at = now
    elif target == VoteStatus.final:
        from portal.voting import objections

        if objections.unanswered(vote):
            raise TransitionError("objections_unanswered")
        if objections.period_open(vote, now) and not (reason or "").strip():
            raise TransitionError("objection_period_open")
        vote.final_at = now
    elif target == VoteStatus.cancelled:
        if not (reason or "").strip():
            raise TransitionError("cancel_reason_required")
        vote.cancel_reason = reason.strip()
    event = VoteEvent(
        vote_id=vote.id, from_status=vote.status.value, to_status=target.value, actor_id=actor.id, reason=reason
    )
    vote.status = target
    db.session.add(event)
    db.session.flush()
    audit.record(f"vote.{target.value}", actor, vote.compound, vote_id=vote.id, reason=reason)
    _notify(vote, target, actor)
    return event


def _notify(vote: Vote, target: VoteStatus, actor) -> None:
    """Post the member notice owners expect at this step (shown in each reader's language)."""
    if target in NOTIFIED:
        post_vote_notice(vote, f"vote.{target.value}", actor)


NOTIFIED = (VoteStatus.announced, VoteStatus.open, VoteStatus.preliminary, VoteStatus.final, VoteStatus.cancelled)


def notice_title(event: str, title: str) -> str:
    """The notice text for a vote event, in the current language."""
    texts = {
        "vote.announced": _("Vote announced: %(title)s", title=title),
        "vote.open": _("Voting is open: %(title)s", title=title),
        "vote.closing": _("Voting closes within 24 hours: %(title)s", title=title),
        "vote.preliminary": _("Preliminary result posted: %(title)s", title=title),
        "vote.final": _("Final result posted: %(title)s", title=title),
        "vote.cancelled": _("Vote cancelled: %(title)s", title=title),
    }
    return texts[event]


def post_vote_notice(vote: Vote, event: str, actor) -> None:
    """Post a member notice about a vote; its stored title is the Chinese text."""
    with force_locale("zh_Hans"):
        title = notice_title(event, vote.title)
    compounds.post_notice(vote.compound, title, "", False, actor, event=event, vote_id=vote.id)


def remind_closing(vote: Vote) -> bool:
    """Post the "closes within 24 hours" notice once, when an open vote gets that close; returns whether posted."""
    if vote.status != VoteStatus.open or vote.closing_notice_sent:
        return False
    if vote.closes_at - utcnow() > timedelta(hours=24):
        return False
    vote.closing_notice_sent = True
    post_vote_notice(vote, "vote.closing", None)
    return True
