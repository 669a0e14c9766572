"""Receipts the server can show again, without keeping them anywhere, and the one code voters and the list share.

A receipt is never stored, in the database or in the cookie: the box keeps only its hash. When a vote opens it gets a
random receipt key, stored on the vote wrapped (AES-GCM) with the ballot key, which lives outside the database. A
receipt is a keyed hash of the voting right and the round (a named vote that allows changing gives each new ballot
of a right the next round) under that key, written as XXXXX-XXXXX. So the voter sees it again on the vote and receipt
pages from any phone, also when the answer to their submission never reached them (a lost connection, a worker that
died after the commit), while the database alone cannot tell which receipt, and so which sealed ballot, is whose.

What the voter is shown, and what the published list of receipts prints for each counted ballot, is one receipt code
(`public_code`): the first 50 bits of the receipt's SHA-256 hash (`receipt_hash`; its first 16 hex digits are the
fingerprint that verifiers read), written as ten base-32 digits of CODE_ALPHABET, most significant first, grouped
5-5 (e.g. KZ143-J11AK). So the voter finds their code in the list as written, and a verifier derives every code from
the fingerprints: code = digits of int(fingerprint, 16) >> 14. The code says no more than the fingerprint did: it is
computed from the receipt, which needs the receipt key, so the database alone still cannot tell whose it is.

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
CODE_BITS = 5 * LENGTH  # a receipt code carries the first 50 bits of the receipt hash
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1"})  # letters not in the alphabet, read as the digits they resemble


def receipt_hash(receipt: str) -> str:
    """The stored form of a receipt: its SHA-256 (hex), read leniently; the first 16 digits are its fingerprint."""
    cleaned = "".join(ch for ch in receipt.upper() if ch.isalnum()).translate(_TYPED)
    return hashlib.sha256(f"linli-receipt:{cleaned}".encode()).hexdigest()


def _grouped(number: int) -> str:
    """A 50-bit number as ten base-32 digits, most significant first, grouped 5-5."""
    digits = "".join(CODE_ALPHABET[(number >> (5 * (LENGTH - 1 - i))) & 31] for i in range(LENGTH))
    return f"{digits[:5]}-{digits[5:]}"


def public_code(hashed: str) -> str:
    """The receipt code of a ballot, from its receipt hash (or fingerprint): the first 50 bits in grouped form.
    Sorting codes sorts the hashes (the alphabet is in ASCII order)."""
    return _grouped(int(hashed[:16], 16) >> (64 - CODE_BITS))


def code_of(receipt: str) -> str:
    """The receipt code shown for a receipt: the public code of its hash."""
    return public_code(receipt_hash(receipt))


def read_code(typed: str | None) -> str | None:
    """A typed receipt code in its one written form (case, spaces and dashes ignored; O read as 0, I and L as 1), or
    None when it is not ten digits of the alphabet."""
    cleaned = "".join(ch for ch in (typed or "").upper() if ch.isalnum()).translate(_TYPED)
    if len(cleaned) != LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[:5]}-{cleaned[5:]}"


def hash_range(code: str) -> tuple[str, str]:
    """The hex strings between which the receipt hashes of this code lie (lower inclusive, upper exclusive): its first
    12 hex digits are fixed by the code's first 48 bits."""
    number = 0
    for ch in code.replace("-", ""):
        number = number * 32 + CODE_ALPHABET.index(ch)
    prefix = f"{number >> (CODE_BITS - 48):012x}"
    return prefix, prefix + "g"  # "g" sorts after every hex digit


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
    """The receipt of the right's counted ballot (they have voted: the caller checked)."""
    round_ = next_round(vote, right_id) - 1 if vote.secrecy == Secrecy.named else 0
    return code(vote, right_id, max(round_, 0))


def shown_code(vote, right_id: int) -> str | None:
    """The receipt code to show the voter again: the one the published list prints for their ballot."""
    receipt = shown(vote, right_id)
    return code_of(receipt) if receipt is not None else None
