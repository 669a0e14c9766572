"""A secret vote's paper ballot (不记名书面表决): the envelope (who took part) apart from the sheet (what was chosen).

Each voting right gets two printed things: an envelope label with its rooms and owner, and a sheet with the items and
a sheet code, but no unit, room, name or area. At the desk, staff first record that the envelope of a right came in
(`receive_envelope`, 信封登记: participation is no secret to those who run the vote), then two staff members each
enter the sheet by its code (`enter_sheet`, 选票录入), as paper ballots are entered twice. The sheet counts through
the right the code belongs to, only once its envelope is in.

The sheet code is a keyed tag of the right under the vote's key (`ballot_key`), written as receipt codes are
(ten base-32 digits, grouped 5-5). It is stored nowhere: the database alone cannot tell which right a code belongs
to. The server finds the right of a code by computing the codes of all the vote's rights in one pass (a few
milliseconds per thousand rights), kept per process while the vote is open (its rights are frozen). Nothing on the
sheet step, its messages, lists or audit lines names the right: they show the sheet code only.
Services flush, never commit.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from portal import audit
from portal.compounds.models import Building, Unit
from portal.compounds.services import natural_key
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import access, ballot_key, box, locks, paper, receipts
from portal.voting.models import (
    BallotChannel,
    PaperEntry,
    PaperEnvelope,
    Participation,
    Secrecy,
    Vote,
    VotingRight,
    VotingRightUnit,
)

CACHE_KEY = "linli.sheet_codes"
CACHE_VOTES = 8  # votes whose code maps a process keeps (20,000 rights take a few MB)


def sheet_code(vote_id: int, right_id: int, keys: ballot_key.VoteKeys | None = None) -> str:
    """The code printed on the sheet of this right: the first 50 bits of a keyed tag, grouped like receipt codes."""
    tag = (keys or ballot_key.for_vote(vote_id)).tag
    digest = hmac.digest(tag, b"paper-sheet\x00" + str(right_id).encode(), "sha256")
    return receipts.public_code(digest[:8].hex())


def _codes(vote: Vote) -> dict[str, int | None]:
    """code → right id for every right of the vote (None where two rights share a code: never guessed)."""
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    key = (vote.id, vote.opened_at)
    found = cache.get(key)
    if found is None:
        keys = ballot_key.for_vote(vote.id)
        right_ids = db.session.scalars(sa.select(VotingRight.id).where(VotingRight.vote_id == vote.id))
        found = {}
        for right_id in right_ids:
            code = sheet_code(vote.id, right_id, keys)
            found[code] = None if code in found else right_id
        if len(cache) >= CACHE_VOTES:
            cache.clear()
        cache[key] = found
    return found


def right_of_code(vote: Vote, typed: str | None) -> VotingRight:
    """The right a sheet code belongs to; Refused for an empty, malformed or unknown code."""
    if not (typed or "").strip():
        raise Refused("sheet_code_required")
    code = receipts.read_code(typed)
    right_id = _codes(vote).get(code) if code else None
    if right_id is None:
        raise Refused("sheet_code_unknown")
    return db.session.get(VotingRight, right_id)


def _secret_and_open(vote: Vote) -> None:
    """Refused unless this is a secret vote open for ballots, read under the vote row's share lock."""
    locks.share(vote.id)  # never across the seal (as paper entries)
    db.session.refresh(vote)
    if vote.secrecy != Secrecy.secret or not access.is_open_now(vote):
        raise Refused("paper_not_open")


def envelope_of(vote: Vote, right_id: int) -> PaperEnvelope | None:
    """The recorded envelope of a right, if any."""
    return db.session.scalar(
        sa.select(PaperEnvelope).where(PaperEnvelope.vote_id == vote.id, PaperEnvelope.right_id == right_id)
    )


