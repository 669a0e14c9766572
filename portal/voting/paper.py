"""书面表决票: paper ballots, entered twice by two different staff members before they count.

The first entry of a right waits (pending). A second entry by another staff member with identical choices casts the
ballot through the ballot box (channel paper) and both entries become counted; different choices flag both as a
mismatch for a supervisor, who voids them so the ballot can be entered again. A right already used online or by
proxy is refused and the attempt recorded as a conflict. In a secret vote an entry's choices are stored only
encrypted with the ballot key (`sealing.py`) and forgotten once counted or voided, so nothing stored shows what a
unit chose. Services flush, never commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from portal import audit
from portal.accounts.models import Person
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import access, box, locks, sealing
from portal.voting.models import (
    BallotChannel,
    Conflict,
    PaperEntry,
    Participation,
    Secrecy,
    Vote,
    VoteKind,
    VotingRight,
)

PENDING, COUNTED, MISMATCH, VOID = "pending", "counted", "mismatch", "void"
OPEN_STATES = (PENDING, MISMATCH)  # entries still in play for their right


def lock_right(right: VotingRight) -> None:
    """Serialise entries for one right (PostgreSQL row lock): two desks entering at once still pair up."""
    db.session.execute(db.select(VotingRight.id).where(VotingRight.id == right.id).with_for_update())


def _blank(entry: PaperEntry) -> None:
    """Forget what an entry said (secret votes): only the right, who, when and the state remain."""
    entry.answers, entry.selected, entry.options, entry.encrypted = "{}", "[]", "[]", None


def _said(vote: Vote, entry: PaperEntry) -> tuple[str, str, str]:
    """What an entry says (decrypted in a secret vote)."""
    if entry.encrypted is not None:
        return sealing.decrypt_paper(vote.id, entry.right_id, entry.encrypted)
    return entry.answers, entry.selected, entry.options


def record_conflict(vote: Vote, right: VotingRight, existing: Participation, actor) -> None:
    """A paper ballot for a right already used another way: refused, and listed for the supervisor."""
    db.session.add(
        Conflict(
            vote_id=vote.id,
            right_id=right.id,
            attempted=BallotChannel.paper,
            existing=existing.channel,
            actor_id=getattr(actor, "id", None),
        )
    )
    db.session.flush()
    audit.record("vote.conflict", actor, vote.compound, vote_id=vote.id, right=right.ordinal, attempted="paper")


def enter(vote: Vote, right: VotingRight, choices: box.Choices, actor) -> PaperEntry:
    """Store one staff member's entry of the paper ballot of `right`; count it when it matches another's.

    A named vote's ballot only: a secret vote's sheet carries no unit and is entered by its sheet code
    (`sheets.enter_sheet`), after its envelope (`sheets.receive_envelope`)."""
    if vote.secrecy == Secrecy.secret:
        raise Refused("sheet_by_code")
    return record(vote, right, choices, actor)


def record(vote: Vote, right: VotingRight, choices: box.Choices, actor, sheet: bool = False) -> PaperEntry:
    """The entry itself, for a named ballot or (`sheet`) a secret vote's sheet whose right the server resolved from
    its code: then nothing said or logged names the right, and a right used another way is refused without a
    conflict row (the conflict list names rooms, so it would tie the sheet to its room)."""
    # Even an entry that does not count yet keeps choices, so it must not cross the seal either: hold the vote row
    # FOR SHARE (closing takes it FOR UPDATE) and read its state as it is now, not as loaded earlier in the request.
    locks.share(vote.id)
    db.session.refresh(vote)
    if not access.is_open_now(vote):
        raise Refused("paper_not_open")
    if right.vote_id != vote.id:
        raise Refused("unreadable")
    choices = box.validate(vote, choices)  # Refused for choices the ballot does not allow
    lock_right(right)
    used = box.has_voted(vote, right)
    if used is not None:
        if used.channel != BallotChannel.paper:
            if sheet:
                raise Refused("sheet_used")
            record_conflict(vote, right, used, actor)
            raise Refused("paper_conflict")
        raise Refused("sheet_counted" if sheet else "already_counted")
    waiting = list(
        db.session.scalars(
            db.select(PaperEntry)
            .where(PaperEntry.vote_id == vote.id, PaperEntry.right_id == right.id, PaperEntry.state.in_(OPEN_STATES))
            .order_by(PaperEntry.id)
        )
    )
    if any(e.state == MISMATCH for e in waiting):
        raise Refused("sheet_mismatch_open" if sheet else "mismatch_open")
    if any(e.entered_by_id == actor.id for e in waiting):
        raise Refused("same_staff")
    said = choices.as_json()
    entry = PaperEntry(vote_id=vote.id, right_id=right.id, entered_by_id=actor.id, state=PENDING)
    if vote.secrecy == Secrecy.secret:
        entry.encrypted = sealing.encrypt_paper(vote, right.id, *said)
    else:
        entry.answers, entry.selected, entry.options = said
    db.session.add(entry)
    db.session.flush()
    where = {} if sheet else {"right": right.ordinal}
    audit.record("vote.paper_entered", actor, vote.compound, vote_id=vote.id, entry_id=entry.id, **where)
    if not waiting:
        return entry
    first = waiting[0]
    if _said(vote, first) == said:
        box.cast(vote, right, choices, BallotChannel.paper, actor)
        first.state = entry.state = COUNTED
        if vote.secrecy == Secrecy.secret:
            _blank(first)
            _blank(entry)
        action = "vote.paper_counted"
    else:
        first.state = entry.state = MISMATCH
        action = "vote.paper_mismatch"
    db.session.flush()
    audit.record(action, actor, vote.compound, vote_id=vote.id, entries=[first.id, entry.id], **where)
    return entry


def get(vote: Vote, entry_id: int) -> PaperEntry | None:
    """A paper entry of this vote."""
    entry = db.session.get(PaperEntry, entry_id)
    return entry if entry is not None and entry.vote_id == vote.id else None


def void(vote: Vote, entry: PaperEntry, actor) -> list[PaperEntry]:
    """A supervisor voids a pending entry, or both entries of a mismatch, so the ballot can be entered again."""
    if entry.state not in OPEN_STATES:
        raise Refused("not_voidable")
    if entry.state == MISMATCH:
        voided = list(
            db.session.scalars(
                db.select(PaperEntry).where(
                    PaperEntry.vote_id == vote.id, PaperEntry.right_id == entry.right_id, PaperEntry.state == MISMATCH
                )
            )
        )
    else:
        voided = [entry]
    for row in voided:
        row.state = VOID
        if vote.secrecy == Secrecy.secret:
            _blank(row)
    db.session.flush()
    audit.record("vote.paper_voided", actor, vote.compound, vote_id=vote.id, entries=[e.id for e in voided])
    return voided


def forget_uncounted(vote: Vote) -> int:
    """When a secret vote closes: entries that never counted forget their choices too; returns how many."""
    if vote.secrecy != Secrecy.secret:
        return 0
    rows = list(
        db.session.scalars(
            db.select(PaperEntry).where(PaperEntry.vote_id == vote.id, PaperEntry.state.in_(OPEN_STATES))
        )
    )
    for row in rows:
        _blank(row)
    db.session.flush()
    return len(rows)


@dataclass
class Desk:
    """The paper entries of a vote by state, for the desk page."""

    pending: list[PaperEntry] = field(default_factory=list)
    mismatch: list[PaperEntry] = field(default_factory=list)
    counted: list[PaperEntry] = field(default_factory=list)
    void: list[PaperEntry] = field(default_factory=list)
    used: dict[int, BallotChannel] = field(default_factory=dict)  # right id → how it was used, for pending rows


@dataclass(frozen=True)
class Line:
    """One item, candidate or option of a flagged paper ballot, with what each entry said about it: an answer
    (yes / no / abstain) or whether the box was ticked."""

    title: str
    said: tuple[str | bool, ...]

    @property
    def differs(self) -> bool:
        """True when the entries do not say the same here."""
        return len(set(self.said)) > 1


@dataclass(frozen=True)
class Flagged:
    """A paper ballot whose two entries differ: the right, its entries, and (named votes only) every line of the
    ballot with what each entry said, so a supervisor sees which line differs. A secret vote shows no choice."""

    right: VotingRight
    entries: tuple[PaperEntry, ...]
    lines: tuple[Line, ...]


def flagged(vote: Vote, mismatched: list[PaperEntry]) -> list[Flagged]:
    """The flagged paper ballots, one per right in the order given (roll order), lines compared for named votes."""
    by_right: dict[int, list[PaperEntry]] = {}
    for entry in mismatched:
        by_right.setdefault(entry.right_id, []).append(entry)
    result = []
    for entries in by_right.values():
        lines: list[Line] = []
        if vote.secrecy == Secrecy.named:
            said = [tuple(json.loads(text) for text in _said(vote, entry)) for entry in entries]
            if vote.kind == VoteKind.resolution:
                lines = [
                    Line(item.title, tuple(answers.get(item.key) or "abstain" for answers, _s, _o in said))
                    for item in vote.items
                ]
            elif vote.kind == VoteKind.election:
                lines = [
                    Line(c.person.name, tuple(c.id in selected for _a, selected, _o in said))
                    for c in vote.candidates
                    if c.on_ballot
                ]
            else:
                lines = [Line(o.label, tuple(o.id in options for _a, _s, options in said)) for o in vote.options]
        result.append(Flagged(entries[0].right, tuple(entries), tuple(lines)))
    return result


def desk(vote: Vote) -> Desk:
    """Every paper entry of the vote, grouped by state, in roll order then entry order."""
    entries = db.session.scalars(
        db.select(PaperEntry)
        .join(VotingRight, VotingRight.id == PaperEntry.right_id)
        .where(PaperEntry.vote_id == vote.id)
        .options(db.joinedload(PaperEntry.right), db.joinedload(PaperEntry.entered_by))
        .order_by(VotingRight.ordinal, PaperEntry.id)
    )
    result = Desk()
    for entry in entries:
        getattr(result, entry.state).append(entry)
    if result.pending:
        result.used = dict(
            db.session.execute(
                db.select(Participation.right_id, Participation.channel).where(
                    Participation.vote_id == vote.id,
                    Participation.right_id.in_({e.right_id for e in result.pending}),
                )
            ).all()
        )
    return result


def conflicts(vote: Vote) -> list[tuple[Conflict, Person | None]]:
    """Every attempt to use a right twice across channels, oldest first, with who tried."""
    return list(
        db.session.execute(
            db.select(Conflict, Person)
            .outerjoin(Person, Person.id == Conflict.actor_id)
            .where(Conflict.vote_id == vote.id)
            .options(db.joinedload(Conflict.right))
            .order_by(Conflict.at, Conflict.id)
        ).all()
    )
