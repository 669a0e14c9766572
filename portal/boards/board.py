"""Reading the board: the filtered, paginated list of pledges, one pledge with its timeline and ratings, and the
compound home's summary. Every page runs a fixed number of queries however many pledges and ratings there are
(counts of ratings and updates come from correlated subqueries; pledgers and organisations are joined)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.boards import rules
from portal.boards.models import BoardStatus, Category, Commitment, CommitmentStatus, Progress, Rating
from portal.compounds.models import Compound
from portal.extensions import db
from portal.inputs import db_int, page_number

PAGE_SIZE = 50
DUE_SOON_DAYS = 30  # "due soon" on the compound home: due within the next 30 days
SUMMARY_SIZE = 3  # pledges in each box of the compound home
STATUSES = tuple(BoardStatus)  # as people see them (overdue is computed)
PEOPLE = "people"  # the organisation filter's value for pledges made in a person's own name


@dataclass
class Card:
    """One pledge as the board shows it, with its counts."""

    commitment: Commitment
    status: str  # in_progress, overdue, fulfilled, withdrawn
    ratings: int = 0
    stars_total: int = 0
    updates: int = 0

    @property
    def average(self) -> Fraction | None:
        """The exact average rating (None: not rated yet)."""
        return rules.average(self.stars_total, self.ratings)

    @property
    def average_text(self) -> str | None:
        """The average to one decimal, rounded half up ("4.3")."""
        average = self.average
        return rules.one_decimal(average) if average is not None else None

    @property
    def late(self) -> bool:
        """Fulfilled after its due date."""
        c = self.commitment
        return c.status == CommitmentStatus.fulfilled and rules.fulfilled_late(c.due_on, c.fulfilled_at)


@dataclass
class Filters:
    """The board's filters, read from the query string (unknown values are ignored, not errors)."""

    org: str = ""  # an organisation id, PEOPLE, or "" for all
    status: str = ""
    category: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Filters:
        """Filters from request.args."""
        org = args.get("org", "")
        status = args.get("status", "")
        category = args.get("category", "")
        return cls(
            org=org if org == PEOPLE or db_int(org) is not None else "",
            status=status if status in STATUSES else "",
            category=category if category in Category.__members__ else "",
            page=page_number(args.get("page")),
        )

    @property
    def active(self) -> bool:
        """Some filter is set."""
        return bool(self.org or self.status or self.category)

    def args(self, page: int | None = None) -> dict:
        """The query string for a link to this view (another page of it)."""
        args = {k: v for k, v in (("org", self.org), ("status", self.status), ("category", self.category)) if v}
        page = self.page if page is None else page
        if page > 1:
            args["page"] = page
        return args


@dataclass
class BoardPage:
    """One page of the board."""

    cards: list[Card] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def shown_on(compound: Compound) -> sa.ColumnElement[bool]:
    """Pledges on this compound's board: its own, and community-wide ones of its community."""
    return (Commitment.compound_id == compound.id) | (
        Commitment.compound_id.is_(None) & (Commitment.community_id == compound.community_id)
    )


def _status_condition(status: str, today: date) -> sa.ColumnElement[bool]:
    running = Commitment.status == CommitmentStatus.in_progress
    if status == "overdue":
        return running & (Commitment.due_on < today)
    if status == "in_progress":
        return running & (Commitment.due_on >= today)
    return Commitment.status == CommitmentStatus(status)


def _order(today: date) -> list:
    """Overdue first (longest overdue first), then in progress by due date, then fulfilled and withdrawn, newest
    first."""
    running = Commitment.status == CommitmentStatus.in_progress
    group = sa.case(
        (running & (Commitment.due_on < today), 0),
        (running, 1),
        (Commitment.status == CommitmentStatus.fulfilled, 2),
        else_=3,
    )
    return [
        group,
        sa.case((running, Commitment.due_on)),
        sa.func.coalesce(Commitment.fulfilled_at, Commitment.withdrawn_at).desc(),
        Commitment.id.desc(),
    ]


