"""The audited lifecycle of a vote: draft → announced → open → closed → preliminary → final → archived.

Each transition is done by a named person, recorded as a VoteEvent and an audit line, and posts a notice where
owners expect one. Assembly decisions are announced at least 15 days before they open unless a reason is recorded.

The announced window is the law's window: a vote opens at `opens_at` and closes at `closes_at` by itself (actor
None), on the next request that touches it (`keep_time`) or by `flask portal tick`; nobody opens it early, and only
community staff close it early, with a reason. Opening and closing take the vote row's lock first
(`locks.exclusive`) and look at the status again, so two requests, or the timer and a request, never do it twice.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from portal import audit
from portal.compounds import services as compounds
from portal.db import utcnow, will_write
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import box, electorate, locks, paper, receipts, reminders
from portal.voting.models import Vote, VoteEvent, VoteKind, VoteStatus

ANNOUNCE_DAYS = 15  # 业主大会会议召开15日以前通知全体业主
CLOSING_NOTICE = timedelta(hours=24)  # "closes within 24 hours"

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


def closes_early(vote: Vote, now=None) -> bool:
    """Closing now would end voting before the announced closing time (staff only, with a reason)."""
    return (now or utcnow()) < vote.closes_at


def transition(vote: Vote, target: VoteStatus, actor, reason: str | None = None) -> VoteEvent:
    """Move the vote to `target`, by `actor` (None: the window itself), with the checks and side effects of that step.

    Opening and closing lock the vote row and re-read it first, so the status checked is the one that holds."""
    if target in (VoteStatus.open, VoteStatus.closed, VoteStatus.cancelled):
        db.session.flush()  # the refresh below must not drop changes made to the vote before this step
        locks.exclusive(vote)
    if not allowed(vote, target):
        raise Refused("step_not_possible")
    now = utcnow()
    if target == VoteStatus.announced:
        if problems_before_announcing(vote):
            raise Refused("incomplete")
        if needs_early_reason(vote, now):
            if not (reason or "").strip():
                raise Refused("early_reason_required")
            vote.early_reason = reason.strip()
        vote.announced_at = now
    elif target == VoteStatus.open:
        if now < vote.opens_at:
            raise Refused("too_early")
        electorate.freeze(vote)
        box.prepare(vote)
        vote.opened_at = now
    elif target == VoteStatus.closed:
        if closes_early(vote, now):
            if not (reason or "").strip():
                raise Refused("close_reason_required")
            vote.close_reason = reason.strip()

        paper.forget_uncounted(vote)  # secret votes: entries that never counted keep no choices either
        box.seal(vote)
        vote.closed_at = now
    elif target == VoteStatus.preliminary:
        vote.preliminary_at = now
    elif target == VoteStatus.final:
        from portal.voting import objections

        if objections.unanswered(vote):
            raise Refused("objections_unanswered")
        if objections.period_open(vote, now) and not (reason or "").strip():
            raise Refused("objection_period_open")
        vote.final_at = now
    elif target == VoteStatus.cancelled:
        if not (reason or "").strip():
            raise Refused("cancel_reason_required")
        vote.cancel_reason = reason.strip()
    if target in (VoteStatus.archived, VoteStatus.cancelled):
        receipts.forget(vote)  # from now on no receipt can be linked to a right, not even with the ballot key
    event = VoteEvent(
        vote_id=vote.id,
        from_status=vote.status.value,
        to_status=target.value,
        actor_id=getattr(actor, "id", None),
        reason=reason,
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
    if target == VoteStatus.open:
        reminders.tell_open(vote)


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


def due(vote: Vote, now=None) -> VoteStatus | None:
    """The step the window calls for now: open at `opens_at`, close at `closes_at`; None when none is due."""
    now = now or utcnow()
    if vote.status == VoteStatus.announced and now >= vote.opens_at:
        return VoteStatus.open
    if vote.status == VoteStatus.open and now >= vote.closes_at:
        return VoteStatus.closed
    return None


def closing_notice_due(vote: Vote, now=None) -> bool:
    """An open vote within 24 hours of its close whose "closes within 24 hours" notice is not posted yet."""
    now = now or utcnow()
    return (
        vote.status == VoteStatus.open
        and not vote.closing_notice_sent
        and now < vote.closes_at
        and vote.closes_at - now <= CLOSING_NOTICE
    )


def keep_time(vote: Vote, wait: bool = False, remind: bool = False) -> list[str]:
    """Take the steps the window calls for (open, close), by nobody; what was done, e.g. ["closed"].

    Cheap when nothing is due (every vote page calls it); otherwise the request takes the write lock and the vote
    row's lock, and everything is decided again on the vote as it now stands. A request does not wait for the row
    (`wait=False`): a ballot past the close already holds it FOR SHARE, and two such requests each waiting to lock it
    FOR UPDATE would deadlock; whoever holds it, or the next request, or `tick` (which waits), takes the step.
    Only `tick` posts the "closes within 24 hours" notice (`remind`): reading a page never posts anything."""
    if due(vote) is None and not (remind and closing_notice_due(vote)):
        return []
    will_write()
    if not wait and not _lock_now(vote):
        return []
    done = []
    locks.exclusive(vote)
    # A vote nobody touched through its whole window opens and closes in one go, each at the time it really happened.
    while (target := due(vote)) is not None:
        transition(vote, target, None)
        done.append(target.value)
    if remind and remind_closing(vote):
        done.append("closing")
    return done


def _lock_now(vote: Vote) -> bool:
    """Lock the vote row FOR UPDATE if nobody else holds it (PostgreSQL; SQLite's write lock is held already)."""
    if db.session.connection().dialect.name != "postgresql":
        return True
    table = Vote.__table__
    query = sa.select(table.c.id).where(table.c.id == vote.id).with_for_update(skip_locked=True)
    return db.session.execute(query).first() is not None


def remind_closing(vote: Vote) -> bool:
    """Post the "closes within 24 hours" notice once, when an open vote gets that close, and remind in their inbox
    those who have not voted; returns whether posted.

    `tick` holds the vote row's lock (`keep_time`), so the flag read here is the one that holds."""
    if not closing_notice_due(vote):
        return False
    vote.closing_notice_sent = True
    post_vote_notice(vote, "vote.closing", None)
    reminders.remind(vote)
    return True


def tick() -> list[tuple[Vote, list[str]]]:
    """`flask portal tick`: every vote whose window calls for a step, and what was done; each vote commits alone.

    One vote that fails (logged, raised after the others) must not keep every other vote from closing on time."""
    will_write()  # on SQLite every transaction below holds the write lock from its start
    now = utcnow()
    ids = db.session.scalars(
        db.select(Vote.id)
        .where(
            ((Vote.status == VoteStatus.announced) & (Vote.opens_at <= now))
            | (
                (Vote.status == VoteStatus.open)
                & ((Vote.closes_at <= now) | (~Vote.closing_notice_sent & (Vote.closes_at <= now + CLOSING_NOTICE)))
            )
        )
        .order_by(Vote.id)
    ).all()
    handled, failed = [], []
    for vote_id in ids:
        vote = db.session.get(Vote, vote_id)
        try:
            done = keep_time(vote, wait=True, remind=True)
            db.session.commit()
        except Exception as error:  # noqa: BLE001 (reported, and the other votes still get their turn)
            db.session.rollback()
            failed.append((vote_id, error))
            continue
        if done:
            handled.append((vote, done))
    if failed:
        raise TickError(handled, failed)
    return handled


class TickError(RuntimeError):
    """Some votes could not take their due step; `handled` were done, `failed` holds (vote id, error)."""

    def __init__(self, handled, failed) -> None:
        """Keep both lists for the command's report."""
        super().__init__(", ".join(f"vote {vote_id}: {error!r}" for vote_id, error in failed))
        self.handled, self.failed = handled, failed
