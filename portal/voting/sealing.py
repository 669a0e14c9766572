"""Secret ballots: encrypted while the vote is open, shuffled into plain rows at the seal.

While a secret vote is open each ballot is one AES-GCM ciphertext (the answers, the voting right's area, the public
receipt hash), padded to one length per vote, under a key that is not in the database (`ballot_key`). There are no
running totals, so neither the database nor a dump of it shows a choice or a partial result; a receipt is found by a
keyed tag. At the seal the ciphertexts are decrypted, shuffled and written as fresh plain rows in random order, each
with its area encrypted again and bound to the new row (a unique area would otherwise point to a room); the
ciphertext rows are deleted and, once the closing transaction has committed, their old tuples are removed (`VACUUM` on
PostgreSQL; `secure_delete` and a WAL checkpoint on SQLite). Nothing then relates a sealed ballot to a participation:
not a transaction id, physical or dump order, a timestamp or a sequence.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag

from portal.db import SQLITE_BUSY_TIMEOUT_MS
from portal.extensions import db
from portal.voting import ballot_key
from portal.voting.models import Ballot, Participation

log = logging.getLogger("linli.voting")
VACUUM_FLAG = "linli.vacuum_ballots"
_AREA_DIGITS = 16  # cents, zero-padded: every sealed area encrypts to the same length


class SealError(ValueError):
    """A secret ballot could not be decrypted or the box does not add up: the vote is not sealed."""


@dataclass(frozen=True)
class Plain:
    """One decrypted secret ballot."""

    answers: str
    selected: str
    options: str
    area_cents: int
    receipt_hash: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _encrypt(vote_id: int, aad: str, plaintext: bytes, keys: ballot_key.VoteKeys | None = None) -> str:
    nonce = secrets.token_bytes(12)
    cipher = (keys or ballot_key.for_vote(vote_id)).cipher
    return _b64(nonce + cipher.encrypt(nonce, plaintext, aad.encode()))


def _decrypt(vote_id: int, aad: str, stored: str, keys: ballot_key.VoteKeys | None = None) -> bytes:
    raw = base64.b64decode(stored)
    return (keys or ballot_key.for_vote(vote_id)).cipher.decrypt(raw[:12], raw[12:], aad.encode())


_SEP = "\x1f"  # between the fields of a plaintext: never in the JSON of answers, in digits or in a hex hash


def capacity(vote) -> int:
    """The padded length of this vote's ballot plaintext: the longest any choice can make it."""
    worst = [
        json.dumps({item.key: "abstain" for item in vote.items}, separators=(",", ":")),
        json.dumps([int(c.key) for c in vote.candidates], separators=(",", ":")),
        json.dumps([int(o.key) for o in vote.options], separators=(",", ":")),
        "9" * _AREA_DIGITS,
        "0" * 64,
    ]
    return len(_SEP.join(worst))


def _pack(vote, fields: list[str]) -> bytes:
    """The fields joined and padded with spaces to the vote's one length."""
    text, size = _SEP.join(fields), capacity(vote)
    if len(text) > size:
        raise ValueError("a secret ballot is longer than its vote allows")
    return text.ljust(size).encode()


def encrypt_ballot(vote, answers: str, selected: str, options: str, area_cents: int, receipt_hash: str) -> str:
    """The stored form of a secret ballot while the vote is open (one length per vote, whatever was chosen)."""
    plaintext = _pack(vote, [answers, selected, options, f"{area_cents:0{_AREA_DIGITS}d}", receipt_hash])
    return _encrypt(vote.id, f"linli/ballot/vote:{vote.id}", plaintext)


def decrypt_ballot(vote_id: int, stored: str, keys: ballot_key.VoteKeys | None = None) -> Plain:
    """Read an open vote's secret ballot (only the seal does this): the canonical texts `box.Choices` wrote."""
    answers, selected, options, cents, receipt = (
        _decrypt(vote_id, f"linli/ballot/vote:{vote_id}", stored, keys).decode().rstrip(" ").split(_SEP)
    )
    return Plain(answers, selected, options, int(cents), receipt)


def receipt_tag(vote_id: int, code: str) -> str:
    """How an open secret vote files a receipt: a keyed tag of its receipt code, which neither the code nor the
    receipt hash can be matched to without the ballot key."""
    return ballot_key.for_vote(vote_id).mac("receipt", code.encode())