def _counted():
    """A select of Commitment with its number of ratings, their star total and its number of updates."""
    ratings = sa.select(sa.func.count(Rating.id)).where(Rating.commitment_id == Commitment.id).scalar_subquery()
    stars = (
        sa.select(sa.func.coalesce(sa.func.sum(Rating.stars), 0))
        .where(Rating.commitment_id == Commitment.id)
        .scalar_subquery()
    )
    updates = sa.select(sa.func.count(Progress.id)).where(Progress.commitment_id == Commitment.id).scalar_subquery()
    return sa.select(Commitment, ratings, stars, updates).options(
        joinedload(Commitment.organisation), joinedload(Commitment.pledger)
    )


def _cards(query, today: date) -> list[Card]:
    return [
        Card(c, rules.shown_status(c.status, c.due_on, today), int(n), int(total), int(updates))
        for c, n, total, updates in db.session.execute(query).unique()
    ]


def board(compound: Compound, filters: Filters, today: date | None = None) -> BoardPage:
    """One page of the compound's board (2 queries)."""
    today = rules.today_in_shanghai() if today is None else today
    conditions = [shown_on(compound)]
    if filters.org == PEOPLE:
        conditions.append(Commitment.organisation_id.is_(None))
    elif filters.org:
        conditions.append(Commitment.organisation_id == int(filters.org))
    if filters.status:
        conditions.append(_status_condition(filters.status, today))
    if filters.category:
        conditions.append(Commitment.category == Category(filters.category))
    total = db.session.scalar(sa.select(sa.func.count(Commitment.id)).where(*conditions))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    query = _counted().where(*conditions).order_by(*_order(today)).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    return BoardPage(_cards(query, today), total, page, pages)


def card(commitment: Commitment, today: date | None = None) -> Card:
    """The card of one pledge loaded by `load` (its ratings are read once and kept for the page)."""
    today = rules.today_in_shanghai() if today is None else today
    ratings = commitment_ratings(commitment)
    return Card(
        commitment,
        rules.shown_status(commitment.status, commitment.due_on, today),
        len(ratings),
        sum(r.stars for r in ratings),
        len(commitment.updates),
    )


def load(commitment_id: int) -> Commitment | None:
    """A pledge with its pledger, organisation, updates (authors, photos) and ratings (raters) loaded."""
    return db.session.scalar(
        sa.select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(
            joinedload(Commitment.organisation),
            joinedload(Commitment.pledger),
            selectinload(Commitment.updates).options(joinedload(Progress.author), selectinload(Progress.photos)),
        )
    )


def commitment_ratings(commitment: Commitment) -> list[Rating]:
    """The pledge's ratings, latest first (cached on the object for the request)."""
    cached = commitment.__dict__.get("_ratings")
    if cached is None:
        cached = list(
            db.session.scalars(
                sa.select(Rating)
                .where(Rating.commitment_id == commitment.id)
                .options(joinedload(Rating.person))
                .order_by(Rating.changed_at.desc(), Rating.id.desc())
            )
        )
        commitment.__dict__["_ratings"] = cached
    return cached


def home_summary(compound: Compound, today: date | None = None) -> dict:
    """For the compound home: a few pledges due soon, overdue (longest first) and lately fulfilled, plus how many
    are overdue in all (4 queries)."""
    today = rules.today_in_shanghai() if today is None else today
    running = (Commitment.status == CommitmentStatus.in_progress) & shown_on(compound)

    def few(condition, *order) -> list[Commitment]:
        return list(
            db.session.scalars(
                sa.select(Commitment)
                .where(condition)
                .options(joinedload(Commitment.organisation), joinedload(Commitment.pledger))
                .order_by(*order, Commitment.id.desc())
                .limit(SUMMARY_SIZE)
            )
        )

    soon = today + timedelta(days=DUE_SOON_DAYS)
    overdue = running & (Commitment.due_on < today)
    return {
        "due_soon": few(running & (Commitment.due_on >= today) & (Commitment.due_on <= soon), Commitment.due_on),
        "overdue": few(overdue, Commitment.due_on),
        "fulfilled": few(
            (Commitment.status == CommitmentStatus.fulfilled) & shown_on(compound), Commitment.fulfilled_at.desc()
        ),
        "overdue_count": db.session.scalar(sa.select(sa.func.count(Commitment.id)).where(overdue)),
    }
