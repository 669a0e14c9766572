"""Receipts the server can show again, without keeping them anywhere.

A receipt is never stored, in the database or in the cookie: the box keeps only its hash. When a vote opens it gets a
random receipt key, stored on the vote wrapped (AES-GCM) with the ballot key, which lives outside the database. A
receipt is a keyed hash of the voting right and the round (a named vote that allows changing gives each new ballot
of a right the next round) under that key, written as XXXXX-XXXXX. So the voter sees it again on the vote and receipt
pages from any phone, also when the answer to their submission never reached them (a lost connection, a worker that
died after the commit), while the database alone cannot tell which receipt, and so which sealed ballot, is whose.

The key is dropped when the vote is archived or cancelled. From then on nobody can recompute a receipt, not even with
the database and the ballot key together; before that, whoever holds both could (README, threat model).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from flask import current_app

from portal.extensions import db
from portal.security import CODE_ALPHABET
from portal.voting import ballot_key
from portal.voting.models import Ballot, Secrecy

log = logging.getLogger("linli.voting")
CACHE_KEY = "linli.receipt_keys"
LENGTH = 10  # 50 bits, as the random receipts were


def _aad(vote_id: int) -> bytes:
    return f"linli/receipt-key/v1/vote:{vote_id}".encode()


def prepare(vote) -> None:
    """When a vote opens: give it a fresh receipt key, wrapped with the ballot key."""
    nonce = secrets.token_bytes(12)
    wrapped = ballot_key.for_vote(vote.id).cipher.encrypt(nonce, secrets.token_bytes(32), _aad(vote.id))
    vote.receipt_key = nonce + wrapped


def forget(vote) -> None:
    """When a vote is archived or cancelled: drop the key, so no receipt can be linked to a right any more."""
    vote.receipt_key = None


def _key(vote_id: int, wrapped: bytes | None) -> bytes | None:
    """The vote's receipt key (unwrapped once per process); None without one or when the ballot key cannot open it."""
    if not wrapped:
        return None
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    found = cache.get((vote_id, wrapped))
    if found is None:
        try:
            found = ballot_key.for_vote(vote_id).cipher.decrypt(wrapped[:12], wrapped[12:], _aad(vote_id))
        except InvalidTag:
            log.warning("vote %s: the ballot key cannot open its receipt key; receipts are given once only", vote_id)
            found = b""
        if len(cache) > 4096:
            cache.clear()
        cache[(vote_id, wrapped)] = found
    return found or None


def code(vote, right_id: int, round_: int = 0) -> str | None:
    """The receipt of a right's ballot in this round; None when the vote has no (readable) receipt key."""
    key = _key(vote.id, vote.receipt_key)
    if key is None:
        return None
    number = int.from_bytes(hmac.new(key, f"{right_id}:{round_}".encode(), hashlib.sha256).digest()[:8], "big")
    chars = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return f"{''.join(chars[:5])}-{''.join(chars[5:])}"


def next_round(vote, right_id: int) -> int:
    """The round of a new ballot of this right: named votes keep replaced ballots, so count them; secret votes
    never replace a ballot."""
    if vote.secrecy != Secrecy.named:
        return 0
    stored = sa.select(sa.func.count()).where(Ballot.vote_id == vote.id, Ballot.right_id == right_id)
    return db.session.scalar(stored)


def shown(vote, right_id: int) -> str | None:
    """The receipt of the right's counted ballot, to show the voter again (they have voted: the caller checked)."""
    round_ = next_round(vote, right_id) - 1 if vote.secrecy == Secrecy.named else 0
    return code(vote, right_id, max(round_, 0))