def encrypt_area(vote_id: int, ballot_id: str, area_cents: int, keys: ballot_key.VoteKeys | None = None) -> str:
    """A sealed ballot's area, bound to its row: moving it to another ballot makes it unreadable."""
    aad = f"linli/sealed/vote:{vote_id}/ballot:{ballot_id}"
    return _encrypt(vote_id, aad, f"{area_cents:0{_AREA_DIGITS}d}".encode(), keys)


def decrypt_area(vote_id: int, ballot_id: str, stored: str | None, keys: ballot_key.VoteKeys | None = None) -> int:
    """The area (in cents) of a sealed secret ballot; SealError when it is missing or does not belong to the row."""
    try:
        return int(_decrypt(vote_id, f"linli/sealed/vote:{vote_id}/ballot:{ballot_id}", stored or "", keys))
    except (InvalidTag, ValueError) as error:
        raise SealError(f"the area of ballot {ballot_id[:8]}… cannot be read with the ballot key") from error


def encrypt_paper(vote, right_id: int, answers: str, selected: str, options: str) -> str:
    """A secret vote's paper entry while it waits for its second entry (padded to the vote's one length)."""
    plaintext = _pack(vote, [answers, selected, options])
    return _encrypt(vote.id, f"linli/paper/vote:{vote.id}/right:{right_id}", plaintext)


def decrypt_paper(vote_id: int, right_id: int, stored: str) -> tuple[str, str, str]:
    """What a secret vote's paper entry says."""
    answers, selected, options = (
        _decrypt(vote_id, f"linli/paper/vote:{vote_id}/right:{right_id}", stored).decode().rstrip(" ").split(_SEP)
    )
    return answers, selected, options


def seal_secret(vote) -> int:
    """Decrypt, shuffle, and write the ballots as fresh plain rows in random order; returns how many."""
    table = Ballot.__table__
    connection = db.session.connection()
    rows = connection.execute(sa.select(table.c.id, table.c.encrypted).where(table.c.vote_id == vote.id)).all()
    keys = ballot_key.for_vote(vote.id)
    try:
        plain = [decrypt_ballot(vote.id, stored, keys) for _id, stored in rows]
    except (InvalidTag, ValueError, KeyError) as error:
        raise SealError(f"a secret ballot of vote {vote.id} cannot be decrypted with the ballot key") from error
    used = connection.execute(
        sa.select(sa.func.count()).select_from(Participation.__table__).where(Participation.vote_id == vote.id)
    ).scalar_one()
    if used != len(plain):
        raise SealError(f"vote {vote.id}: {used} voting rights were used but {len(plain)} ballots are in the box")
    connection.execute(table.delete().where(table.c.vote_id == vote.id))
    secrets.SystemRandom().shuffle(plain)
    fresh = []
    for ballot in plain:
        ballot_id = secrets.token_hex(16)
        fresh.append(
            {
                "id": ballot_id,
                "vote_id": vote.id,
                "receipt_hash": ballot.receipt_hash,
                "answers": ballot.answers,
                "selected": ballot.selected,
                "options": ballot.options,
                "encrypted": encrypt_area(vote.id, ballot_id, ballot.area_cents, keys),
            }
        )
    if fresh:
        connection.execute(table.insert(), fresh)
    db.session.info[VACUUM_FLAG] = True
    log.info("vote.sealed vote=%s ballots=%s", vote.id, len(fresh))
    return len(fresh)


def remove_old_rows(engine: sa.Engine) -> None:
    """Physically remove deleted ballot rows (after the sealing transaction committed, outside any transaction).

    On the driver's own connection: SQLAlchemy's BEGIN hook (portal/db.py) would otherwise open a write transaction
    first, which a checkpoint cannot run in and which waits behind any other writer."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True  # VACUUM cannot run inside a transaction
            try:
                cursor.execute("VACUUM ballot")
            finally:
                raw.driver_connection.autocommit = False
        else:  # secure_delete (portal/db.py) zeroed the rows in the pages; the WAL still has the old pages
            cursor.execute("PRAGMA busy_timeout=0")  # never hold up the request for housekeeping
            try:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:  # the connection goes back to the pool: it must wait for the writer again, as every one does
                cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
    finally:
        raw.close()


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _after_commit(session) -> None:
    if session.info.pop(VACUUM_FLAG, False):
        try:
            bind = session.get_bind()
            remove_old_rows(getattr(bind, "engine", bind))
        except sa.exc.DBAPIError:  # never fail a committed close over housekeeping; logged for the operator
            log.exception("could not remove the old ballot rows after sealing")
