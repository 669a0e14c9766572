"""The ballot box: casting once per voting right, receipts, the seal and its digest.

A secret ballot is stored encrypted while the vote is open and shuffled into a plain row at the seal
(`sealing.py`). The digest covers everything the result depends on: the vote's settings and what it asks, the frozen
roll with its totals, and every ballot row in receipt order (random, so it reveals no casting order). `verify`
recomputes it and recounts from what is stored; `verify-vote ID --digest HEX` compares it with the published copy.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.refusals import Refused
from portal.security import CODE_ALPHABET
from portal.voting import ballot_key, locks, receipts, scope, sealing
from portal.voting.models import (
    Ballot,
    BallotChannel,
    Conflict,
    PaperEnvelope,
    Participation,
    Secrecy,
    Vote,
    VoteKind,
    VoteStatus,
    VotingRight,
)
from portal.voting.receipts import receipt_hash

ANSWERS = ("yes", "no", "abstain")
RECEIPT_LENGTH = 10  # 50 bits: unguessable, short enough to copy down


@dataclass(frozen=True)
class Choices:
    """What a voter answered: item answers (None = blank), ticked candidates, ticked poll options."""

    answers: dict[str, str | None]
    selected: frozenset[str] = frozenset()
    options: frozenset[str] = frozenset()

    def as_json(self) -> tuple[str, str, str]:
        """The canonical JSON stored on a ballot (blank answers stored as abstain: a blank item is 弃权)."""
        answers = {k: (v or "abstain") for k, v in sorted(self.answers.items())}
        return (
            json.dumps(answers, sort_keys=True, separators=(",", ":")),
            json.dumps(sorted(int(key) for key in self.selected), separators=(",", ":")),
            json.dumps(sorted(int(key) for key in self.options), separators=(",", ":")),
        )


def validate(vote: Vote, choices: Choices) -> Choices:
    """Check the choices against the vote; unanswered items become explicit blanks (counted as abstain)."""
    if vote.kind == VoteKind.resolution:
        keys = {item.key for item in vote.items}
        unknown = set(choices.answers) - keys
        bad = {v for v in choices.answers.values() if v not in (*ANSWERS, None)}
        if unknown or bad or choices.selected or choices.options:
            raise Refused("unreadable")
        return Choices({k: choices.answers.get(k) for k in sorted(keys, key=int)})
    if vote.kind == VoteKind.election:
        allowed = {c.key for c in vote.candidates if c.on_ballot}
        if choices.answers or choices.options or not choices.selected <= allowed:
            raise Refused("unreadable")
        if len(choices.selected) > (vote.seats or 0):
            raise Refused("too_many_candidates", num=len(choices.selected), most=vote.seats or 0)
        return Choices({}, frozenset(choices.selected))
    allowed = {o.key for o in vote.options}
    if choices.answers or choices.selected or not choices.options <= allowed:
        raise Refused("unreadable")
    if not choices.options:
        raise Refused("no_choice")
    if len(choices.options) > 1 and not vote.poll_multiple:
        raise Refused("too_many")
    return Choices({}, options=frozenset(choices.options))


def new_receipt() -> str:
    """A random receipt code, e.g. K3M9P-2XQ7H: only for a vote without a receipt key (`receipts.py`)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


public_code = receipts.code_of  # the receipt code the voter is shown: the code the published list prints


def prepare(vote: Vote) -> None:
    """When a vote opens: its receipt key; a secret vote also remembers which ballot key it is encrypted with
    (start-up checks it)."""
    if vote.secrecy == Secrecy.secret:
        vote.key_check = ballot_key.for_vote(vote.id).check
    receipts.prepare(vote)


def _cents(area: Decimal) -> int:
    return int((area * 100).to_integral_exact())


