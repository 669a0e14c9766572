"""A vote, what voters answer (items, candidates, poll options), its audited lifecycle and objections."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.db import Area, UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.user_text import html_column, markdown_field


class VoteKind(enum.StrEnum):
    """业主大会表决 / 业委会选举 / 意见征集."""

    resolution = "resolution"
    election = "election"
    poll = "poll"


class Secrecy(enum.StrEnum):
    """记名 (the ballot names its voting right) or 不记名 (nothing links a ballot to anyone)."""

    named = "named"
    secret = "secret"  # noqa: S105 (a secrecy mode, not a password)


class VoteStatus(enum.StrEnum):
    """draft → announced → open → closed → preliminary → final → archived; or cancelled."""

    draft = "draft"
    announced = "announced"
    open = "open"
    closed = "closed"
    preliminary = "preliminary"  # 异议期公示: objections may be filed
    final = "final"  # 公告
    archived = "archived"
    cancelled = "cancelled"


class Matter(enum.StrEnum):
    """一般事项 (> 1/2) or 重大事项 (≥ 3/4)."""

    ordinary = "ordinary"
    major = "major"


class Art278Category(enum.StrEnum):
    """The matter an item decides, as PRC Civil Code Art. 278 lists them; it alone sets the threshold."""

    rules_of_procedure = "rules_of_procedure"  # (一) 制定和修改业主大会议事规则
    management_rules = "management_rules"  # (二) 制定和修改管理规约
    committee = "committee"  # (三) 选举业主委员会或者更换业主委员会成员
    property_manager = "property_manager"  # (四) 选聘和解聘物业服务企业或者其他管理人
    use_fund = "use_fund"  # (五) 使用建筑物及其附属设施的维修资金
    raise_fund = "raise_fund"  # (六) 筹集建筑物及其附属设施的维修资金
    rebuild = "rebuild"  # (七) 改建、重建建筑物及其附属设施
    change_use = "change_use"  # (八) 改变共有部分的用途或者利用共有部分从事经营活动
    other = "other"  # (九) 有关共有和共同管理权利的其他重大事项

    @property
    def matter(self) -> Matter:
        """Art. 278 ¶2: items (6)–(8) need at least 3/4 (重大事项); every other item more than 1/2."""
        return Matter.major if self in MAJOR_CATEGORIES else Matter.ordinary


MAJOR_CATEGORIES = frozenset({Art278Category.raise_fund, Art278Category.rebuild, Art278Category.change_use})


def _category_for_matter(context) -> str:
    """An item built with only a matter (older code, fixtures) gets the category the migration gave such items."""
    matter = context.get_current_parameters().get("matter")
    return Art278Category.rebuild.value if matter in (Matter.major, "major") else Art278Category.other.value


class Vote(db.Model):
    """One vote of a compound."""

    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    kind: Mapped[VoteKind] = mapped_column(enum_column(VoteKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_html: Mapped[str] = html_column()
    secrecy: Mapped[Secrecy] = mapped_column(enum_column(Secrecy), default=Secrecy.named)
    status: Mapped[VoteStatus] = mapped_column(enum_column(VoteStatus), default=VoteStatus.draft, index=True)
    allow_change: Mapped[bool] = mapped_column(default=False)  # a cast ballot may be replaced until close
    publish_unit_choices: Mapped[bool] = mapped_column(default=False)  # named: result lists choices by room
    poll_multiple: Mapped[bool] = mapped_column(default=False)
    seats: Mapped[int | None] = mapped_column()  # elections: 3–11, odd
    objection_days: Mapped[int] = mapped_column(default=7)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    early_reason: Mapped[str | None] = mapped_column(sa.Text)  # why announced < 15 days before opening
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    close_reason: Mapped[str | None] = mapped_column(sa.Text)  # why staff closed it before closes_at
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preliminary_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Frozen when the vote opens (electorate) and when it closes (the ballot box).
    electorate_heads: Mapped[int | None] = mapped_column()
    electorate_area: Mapped[Decimal | None] = mapped_column(Area)
    ballot_count: Mapped[int | None] = mapped_column()
    digest: Mapped[str | None] = mapped_column(sa.String(64))
    key_check: Mapped[str | None] = mapped_column(sa.String(64))  # secret votes: which ballot key they were opened with
    # Random per vote, wrapped with the ballot key; receipts are re-derived from it (receipts.py). None once archived.
    receipt_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    closing_notice_sent: Mapped[bool] = mapped_column(default=False)

    compound = relationship("Compound")
    items: Mapped[list[VoteItem]] = relationship(
        back_populates="vote", order_by="VoteItem.position", cascade="all, delete-orphan"
    )
    options: Mapped[list[PollOption]] = relationship(
        back_populates="vote", order_by="PollOption.position", cascade="all, delete-orphan"
    )
    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="vote", order_by="Candidate.position", cascade="all, delete-orphan"
    )
    # Empty: the whole compound (全体业主). Otherwise the buildings and entrances whose owners decide (e.g. 3栋).
    scope: Mapped[list[VoteScope]] = relationship(
        back_populates="vote", order_by="VoteScope.id", cascade="all, delete-orphan"
    )

    @property
    def is_binding(self) -> bool:
        """Resolutions and elections are owners' decisions under Art. 278; polls are not."""
        return self.kind != VoteKind.poll


