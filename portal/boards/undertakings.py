"""What a pledge (承诺, on the board) and a project (项目清单, in the lists) have in common: dated progress updates
with photos while under way, then one end — done, with a note saying what was done, or given up, with a reason.

Each kind names its states and columns once, in an `Ends`; the steps themselves are written here only, so that a
pledge and a project refuse, record and close in the same way. The callers add their own audit lines.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from portal import uploads
from portal.boards import photos
from portal.db import utcnow
from portal.extensions import db
from portal.refusals import Refused


@dataclass(frozen=True)
class Ends:
    """One kind of undertaking: its state while under way, its two ends and the columns each end fills."""

    under_way: enum.Enum
    closed: str  # the refusal code once it is no longer under way
    done: enum.Enum
    done_at: str
    done_note: str
    given_up: enum.Enum
    given_up_at: str
    given_up_reason: str


def check_under_way(thing, ends: Ends) -> None:
    """Refused (`ends.closed`) unless the undertaking is still under way."""
    if thing.status != ends.under_way:
        raise Refused(ends.closed)


def add_update(thing, ends: Ends, update, actor, body: str, checked: Sequence[uploads.Upload], photo_link: str):
    """Store a progress update (a new row of the kind's update model) with photos already checked by
    photos.check_all; nothing is stored if it is refused."""
    check_under_way(thing, ends)
    update.body = Refused.text(body, code="body")
    db.session.add(update)
    db.session.flush()
    photos.save(list(checked), actor, **{photo_link: update.id})
    return update


def finish(thing, ends: Ends, note: str) -> None:
    """Done: the note says what was done."""
    _end(thing, ends, ends.done, ends.done_at, ends.done_note, Refused.text(note, code="note"))


def give_up(thing, ends: Ends, reason: str) -> None:
    """Given up while under way; the reason is required and shown with it."""
    _end(thing, ends, ends.given_up, ends.given_up_at, ends.given_up_reason, Refused.text(reason, code="reason"))


def _end(thing, ends: Ends, state: enum.Enum, at: str, words: str, text: str) -> None:
    check_under_way(thing, ends)
    setattr(thing, words, text)
    thing.status = state
    setattr(thing, at, utcnow())
    db.session.flush()
