"""Preparing votes: create, edit while a draft, items and poll options. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal import audit
from portal.compounds.models import Compound
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import scope
from portal.voting.lifecycle import editable
from portal.voting.models import PollOption, Secrecy, Vote, VoteItem, VoteKind, VoteStatus
from portal.voting.models.vote import Art278Category


def _check_editable(vote: Vote) -> None:
    if not editable(vote):
        raise Refused("locked")


@dataclass(frozen=True)
class Settings:
    """A vote's settings as the secretary chose them (times in UTC); the form's fields, as plain values."""

    kind: VoteKind
    title: str
    description: str
    secrecy: Secrecy
    opens_at: datetime
    closes_at: datetime
    allow_change: bool = False
    publish_unit_choices: bool = False
    poll_multiple: bool = False
    seats: int | None = None
    objection_days: int | None = None
    # 表决范围 as the form's tokens ("b<building id>", "e<entrance id>"): () the whole compound, None unchanged
    scope: tuple[str, ...] | None = None


def _apply(vote: Vote, settings: Settings) -> None:
    """Copy the settings onto a draft vote."""
    _check_editable(vote)
    vote.kind = settings.kind
    vote.title = settings.title.strip()
    vote.description = settings.description or ""
    vote.secrecy = settings.secrecy
    vote.opens_at = settings.opens_at
    vote.closes_at = settings.closes_at
    vote.allow_change = settings.allow_change and vote.secrecy == Secrecy.named
    vote.publish_unit_choices = settings.publish_unit_choices and vote.secrecy == Secrecy.named
    vote.poll_multiple = settings.poll_multiple
    vote.seats = settings.seats if vote.kind == VoteKind.election else None
    vote.objection_days = settings.objection_days
    if settings.scope is not None:
        scope.apply(vote, settings.scope)
    elif vote.scope:
        scope.check(vote.compound, vote.kind, scope.chosen(vote))  # a kind that cannot keep the scope it has


def create_vote(compound: Compound, settings: Settings, actor) -> Vote:
    """A new draft vote."""
    vote = Vote(compound_id=compound.id, status=VoteStatus.draft, created_by_id=actor.id)
    vote.compound = compound
    _apply(vote, settings)
    db.session.add(vote)
    db.session.flush()
    audit.record("vote.created", actor, compound, vote_id=vote.id, kind=vote.kind.value, scope=scope.chosen(vote))
    return vote


def update_vote(vote: Vote, settings: Settings, actor) -> None:
    """Change a draft's settings."""
    _apply(vote, settings)
    db.session.flush()
    audit.record("vote.edited", actor, vote.compound, vote_id=vote.id, scope=scope.chosen(vote))


def add_item(vote: Vote, title: str, description: str, category: str, actor) -> VoteItem:
    """Add a 表决事项 to a draft resolution; its Art. 278 category sets its threshold."""
    _check_editable(vote)
    item = VoteItem(
        vote_id=vote.id,
        position=len(vote.items) + 1,
        title=title,
        description=description,
        category=Art278Category(category),
    )
    vote.items.append(item)
    db.session.flush()
    audit.record(
        "vote.item_added",
        actor,
        vote.compound,
        vote_id=vote.id,
        item_id=item.id,
        category=item.category.value,
        matter=item.matter.value,
    )
    return item


def remove_item(vote: Vote, item_id: int, actor) -> None:
    """Remove an item from a draft and renumber the rest."""
    _remove(vote, vote.items, item_id)
    audit.record("vote.item_removed", actor, vote.compound, vote_id=vote.id, item_id=item_id)


def _remove(vote: Vote, rows: list, row_id: int) -> None:
    """Take one item or option out of a draft's list and number the rest 1, 2, 3… again."""
    _check_editable(vote)
    rows[:] = [row for row in rows if row.id != row_id]
    for position, row in enumerate(rows, start=1):
        row.position = position
    db.session.flush()


def add_option(vote: Vote, label: str, actor) -> PollOption:
    """Add a choice to a draft poll."""
    _check_editable(vote)
    option = PollOption(vote_id=vote.id, position=len(vote.options) + 1, label=label)
    vote.options.append(option)
    db.session.flush()
    audit.record("vote.option_added", actor, vote.compound, vote_id=vote.id, option_id=option.id)
    return option


def remove_option(vote: Vote, option_id: int, actor) -> None:
    """Remove a choice from a draft poll."""
    _remove(vote, vote.options, option_id)
    audit.record("vote.option_removed", actor, vote.compound, vote_id=vote.id, option_id=option_id)


def votes_of(compound: Compound, include_drafts: bool, draft_elections: bool = False) -> list[Vote]:
    """The compound's votes, newest first; drafts only for those who prepare votes (and, for the nomination
    phase, draft elections for owners)."""
    query = db.select(Vote).where(Vote.compound_id == compound.id)
    if not include_drafts:
        visible = Vote.status != VoteStatus.draft
        if draft_elections:
            visible = visible | (Vote.kind == VoteKind.election)
        query = query.where(visible)
    return list(db.session.scalars(query.order_by(Vote.opens_at.desc(), Vote.id.desc())))