class VoteScope(db.Model):
    """表决范围: one building (entrance_id None: the whole building) or one entrance of a building whose owners
    decide this vote (a building's elevator, its share of the maintenance fund). No rows: the whole compound."""

    __table_args__ = (sa.UniqueConstraint("vote_id", "building_id", "entrance_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("building.id"))
    entrance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entrance.id"))

    vote: Mapped[Vote] = relationship(back_populates="scope")
    building = relationship("Building")
    entrance = relationship("Entrance")


class VoteItem(db.Model):
    """表决事项: one question of a resolution, answered 同意/反对/弃权."""

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_html: Mapped[str] = html_column()
    matter: Mapped[Matter] = mapped_column(enum_column(Matter), default=Matter.ordinary)  # follows `category`
    category: Mapped[Art278Category] = mapped_column(enum_column(Art278Category), default=_category_for_matter)

    vote: Mapped[Vote] = relationship(back_populates="items")

    @validates("category")
    def _derive_matter(self, _key, category):
        """The threshold is never chosen: setting the category sets the matter."""
        category = Art278Category(category)
        self.matter = category.matter
        return category

    @property
    def key(self) -> str:
        """The item's key in ballots and tallies."""
        return str(self.id)


class PollOption(db.Model):
    """One choice of an opinion poll."""

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(sa.String(300))

    vote: Mapped[Vote] = relationship(back_populates="options")

    @property
    def key(self) -> str:
        """The option's key in ballots and tallies."""
        return str(self.id)


class Nomination(enum.StrEnum):
    """How a candidate came forward."""

    self_nominated = "self"  # 自荐
    others = "others"  # 联名推荐 (needs the nominee's consent)
    staff = "staff"  # 社区党组织/居委会推荐


class CandidateStatus(enum.StrEnum):
    """Staff check eligibility before the list is published."""

    pending = "pending"
    eligible = "eligible"
    ineligible = "ineligible"
    withdrawn = "withdrawn"


class NominationState(enum.StrEnum):
    """Where a nomination stands as people see it: the status, and whether the nominee has consented."""

    awaiting_consent = "awaiting_consent"
    declined = "declined"  # withdrawn before consenting
    withdrawn = "withdrawn"
    awaiting_check = "awaiting_check"
    on_list = "on_list"
    ineligible = "ineligible"


class Candidate(db.Model):
    """候选人 of a committee election."""

    __table_args__ = (sa.UniqueConstraint("vote_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    position: Mapped[int] = mapped_column(default=0)
    statement: Mapped[str] = mapped_column(sa.Text, default="")
    statement_html: Mapped[str] = html_column()
    nomination: Mapped[Nomination] = mapped_column(enum_column(Nomination))
    nominated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    nominated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[CandidateStatus] = mapped_column(enum_column(CandidateStatus), default=CandidateStatus.pending)
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_note: Mapped[str | None] = mapped_column(sa.Text)

    vote: Mapped[Vote] = relationship(back_populates="candidates")
    person = relationship("Person", foreign_keys=[person_id])
    nominated_by = relationship("Person", foreign_keys=[nominated_by_id])
    checked_by = relationship("Person", foreign_keys=[checked_by_id])

    @property
    def key(self) -> str:
        """The candidate's key in ballots and tallies."""
        return str(self.id)

    @property
    def on_ballot(self) -> bool:
        """Published on the candidate list: consented and found eligible."""
        return self.consented_at is not None and self.status == CandidateStatus.eligible


class VoteEvent(db.Model):
    """One audited transition of a vote, by a named person."""

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(sa.Text)

    actor = relationship("Person")


class Objection(db.Model):
    """异议: an owner's objection to a preliminary result, and staff's answer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    text_html: Mapped[str] = html_column()
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answer_html: Mapped[str] = html_column()
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person = relationship("Person", foreign_keys=[person_id])
    answered_by = relationship("Person", foreign_keys=[answered_by_id])


# What users write here is Markdown: each field's _html is rendered whenever it is set (portal/user_text.py).
markdown_field(Vote.description)
markdown_field(VoteItem.description)
markdown_field(Candidate.statement)
markdown_field(Objection.text)
markdown_field(Objection.answer)