def receive_envelope(vote: Vote, right: VotingRight, actor) -> PaperEnvelope:
    """信封登记: the envelope of `right` came in. Refused when it is in already; a right used online or by proxy is
    refused and listed as a conflict, as a paper ballot is."""
    _secret_and_open(vote)
    if right.vote_id != vote.id:
        raise Refused("unreadable")
    paper.lock_right(right)
    used = box.has_voted(vote, right)
    if used is not None and used.channel != BallotChannel.paper:
        paper.record_conflict(vote, right, used, actor)
        raise Refused("paper_conflict")
    if used is not None or envelope_of(vote, right.id) is not None:
        raise Refused("envelope_in")
    envelope = PaperEnvelope(vote_id=vote.id, right_id=right.id, received_by_id=actor.id)
    db.session.add(envelope)
    db.session.flush()
    audit.record("vote.envelope_received", actor, vote.compound, vote_id=vote.id, right=right.ordinal)
    return envelope


def undo_envelope(vote: Vote, envelope: PaperEnvelope, actor) -> None:
    """Undo an envelope recorded by mistake (the wrong room), while its right has no sheet entered: the right can
    then be used again, online or on paper."""
    _secret_and_open(vote)
    right = db.session.get(VotingRight, envelope.right_id)
    paper.lock_right(right)
    entered = sa.select(PaperEntry.id).where(
        PaperEntry.vote_id == vote.id, PaperEntry.right_id == right.id, PaperEntry.state != paper.VOID
    )
    if db.session.execute(entered.limit(1)).first() is not None:
        raise Refused("envelope_has_sheet")
    db.session.delete(envelope)
    db.session.flush()
    audit.record("vote.envelope_undone", actor, vote.compound, vote_id=vote.id, right=right.ordinal)


def get_envelope(vote: Vote, envelope_id: int) -> PaperEnvelope | None:
    """A recorded envelope of this vote."""
    envelope = db.session.get(PaperEnvelope, envelope_id)
    return envelope if envelope is not None and envelope.vote_id == vote.id else None


def enter_sheet(vote: Vote, code: str | None, choices: box.Choices, actor) -> PaperEntry:
    """选票录入: one staff member's entry of a sheet, found by its code; it counts (channel paper) once a second staff
    member enters the same choices, and only when the envelope of its right is in."""
    _secret_and_open(vote)
    right = right_of_code(vote, code)
    if envelope_of(vote, right.id) is None:
        raise Refused("envelope_first")
    return paper.record(vote, right, choices, actor, sheet=True)


@dataclass(frozen=True)
class SheetEntry:
    """A sheet entry as the sheet step shows it: its code, never its right."""

    code: str
    entry: PaperEntry


@dataclass
class SheetDesk:
    """The sheet step's lists: entries waiting for a second entry and flagged pairs by code (sorted by code, which
    follows neither the roll nor the envelopes), and how many sheets counted."""

    pending: list[SheetEntry]
    mismatch: list[list[SheetEntry]]
    counted: int
    voided: int


def sheet_desk(vote: Vote) -> SheetDesk:
    """The sheet entries of the vote, by code."""
    keys = ballot_key.for_vote(vote.id)
    rows = db.session.scalars(
        sa.select(PaperEntry)
        .where(PaperEntry.vote_id == vote.id)
        .options(db.joinedload(PaperEntry.entered_by))
        .order_by(PaperEntry.id)
    )
    pending, flagged, counted, voided = [], {}, 0, 0
    for entry in rows:
        shown = SheetEntry(sheet_code(vote.id, entry.right_id, keys), entry)
        if entry.state == paper.PENDING:
            pending.append(shown)
        elif entry.state == paper.MISMATCH:
            flagged.setdefault(shown.code, []).append(shown)
        elif entry.state == paper.COUNTED:
            counted += 1
        else:
            voided += 1
    return SheetDesk(
        sorted(pending, key=lambda s: s.code),
        [flagged[code] for code in sorted(flagged)],
        counted // 2,
        voided,
    )


@dataclass(frozen=True)
class Received:
    """An envelope on the envelope step's list: the right (roll order), and whether it was used another way since."""

    right: VotingRight
    used_otherwise: bool
    envelope_id: int