def cast(
    vote: Vote,
    right: VotingRight,
    choices: Choices,
    channel: BallotChannel = BallotChannel.online,
    actor=None,
    proxy=None,
) -> str:
    """Cast (or, where the vote allows it, replace) the ballot of one voting right; returns the receipt code."""
    # `vote` was loaded earlier in the request: hold the vote row FOR SHARE, then read its state as it is now, so a
    # closing either waits for this ballot or is already visible here (never crossing the seal).
    locks.share(vote.id)
    status, closes_at = db.session.execute(sa.select(Vote.status, Vote.closes_at).where(Vote.id == vote.id)).one()
    if status != VoteStatus.open or utcnow() >= closes_at:
        raise Refused("vote_not_open")
    if right.vote_id != vote.id:
        raise Refused("unreadable")
    choices = validate(vote, choices)
    receipt = cast_unused(vote, right, choices, channel, actor, proxy)
    if receipt is not None:
        return receipt
    existing = db.session.scalar(
        db.select(Participation).where(Participation.vote_id == vote.id, Participation.right_id == right.id)
    )
    if existing is not None and _may_replace(vote, existing, channel):
        return _replace(vote, right, choices, existing, proxy)
    if existing is None and vote.secrecy == Secrecy.secret and _envelope_in(vote, right):
        record_conflict(vote, right, channel, BallotChannel.paper, actor)
        raise Refused("already_voted")
    record_conflict(vote, right, channel, existing.channel if existing else None, actor)
    raise Refused("already_voted")


def cast_unused(vote: Vote, right: VotingRight, choices: Choices, channel: BallotChannel, actor, proxy) -> str | None:
    """Cast validated choices into a right not used yet; None, with nothing written, if it is used already."""
    if vote.secrecy == Secrecy.secret and channel != BallotChannel.paper and _envelope_in(vote, right):
        return None  # its paper ballot came in (the envelope is recorded): the right is used
    receipt = receipts.code(vote, right.id) or new_receipt()
    connection = db.session.connection()
    if vote.secrecy == Secrecy.named and connection.dialect.name == "postgresql":
        # One round trip: the ballot is inserted only if the right was taken now (a data-modifying CTE).
        ballot = _ballot_row(vote, right, choices, receipt, channel, proxy)
        row = {**_participation_row(vote, right, channel, proxy), **{f"b_{k}": v for k, v in ballot.items()}}
        if connection.execute(_take_and_store_statement(), row).scalar() is None:
            return None
    else:
        # The unique (vote, right) constraint decides who is first, also between simultaneous requests.
        if not _take_right(vote, right, channel, proxy):
            return None
        _store(vote, right, choices, receipt, channel, proxy)
    # The participation row is the durable record of who used which right, when and how (and it holds nothing
    # more in secret votes); an audit row per ballot would repeat it, so casting is only logged.
    audit.log.info("vote.cast actor=%s vote=%s channel=%s", getattr(actor, "id", None), vote.id, channel.value)
    return receipt


def _envelope_in(vote: Vote, right) -> bool:
    """A secret vote's paper envelope of this right has been recorded (`sheets.py`): its sheet is on the way."""
    found = sa.select(PaperEnvelope.id).where(PaperEnvelope.vote_id == vote.id, PaperEnvelope.right_id == right.id)
    return db.session.execute(found.limit(1)).first() is not None


_TAKE_RIGHT: dict[str, sa.Insert] = {}  # dialect → the prepared statement (built once: casting is the hot path)


def _take_right_statement(dialect: str) -> sa.Insert:
    if dialect not in _TAKE_RIGHT:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        _TAKE_RIGHT[dialect] = (
            insert(Participation.__table__)
            .on_conflict_do_nothing(index_elements=["vote_id", "right_id"])
            .returning(Participation.__table__.c.id)
        )
    return _TAKE_RIGHT[dialect]


def _participation_row(vote: Vote, right: VotingRight, channel: BallotChannel, proxy) -> dict:
    return {
        "vote_id": vote.id,
        "right_id": right.id,
        "channel": channel.value,
        "proxy_id": getattr(proxy, "id", None),
        "at": utcnow(),
    }


