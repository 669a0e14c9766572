"""Quick votes (表决) on agenda items: the chair opens and closes them, attendees answer 同意/反对/弃权 in person.

Committee meetings decide with more than half of ALL committee members (the size is frozen when the motion opens),
not only those present, and nobody answers for anyone else (no proxies). Other kinds: more than half of those who
answered (abstaining counts as answering).
"""

from __future__ import annotations

from flask_babel import gettext as _

from portal.db import utcnow
from portal.extensions import db
from portal.meetings import access, services
from portal.meetings.models import AgendaItem, Answer, Meeting, Motion, MotionAnswer, MotionRule
from portal.refusals import Refused

# Form fields that would let one person answer for another; a request carrying any of them is refused outright.
PROXY_FIELDS = ("for", "proxy", "on_behalf", "on_behalf_of", "person_id")
TEXT_LIMIT = 1000  # characters of a motion


def passes(rule: MotionRule, yes: int, no: int, abstain: int, members_total: int | None) -> bool:
    """Whether a motion passes: all_members → yes > half of all members; answered → yes > half of the answers."""
    if rule == MotionRule.all_members:
        return 2 * yes > (members_total or 0)
    return 2 * yes > yes + no + abstain


def line(motion: Motion) -> str:
    """A motion with its counts and outcome (or that it is still open), in the current language (the minutes' and
    the decisions notice's line)."""
    if motion.closed_at is None:
        return _("%(text)s — the vote is still open.", text=motion.text)
    outcome = _("Passed") if motion.passed else _("Not passed")
    if motion.rule == MotionRule.all_members:
        rule = _("more than half of all %(total)d committee members needed", total=motion.members_total or 0)
    else:
        rule = _("more than half of those who answered needed")
    return _(
        "%(text)s — Agree %(yes)d, Disagree %(no)d, Abstain %(abstain)d: %(outcome)s (%(rule)s).",
        text=motion.text,
        yes=motion.yes or 0,
        no=motion.no or 0,
        abstain=motion.abstain or 0,
        outcome=outcome,
        rule=rule,
    )


def can_open(person, meeting: Meeting) -> bool:
    """The chair opens quick votes, inside the window."""
    return access.is_convenor(person, meeting) and access.window_open(meeting)


def can_close(person, meeting: Meeting) -> bool:
    """The chair closes quick votes (also after the window, so a forgotten vote can still be frozen)."""
    return access.is_convenor(person, meeting)


def open_motion(meeting: Meeting, item: AgendaItem, actor, text: str) -> Motion:
    """Open a quick vote on an agenda item with the meeting's rule (committee: the committee's size frozen now)."""
    services.refuse_if_record_closed(meeting)
    text = Refused.text(text, TEXT_LIMIT, code="motion_text")
    if not access.window_open(meeting):
        raise Refused("window")
    if item.meeting_id != meeting.id:
        raise Refused("item")
    rule = meeting.motion_rule
    total = services.committee_size(meeting.compound) if rule == MotionRule.all_members else None
    motion = Motion(
        meeting_id=meeting.id, item_id=item.id, text=text, rule=rule, members_total=total, opened_by_id=actor.id
    )
    db.session.add(motion)
    db.session.flush()
    services.record(
        meeting, "motion_opened", actor, motion_id=motion.id, item=item.title, text=text, rule=rule.value, total=total
    )
    return motion


def answer(motion: Motion, meeting: Meeting, person, value: str) -> MotionAnswer:
    """The person's own answer (changeable until the motion closes). There is no parameter for answering for someone
    else on purpose: the answer is always the caller's."""
    services.refuse_if_record_closed(meeting)
    if motion.closed_at is not None:
        raise Refused("motion_closed")
    if not access.can_answer(person, meeting):
        raise Refused("answer_not_attendee")
    try:
        choice = Answer(value)
    except ValueError:
        raise Refused("answer") from None
    row = db.session.scalar(
        db.select(MotionAnswer).where(MotionAnswer.motion_id == motion.id, MotionAnswer.person_id == person.id)
    )
    if row is None:
        row = MotionAnswer(motion_id=motion.id, person_id=person.id, answer=choice)
        db.session.add(row)
    else:
        row.answer = choice
        row.answered_at = utcnow()
    db.session.flush()
    meeting.changed_at = utcnow()
    return row


def tally(motion: Motion) -> tuple[int, int, int]:
    """(yes, no, abstain) answered so far."""
    counts = dict(
        db.session.execute(
            db.select(MotionAnswer.answer, db.func.count())
            .where(MotionAnswer.motion_id == motion.id)
            .group_by(MotionAnswer.answer)
        ).all()
    )
    return counts.get(Answer.yes, 0), counts.get(Answer.no, 0), counts.get(Answer.abstain, 0)


def close(motion: Motion, meeting: Meeting, actor) -> Motion:
    """Close the vote: the counts and the outcome are frozen into the motion for the minutes."""
    if motion.closed_at is not None:
        raise Refused("motion_closed")
    yes, no, abstain = tally(motion)
    motion.yes, motion.no, motion.abstain = yes, no, abstain
    motion.passed = passes(motion.rule, yes, no, abstain, motion.members_total)
    motion.closed_at = utcnow()
    db.session.flush()
    services.record(
        meeting, "motion_closed", actor, motion_id=motion.id, yes=yes, no=no, abstain=abstain, passed=motion.passed
    )
    return motion


def of_meeting(meeting: Meeting) -> list[Motion]:
    """The meeting's motions in the order they were opened."""
    return list(db.session.scalars(db.select(Motion).where(Motion.meeting_id == meeting.id).order_by(Motion.id)))


def context(meeting, person) -> dict:
    """What the meeting page needs from this part (merged into its template context); a fixed number of queries."""
    rows = of_meeting(meeting)
    by_item: dict[int, list[Motion]] = {}
    for motion in rows:
        by_item.setdefault(motion.item_id, []).append(motion)
    answered: dict[int, int] = {}
    mine: dict[int, str] = {}
    open_ids = [m.id for m in rows if m.closed_at is None]
    if open_ids:
        answered = services.counts(MotionAnswer.motion_id, open_ids)
        person_id = getattr(person, "id", None)
        if person_id is not None:
            mine = {
                motion_id: Answer(value).value
                for motion_id, value in db.session.execute(
                    db.select(MotionAnswer.motion_id, MotionAnswer.answer).where(
                        MotionAnswer.motion_id.in_(open_ids), MotionAnswer.person_id == person_id
                    )
                )
            }
    return {
        "motions_by_item": by_item,
        "motion_answered": answered,
        "my_answers": mine,
        "can_open_motion": can_open(person, meeting),
        "can_close_motion": can_close(person, meeting),
        "can_answer_motion": bool(open_ids) and access.can_answer(person, meeting),
        "motion_limit": TEXT_LIMIT,
    }