def envelopes(vote: Vote) -> list[Received]:
    """The envelopes received, in roll order (not in the order they came in, and without times: the sheet step's
    work must not be matched to them)."""
    rows = db.session.execute(
        sa.select(VotingRight, Participation.channel, PaperEnvelope.id)
        .join(PaperEnvelope, (PaperEnvelope.right_id == VotingRight.id) & (PaperEnvelope.vote_id == vote.id))
        .outerjoin(Participation, (Participation.right_id == VotingRight.id) & (Participation.vote_id == vote.id))
        .order_by(VotingRight.ordinal)
    ).all()
    return [Received(right, channel not in (None, BallotChannel.paper), found) for right, channel, found in rows]


@dataclass(frozen=True)
class Summary:
    """A secret vote's paper ballots on the desk page: how many envelopes came in and sheets counted, and how many
    sheet entries wait for a supervisor (counts only: the two steps have pages of their own)."""

    envelopes: int
    counted: int
    flagged: int


def summary(vote: Vote) -> Summary:
    """The counts of the two steps."""
    envelopes_in = db.session.scalar(sa.select(sa.func.count()).where(PaperEnvelope.vote_id == vote.id))
    states = dict(
        db.session.execute(
            sa.select(PaperEntry.state, sa.func.count()).where(PaperEntry.vote_id == vote.id).group_by(PaperEntry.state)
        ).all()
    )
    return Summary(envelopes_in, states.get(paper.COUNTED, 0) // 2, states.get(paper.MISMATCH, 0) // 2)


# --- printing: the envelope labels and the sheets --------------------------------------------------------------------


@dataclass(frozen=True)
class Pack:
    """One right's printed pair: its envelope label (rooms, owner) and its sheet (code only)."""

    right: VotingRight
    code: str


def _first_units(vote: Vote):
    """(right_id, id): each right's first unit on the roll, where the right (one head) belongs."""
    return (
        sa.select(VotingRightUnit.right_id, sa.func.min(VotingRightUnit.id).label("id"))
        .join(VotingRight, VotingRight.id == VotingRightUnit.right_id)
        .where(VotingRight.vote_id == vote.id)
        .group_by(VotingRightUnit.right_id)
        .subquery()
    )


def buildings(vote: Vote) -> list[tuple[str, int]]:
    """(building, number of rights) for the vote, a right counted where its first unit on the roll is (as the
    turnout by building counts heads); building names in natural order."""
    first = _first_units(vote)
    rows = db.session.execute(
        sa.select(Building.name, sa.func.count())
        .select_from(VotingRightUnit)
        .join(first, first.c.id == VotingRightUnit.id)
        .outerjoin(Unit, Unit.id == VotingRightUnit.unit_id)
        .outerjoin(Building, Building.id == Unit.building_id)
        .group_by(Building.name)
    ).all()
    return sorted(((name or "", count) for name, count in rows), key=lambda row: natural_key(row[0]))


def pack(vote: Vote, building: str | None = None, right_id: int | None = None) -> list[Pack]:
    """The label-and-sheet pairs of one building (by the first unit of each right) or of one right, in roll order;
    a constant number of queries whatever the number of rights."""
    query = (
        sa.select(VotingRight)
        .where(VotingRight.vote_id == vote.id)
        .options(db.joinedload(VotingRight.person), db.selectinload(VotingRight.units))
        .order_by(VotingRight.ordinal)
    )
    if right_id is not None:
        query = query.where(VotingRight.id == right_id)
    elif building is not None:
        first = _first_units(vote)
        located = (
            sa.select(first.c.right_id)
            .join(VotingRightUnit, VotingRightUnit.id == first.c.id)
            .outerjoin(Unit, Unit.id == VotingRightUnit.unit_id)
            .outerjoin(Building, Building.id == Unit.building_id)
            .where(sa.func.coalesce(Building.name, "") == building)
        )
        query = query.where(VotingRight.id.in_(located))
    keys = ballot_key.for_vote(vote.id)
    return [Pack(right, sheet_code(vote.id, right.id, keys)) for right in db.session.scalars(query).unique()]