def _take_right(vote: Vote, right: VotingRight, channel: BallotChannel, proxy) -> bool:
    """Record that this right is used, unless it already is (INSERT … ON CONFLICT DO NOTHING); True if taken now."""
    connection = db.session.connection()
    values = _participation_row(vote, right, channel, proxy)
    return connection.execute(_take_right_statement(connection.dialect.name), values).scalar() is not None


_TAKE_AND_STORE: list[sa.Insert] = []


def _take_and_store_statement() -> sa.Insert:
    """PostgreSQL: WITH taken AS (INSERT participation … ON CONFLICT DO NOTHING RETURNING id)
    INSERT INTO ballot SELECT … FROM taken RETURNING id — nothing is stored when the right was used already."""
    if not _TAKE_AND_STORE:
        from sqlalchemy.dialects.postgresql import insert

        participation, ballot = Participation.__table__, Ballot.__table__
        taken = (
            insert(participation)
            .values({c: sa.bindparam(c, type_=participation.c[c].type) for c in _PARTICIPATION_COLUMNS})
            .on_conflict_do_nothing(index_elements=["vote_id", "right_id"])
            .returning(participation.c.id)
            .cte("taken")
        )
        ballot_columns = [c.name for c in ballot.c]
        values = sa.select(
            *[sa.bindparam(f"b_{c}", type_=ballot.c[c].type).label(c) for c in ballot_columns]
        ).select_from(taken)
        _TAKE_AND_STORE.append(
            ballot.insert().from_select(ballot_columns, values).returning(ballot.c.id).add_cte(taken)
        )
    return _TAKE_AND_STORE[0]


_PARTICIPATION_COLUMNS = ("vote_id", "right_id", "channel", "proxy_id", "at")


def _may_replace(vote: Vote, existing: Participation, channel: BallotChannel) -> bool:
    return (
        vote.allow_change
        and vote.secrecy == Secrecy.named
        and existing.channel == channel
        and channel in (BallotChannel.online, BallotChannel.proxy)
    )


def _replace(vote: Vote, right: VotingRight, choices: Choices, existing: Participation, proxy) -> str:
    """Named votes that allow it: the new ballot counts, the old one is kept as history."""
    old = db.session.scalar(
        db.select(Ballot).where(Ballot.vote_id == vote.id, Ballot.current_right_id == right.id).with_for_update()
    )
    if old is not None:
        old.current_right_id = None
        old.replaced_at = utcnow()
        db.session.flush()
    receipt = receipts.code(vote, right.id, receipts.next_round(vote, right.id)) or new_receipt()
    _store(vote, right, choices, receipt, existing.channel, proxy)
    audit.record("vote.recast", None, vote.compound, vote_id=vote.id)
    return receipt


def _store(vote: Vote, right: VotingRight, choices: Choices, receipt: str, channel: BallotChannel, proxy) -> None:
    """Write the ballot row (a plain INSERT: no ORM object is needed after casting)."""
    row = _ballot_row(vote, right, choices, receipt, channel, proxy)
    db.session.connection().execute(_BALLOT_INSERT, row)


def _ballot_row(vote: Vote, right: VotingRight, choices: Choices, receipt: str, channel: BallotChannel, proxy) -> dict:
    """The ballot's columns: in a secret vote one fixed-length ciphertext and a keyed receipt tag under a random id."""
    answers, selected, options = choices.as_json()
    row = {
        "id": secrets.token_hex(16),
        "vote_id": vote.id,
        "receipt_hash": receipt_hash(receipt),
        "answers": answers,
        "selected": selected,
        "options": options,
        "encrypted": None,
        "right_id": None,
        "current_right_id": None,
        "channel": None,
        "proxy_id": None,
        "weight_area": None,
        "cast_at": None,
        "replaced_at": None,
    }
    if vote.secrecy == Secrecy.named:
        row.update(
            right_id=right.id,
            current_right_id=right.id,
            channel=channel.value,
            proxy_id=getattr(proxy, "id", None),
            weight_area=right.area_m2,
            cast_at=utcnow(),
        )
    else:
        public = row["receipt_hash"]
        row.update(
            # filed under a keyed tag of the code the voter holds: the check form finds it from that code alone
            receipt_hash=sealing.receipt_tag(vote.id, receipts.public_code(public)),
            answers="",
            selected="",
            options="",
            encrypted=sealing.encrypt_ballot(vote, answers, selected, options, _cents(right.area_m2), public),
        )
    return row


