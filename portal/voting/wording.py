"""The plain words of a result notice: shares as "169 人 / 229 人，73.8%", thresholds, one sentence per decision.

Every sentence is a gettext msgid with %(…)s placeholders (one per reason code), so zh-Hans and English read the
same numbers. Shares are formatted from the exact Fraction — rounded half up to one decimal with integer
arithmetic, never through a float — and the counts themselves ("22,043.10 ㎡ / 29,076.25 ㎡") are shown beside the
percentage, because a share that reads "75.0%" may still be one cent short of 3/4. A reduced fraction
("2036896/3610645") is exact but unreadable: it stays in the CSV and JSON exports only.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _

from portal.labels import label
from portal.templating import area as area_text
from portal.templating import heads as heads_count
from portal.voting.models.vote import Art278Category
from portal.voting.tally import CandidateResult, ItemResult, Matter, Outcome, Reason, Share, Weight

__all__ = [
    "area_text",
    "areas_text",
    "candidate_sentence",
    "category_choice",
    "fraction",
    "heads_text",
    "item_sentence",
    "part_of",
    "percent",
    "percent_of",
    "quorum_sentence",
    "share_said",
    "share_text",
    "threshold_fraction",
    "threshold_text",
]


def percent(value: Fraction) -> str:
    """A share as a percentage with one decimal, e.g. "61.5%": ROUND_HALF_UP of the exact value, no float."""
    value = Fraction(value)
    if value < 0:
        raise ValueError(f"a share is never negative: {value}")
    # tenths of a percent, rounded half up: exactly what Decimal's ROUND_HALF_UP gives on the exact quotient
    tenths, rest = divmod(value.numerator * 1000, value.denominator)
    if 2 * rest >= value.denominator:
        tenths += 1
    return f"{Decimal(tenths).scaleb(-1)}%"


def fraction(share: Share) -> str:
    """The exact share, reduced: "8/13" ("0" and "1" for none and all); "—" when nobody took part."""
    if not share.whole:
        return "—"
    return str(share.value)


def _amount(value: int | Decimal) -> str:
    """One side of a share: heads as "169 人", areas as "22,043.10 ㎡"."""
    return area_text(value) if isinstance(value, Decimal) else heads_count(value)


def share_text(share: Share) -> str:
    """A share as owners read it in a table: "169 人 / 229 人，73.8%" (never a reduced fraction)."""
    return _(
        "%(part)s / %(whole)s, %(percent)s",
        part=_amount(share.part),
        whole=_amount(share.whole),
        percent=percent(share.value),
    )


def share_said(share: Share) -> str:
    """A share inside a sentence, percentage first: "73.8% (169 人 / 229 人)"."""
    return _(
        "%(percent)s (%(part)s / %(whole)s)",
        part=_amount(share.part),
        whole=_amount(share.whole),
        percent=percent(share.value),
    )


def part_of(part: int | Decimal, whole: int | Decimal) -> str:
    """part of whole as "169 人 / 229 人，73.8%"."""
    return share_text(Share.of(part, whole))


def percent_of(part: int | Decimal, whole: int | Decimal) -> str:
    """part of whole as a percentage alone ("73.8%"), where the counts stand beside it."""
    return percent(Share.of(part, whole).value)


def heads_text(part: int, whole: int) -> str:
    """Heads as "169 人 / 229 人"."""
    return f"{heads_count(part)} / {heads_count(whole)}"


def areas_text(part: Decimal, whole: Decimal) -> str:
    """Areas as "22,043.10 ㎡ / 29,076.25 ㎡"."""
    return f"{area_text(part)} / {area_text(whole)}"


def threshold_fraction(matter: Matter | str) -> str:
    """The threshold of a matter as a fraction: "1/2" or "3/4"."""
    return "3/4" if Matter(matter) is Matter.major else "1/2"


def threshold_text(matter: Matter | str) -> str:
    """What a matter needs: more than 1/2 (过半数) or at least 3/4 (四分之三以上)."""
    if Matter(matter) is Matter.major:
        return _("at least 3/4")
    return _("more than 1/2")


def category_choice(category: Art278Category) -> str:
    """A category as the item form offers it, with the threshold that follows from it."""
    return f"{label(category)} — {threshold_text(category.matter)}"


def item_sentence(result: ItemResult) -> str:
    """One plain sentence saying why an item passed or failed, with the numbers that decided it."""
    p, e = result.participation, result.electorate
    heads = share_said(result.yes_heads_share)
    area = share_said(result.yes_area_share)
    needed = threshold_text(result.matter)
    reason = Reason(result.reason)
    if reason is Reason.passed:
        if Matter(result.matter) is Matter.major:
            return _(
                "Passed: the 2/3 quorum was met, and at least 3/4 of the participating owners (%(heads)s) "
                "and of their area (%(area)s) agreed.",
                heads=heads,
                area=area,
            )
        return _(
            "Passed: the 2/3 quorum was met, and more than half of the participating owners (%(heads)s) "
            "and of their area (%(area)s) agreed.",
            heads=heads,
            area=area,
        )
    if reason is Reason.no_quorum_heads:
        return _(
            "Not passed: only %(part)s of %(whole)s owners took part (%(share)s); "
            "at least 2/3 of the owners must take part.",
            part=f"{p.heads:,}",
            whole=f"{e.heads:,}",
            share=percent_of(p.heads, e.heads),
        )
    if reason is Reason.no_quorum_area:
        return _(
            "Not passed: the owners who took part hold only %(part)s of %(whole)s (%(share)s); "
            "owners holding at least 2/3 of the area must take part.",
            part=area_text(p.area),
            whole=area_text(e.area),
            share=percent_of(p.area, e.area),
        )
    if reason is Reason.no_quorum_both:
        return _(
            "Not passed: only %(heads_part)s of %(heads_whole)s owners (%(heads_share)s), holding %(area_part)s "
            "of %(area_whole)s (%(area_share)s), took part; at least 2/3 of the owners and of the area must take part.",
            heads_part=f"{p.heads:,}",
            heads_whole=f"{e.heads:,}",
            heads_share=percent_of(p.heads, e.heads),
            area_part=area_text(p.area),
            area_whole=area_text(e.area),
            area_share=percent_of(p.area, e.area),
        )
    if reason is Reason.heads_short:
        return _(
            "Not passed: %(heads)s of the participating owners agreed, but %(needed)s is needed "
            "(the area, %(area)s, was enough).",
            heads=heads,
            area=area,
            needed=needed,
        )
    if reason is Reason.area_short:
        return _(
            "Not passed: %(area)s of the participating area agreed, but %(needed)s is needed "
            "(the owners, %(heads)s, were enough).",
            heads=heads,
            area=area,
            needed=needed,
        )
    return _(
        "Not passed: only %(heads)s of the participating owners and %(area)s of their area agreed; "
        "%(needed)s of each is needed.",
        heads=heads,
        area=area,
        needed=needed,
    )


def quorum_sentence(participation: Weight, electorate: Weight, met: bool) -> str:
    """Whether the 2/3 quorum (heads AND area) was met, with both shares."""
    values = {
        "heads": percent_of(participation.heads, electorate.heads),
        "area": percent_of(participation.area, electorate.area),
    }
    if met:
        return _(
            "Quorum met: %(heads)s of the owners and %(area)s of the area took part; at least 2/3 of each is needed.",
            **values,
        )
    return _(
        "Quorum not met: %(heads)s of the owners and %(area)s of the area took part; at least 2/3 of each is "
        "needed, so nothing can pass.",
        **values,
    )


def candidate_sentence(result: CandidateResult, quorum_met: bool) -> str | None:
    """Why a candidate goes to a runoff, is an alternate, or did not qualify; None for the plainly elected."""
    outcome = Outcome(result.outcome)
    if outcome is Outcome.runoff:
        return _(
            "Exactly tied in heads and in area with another candidate for the last seat: a runoff vote decides "
            "who takes it."
        )
    if outcome is Outcome.alternate:
        return _("Qualified, but the seats went to candidates with more votes: an alternate member, in vote order.")
    if result.qualified:
        return None
    if not quorum_met:
        return _("Not qualified: the 2/3 quorum was not met, so no candidate can be elected.")
    return _(
        "Not qualified: %(heads)s of the participating owners and %(area)s of their area voted for this candidate; "
        "more than half of each is needed.",
        heads=share_said(result.heads_share),
        area=share_said(result.area_share),
    )
