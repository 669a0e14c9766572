"""The ballot key: what encrypts secret ballots, kept outside the database.

One 32-byte master key per installation, from `PORTAL_BALLOT_KEY` (64 hex digits) or the file
`PORTAL_BALLOT_KEY_FILE` (default `instance/ballot.key`, created with mode 600 when missing). Each vote gets its own
keys derived with HKDF, so a key never serves two votes. The key must be backed up apart from the database dump: a
dump without it cannot read a secret choice, and a restored database without it cannot seal an open secret vote —
start-up refuses to run in that case (`check`), instead of failing at the seal.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app

EXTENSION = "linli.ballot_key"


class BallotKeyError(RuntimeError):
    """The configured ballot key is missing, malformed, or not the one the open secret votes were cast with."""


@dataclass(frozen=True)
class VoteKeys:
    """The keys of one vote: `cipher` encrypts ballots, `tag` makes keyed look-up tags (receipts, the key check)."""

    cipher: AESGCM
    tag: bytes

    def mac(self, purpose: str, data: bytes) -> str:
        """A keyed tag (hex): equal inputs give equal tags, and nobody without the key can compute one."""
        return hmac.new(self.tag, purpose.encode() + b"\x00" + data, hashlib.sha256).hexdigest()

    @property
    def check(self) -> str:
        """Stored on the vote when it opens; start-up recomputes it to know the key is the right one."""
        return self.mac("key-check", b"")


def _read(app: Flask) -> bytes:
    """The master key from the environment or the key file (created when missing)."""
    configured = app.config.get("PORTAL_BALLOT_KEY")
    if configured:
        try:
            key = bytes.fromhex(str(configured).strip())
        except ValueError:
            key = b""
        if len(key) != 32:
            raise BallotKeyError("PORTAL_BALLOT_KEY must be 64 hexadecimal digits (32 random bytes).")
        return key
    path = Path(app.config.get("PORTAL_BALLOT_KEY_FILE") or Path(app.instance_path) / "ballot.key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created with mode 600 from the start: never readable by others, not even for a moment.
        with open(path, "x", opener=lambda p, flags: os.open(p, flags, 0o600)) as handle:
            handle.write(secrets.token_hex(32) + "\n")
    try:
        key = bytes.fromhex(path.read_text().strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BallotKeyError(f"The ballot key file {path} does not hold 64 hexadecimal digits.")
    return key


def master(app: Flask | None = None) -> bytes:
    """The installation's master key (read once per process)."""
    app = app or current_app
    key = app.extensions.get(EXTENSION)
    if key is None:
        key = app.extensions[EXTENSION] = _read(app)
    return key


def _derive(key: bytes, vote_id: int, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"linli/secret-ballot/v1/{purpose}/vote:{vote_id}".encode(),
    ).derive(key)


def for_vote(vote_id: int, app: Flask | None = None) -> VoteKeys:
    """The keys of one vote (derived once per process and vote)."""
    app = app or current_app
    cache = app.extensions.setdefault(EXTENSION + ".votes", {})
    keys = cache.get(vote_id)
    if keys is None:
        key = master(app)
        keys = cache[vote_id] = VoteKeys(AESGCM(_derive(key, vote_id, "cipher")), _derive(key, vote_id, "tag"))
    return keys


def check(app: Flask) -> None:
    """Start-up: every open secret vote must have been opened with this key; otherwise refuse to run."""
    from portal.extensions import db

    with app.app_context():
        try:
            rows = db.session.execute(
                sa.text("SELECT id, key_check FROM vote WHERE secrecy = 'secret' AND status = 'open'")
            ).all()
        except sa.exc.DBAPIError:  # no schema yet (before `flask db upgrade`): nothing to check
            db.session.rollback()
            return
        finally:
            db.session.remove()
        wrong = [vote_id for vote_id, stored in rows if stored != for_vote(vote_id, app).check]
        if wrong:
            raise BallotKeyError(
                f"The configured ballot key cannot decrypt the open secret vote(s) {wrong}: their ballots could not "
                "be sealed and counted. Restore the ballot key from the backup (PORTAL_BALLOT_KEY or the file "
                "PORTAL_BALLOT_KEY_FILE, by default instance/ballot.key) before starting Linli."
            )