_BALLOT_INSERT = Ballot.__table__.insert()


def record_conflict(vote: Vote, right: VotingRight, attempted: BallotChannel, existing, actor) -> None:
    """Record an attempt to use a right twice across channels (same-channel repeats are simply refused)."""
    if attempted != existing:
        db.session.add(
            Conflict(
                vote_id=vote.id,
                right_id=right.id,
                attempted=attempted,
                existing=existing,
                actor_id=getattr(actor, "id", None),
            )
        )
        db.session.flush()


def has_voted(vote: Vote, right: VotingRight | None) -> Participation | None:
    """The participation of this right, if it has been used."""
    if right is None:
        return None
    return db.session.scalar(
        db.select(Participation).where(Participation.vote_id == vote.id, Participation.right_id == right.id)
    )


def my_ballot(vote: Vote, right: VotingRight) -> Ballot | None:
    """A named vote's counted ballot of this right (owners see their own choices); None in secret votes."""
    if vote.secrecy != Secrecy.named:
        return None
    return db.session.scalar(db.select(Ballot).where(Ballot.vote_id == vote.id, Ballot.current_right_id == right.id))


def counted_ballots(vote: Vote) -> list[Ballot]:
    """The ballots that count, in receipt order."""
    query = db.select(Ballot).where(Ballot.vote_id == vote.id)
    if vote.secrecy == Secrecy.named:
        query = query.where(Ballot.current_right_id.is_not(None))
    return list(db.session.scalars(query.order_by(Ballot.receipt_hash)))


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _settings(vote: Vote) -> bytes:
    """What the result depends on besides ballots and roll: what is asked, its Art. 278 category and threshold, the
    window, the mode, the frozen totals, and for a vote of some buildings or entrances its scope (absent for the whole
    compound, so a whole-compound vote's digest is the one it had before scopes existed)."""
    settings = {
        "vote": vote.id,
        "compound": vote.compound_id,
        "kind": vote.kind.value,
        "secrecy": vote.secrecy.value,
        "title": vote.title,
        "seats": vote.seats,
        "poll_multiple": vote.poll_multiple,
        "allow_change": vote.allow_change,
        "window": [vote.opens_at.isoformat(), vote.closes_at.isoformat()],
        "electorate": [vote.electorate_heads, str(vote.electorate_area)],
        "items": [[i.id, i.position, i.title, i.category.value, i.matter.value] for i in vote.items],
        "candidates": [[c.id, c.person_id, c.position, c.on_ballot] for c in vote.candidates],
        "options": [[o.id, o.position, o.label] for o in vote.options],
    }
    if (places := scope.sealed(vote)) is not None:
        settings["scope"] = places
    return _canonical(settings)


def _roll(vote: Vote) -> tuple[int, bytes]:
    """Every frozen voting right (ordinal, person, area, developer, rooms) in roll order, as one canonical text."""
    rows = (
        db.session.connection()
        .execute(
            sa.select(
                VotingRight.ordinal,
                VotingRight.person_id,
                sa.type_coerce(VotingRight.area_m2, sa.String),
                VotingRight.is_developer,
                VotingRight.label,
            )
            .where(VotingRight.vote_id == vote.id)
            .order_by(VotingRight.ordinal)
        )
        .all()
    )
    cent = Decimal("0.01")
    roll = [[o, p, str(Decimal(a).quantize(cent)), bool(d), label] for o, p, a, d, label in rows]
    return len(roll), json.dumps(roll, separators=(",", ":"), ensure_ascii=False).encode()


def _lines(vote: Vote) -> list[bytes]:
    """Every ballot row as one canonical line, in receipt order (one plain query: no ORM objects for a big box)."""
    # Core execution on the session's connection, columns read as stored text: no ORM row or enum per ballot.
    rows = (
        db.session.connection()
        .execute(
            sa.select(
                Ballot.receipt_hash,
                Ballot.answers,
                Ballot.selected,
                Ballot.options,
                VotingRight.ordinal,
                sa.type_coerce(Ballot.weight_area, sa.String),
                sa.type_coerce(Ballot.channel, sa.String),
                Ballot.current_right_id,
                Ballot.encrypted,
            )
            .outerjoin(VotingRight, VotingRight.id == Ballot.right_id)
            .where(Ballot.vote_id == vote.id)
            .order_by(Ballot.receipt_hash)
        )
        .all()
    )
    named = vote.secrecy == Secrecy.named
    lines = []
    for receipt, answers, selected, options, ordinal, area, channel, current, encrypted in rows:
        fields = [receipt, answers, selected, options]
        if named:
            # replaced ballots stay in the box as history: whether a row counts is part of what is sealed
            fields += [str(ordinal), str(area), channel or "", "1" if current else "0"]
        else:
            fields.append(encrypted or "")  # the sealed area, bound to this row
        lines.append("\x1f".join(fields).encode())
    return lines


def compute_digest(vote: Vote) -> tuple[int, str]:
    """(number of counted ballots, hex digest of the settings, the frozen roll and every ballot row as stored now)."""
    chain = hashlib.sha256(b"linli/ballot-box/v3\x00" + _settings(vote)).digest()
    roll_size, roll = _roll(vote)
    chain = hashlib.sha256(chain + b"R" + roll).digest()
    lines = _lines(vote)
    for line in lines:
        chain = hashlib.sha256(chain + b"B" + line).digest()
    counted = len(lines) if vote.secrecy == Secrecy.secret else sum(1 for line in lines if line.endswith(b"\x1f1"))
    tail = _canonical({"count": counted, "rows": len(lines), "roll": roll_size})
    return counted, hashlib.sha256(chain + tail).hexdigest()


def seal(vote: Vote) -> None:
    """Freeze the box when the vote closes: secret ballots are decrypted and shuffled into plain rows first; then
    the count and the digest are stored."""
    if vote.secrecy == Secrecy.secret:
        sealing.seal_secret(vote)
    vote.ballot_count, vote.digest = compute_digest(vote)


def receipt_fingerprints(vote: Vote) -> list[str]:
    """The fingerprints verifiers read: the first 16 hex digits of each counted ballot's receipt hash, sorted."""
    return [b.receipt_hash[:16] for b in counted_ballots(vote)]


def receipt_codes(vote: Vote) -> list[str]:
    """The published receipt list: each counted ballot's receipt code (`receipts.public_code` of its fingerprint),
    in the fingerprints' order, which is also the codes' own sorted order."""
    return [receipts.public_code(fingerprint) for fingerprint in receipt_fingerprints(vote)]


def receipt_in_box(vote: Vote, code: str) -> bool:
    """True if a counted ballot carries this receipt code (an open secret vote files it under a keyed tag)."""
    wanted = receipts.read_code(code)
    if wanted is None:
        return False
    if vote.secrecy == Secrecy.secret and vote.digest is None:
        query = sa.select(Ballot.receipt_hash).where(
            Ballot.vote_id == vote.id, Ballot.receipt_hash == sealing.receipt_tag(vote.id, wanted)
        )
        return db.session.execute(query.limit(1)).first() is not None
    low, high = receipts.hash_range(wanted)
    query = sa.select(Ballot.receipt_hash).where(
        Ballot.vote_id == vote.id, Ballot.receipt_hash >= low, Ballot.receipt_hash < high
    )
    if vote.secrecy == Secrecy.named:
        query = query.where(Ballot.current_right_id.is_not(None))
    return any(receipts.public_code(found) == wanted for found in db.session.scalars(query))
