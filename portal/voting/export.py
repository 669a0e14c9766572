"""What a vote's result publishes as files: `results.json` (the issue's shape; fields are only ever added) and a CSV,
and the per-unit choices of a named vote that publishes them (rooms and areas, never names).

Areas are decimal strings with two places ("123.45"), never floats; shares are exact fractions ("8/13").
`vote.status` in the JSON is the vote's status as stored: "preliminary" or "final" for posted results, "archived"
after that, and "closed" for the count that staff see before the preliminary result is posted.
Secret votes publish only totals: no per-ballot area, room or channel appears anywhere.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _

from portal import csvsafe
from portal.extensions import db
from portal.labels import label
from portal.voting import box, objections, receipts, scope, wording
from portal.voting.models import Secrecy, Vote, VotingRight
from portal.voting.results import VoteResults
from portal.voting.tally import Share, Weight

CENT = Decimal("0.01")
BOM = "\ufeff"  # so that spreadsheet programs read the CSV as UTF-8


def decimal_string(value: Decimal | int) -> str:
    """An area as a decimal string with two places, e.g. "123.45"."""
    return str(Decimal(value).quantize(CENT))


def weight_json(weight: Weight) -> dict:
    """{"heads": int, "area_m2": "123.45"}."""
    return {"heads": weight.heads, "area_m2": decimal_string(weight.area)}


def fraction_string(share: Share) -> str | None:
    """An exact share as "numerator/denominator" (reduced); None when nobody took part."""
    return f"{share.value.numerator}/{share.value.denominator}" if share.whole else None


def _iso(moment: datetime | None) -> str | None:
    """An aware UTC time in ISO 8601, or None."""
    return moment.isoformat() if moment is not None else None


@dataclass(frozen=True)
class UnitRow:
    """One counted ballot of a named vote as the notice lists it: rooms and area, never the owner's name."""

    ordinal: int  # the voting right's number on the roll
    rooms: str
    area: Decimal
    answers: tuple[str, ...]  # per item, in item order: yes / no / abstain
    candidates: tuple[str, ...]  # names of the candidates ticked (public candidates), in list order
    options: tuple[str, ...]  # poll option labels ticked


def unit_rows(vote: Vote, for_staff: bool = False) -> list[UnitRow]:
    """The per-unit choices of a named vote, by roll order: published when the vote says so (publish_unit_choices),
    and always shown to staff (记名: staff see per-unit choices); never for secret votes."""
    if vote.secrecy != Secrecy.named or not (vote.publish_unit_choices or for_staff):
        return []
    rights = {r.id: r for r in db.session.scalars(db.select(VotingRight).where(VotingRight.vote_id == vote.id))}
    rows = []
    for ballot in box.counted_ballots(vote):
        right = rights[ballot.current_right_id]
        answers = json.loads(ballot.answers)
        selected = set(json.loads(ballot.selected))
        chosen = set(json.loads(ballot.options))
        rows.append(
            UnitRow(
                ordinal=right.ordinal,
                rooms=right.label,
                area=right.area_m2,
                answers=tuple(answers.get(item.key, "abstain") for item in vote.items),
                candidates=tuple(c.person.name for c in vote.candidates if c.on_ballot and c.id in selected),
                options=tuple(o.label for o in vote.options if o.id in chosen),
            )
        )
    return sorted(rows, key=lambda row: row.ordinal)


def results_json(result: VoteResults) -> dict:
    """The result as `results.json`: the shape the issue fixes, plus a few added fields."""
    vote = result.vote
    data = {
        "compound": vote.compound.slug,
        "vote": {
            "id": vote.id,
            "title": vote.title,
            "kind": vote.kind.value,
            "secrecy": vote.secrecy.value,
            "status": vote.status.value,
            "binding": vote.is_binding,
            "seats": vote.seats,
            "closed_at": _iso(vote.closed_at),
            "preliminary_at": _iso(vote.preliminary_at),
            "objection_deadline": _iso(objections.deadline(vote)),
            "final_at": _iso(vote.final_at),
            "scope": scope.places(vote) or None,  # the buildings and entrances whose owners decide; None: all
        },
        "electorate": weight_json(result.electorate),
        "participation": weight_json(result.participation),
        "quorum_met": result.quorum_met,
        "items": [
            {
                "title": item.title,
                "matter": res.matter.value,
                "yes": weight_json(res.yes),
                "no": weight_json(res.no),
                "abstain": weight_json(res.abstain),
                "passed": res.passed,
                "position": item.position,
                "threshold": wording.threshold_fraction(res.matter),
                "yes_share": {
                    "heads": fraction_string(res.yes_heads_share),
                    "area": fraction_string(res.yes_area_share),
                },
                "reason": res.reason.value,
            }
            for item, res in result.items
        ],
        "candidates": [
            {
                "name": candidate.person.name,
                "heads": res.votes.heads,
                "area_m2": decimal_string(res.votes.area),
                "qualified": res.qualified,
                "outcome": res.outcome.value,
                "rank": res.rank,
                "share": {"heads": fraction_string(res.heads_share), "area": fraction_string(res.area_share)},
            }
            for candidate, res in result.candidates
        ],
        "ballots": {"count": result.ballot_count, "digest": result.digest},
    }
    if result.options:
        data["options"] = [
            {"label": option.label, "heads": res.heads, "share": fraction_string(res.share)}
            for option, res in result.options
        ]
    if result.digest:
        # the published list of receipts: each code as voters read it, with the fingerprint it is derived from
        data["receipts"] = [
            {"code": receipts.public_code(fingerprint), "fingerprint": fingerprint}
            for fingerprint in box.receipt_fingerprints(vote)
        ]
    units = unit_rows(vote)
    if units:
        data["units"] = [
            {
                "rooms": row.rooms,
                "area_m2": decimal_string(row.area),
                "answers": list(row.answers),
                "candidates": list(row.candidates),
                "options": list(row.options),
            }
            for row in units
        ]
    return data


def _yes_no(value: bool) -> str:
    """Yes / No in the reader's language."""
    return _("Yes") if value else _("No")


def _exact_share(share) -> str:
    """A share as the CSV keeps it, for recounting: "61.5% (8/13)" (the pages show the counts instead)."""
    return f"{wording.percent(share.value)} ({wording.fraction(share)})"


def results_csv(result: VoteResults) -> str:
    """The result as CSV (with a BOM, in the reader's language): one row per item, candidate or option."""
    out = io.StringIO()
    out.write(BOM)
    writer = csvsafe.writer(out, lineterminator="\r\n")  # names, titles and labels are typed by people
    e, p = result.electorate, result.participation
    common_head = [
        _("Owners taking part (heads)"),
        _("All owners (heads)"),
        _("Area taking part (㎡)"),
        _("Total area (㎡)"),
        _("Quorum met"),
    ]
    common = [p.heads, e.heads, decimal_string(p.area), decimal_string(e.area), _yes_no(result.quorum_met)]
    if result.items:
        writer.writerow(
            [_("No."), _("Item"), _("Matter"), *common_head]
            + [_("Agree (heads)"), _("Agree (㎡)"), _("Disagree (heads)"), _("Disagree (㎡)")]
            + [_("Abstain (heads)"), _("Abstain (㎡)"), _("Agree, share of heads"), _("Agree, share of heads (exact)")]
            + [_("Agree, share of area"), _("Agree, share of area (exact)"), _("Needed"), _("Passed"), _("Why")]
        )
        for item, res in result.items:
            writer.writerow(
                [item.position, item.title, label(res.matter), *common]
                + [res.yes.heads, decimal_string(res.yes.area), res.no.heads, decimal_string(res.no.area)]
                + [res.abstain.heads, decimal_string(res.abstain.area)]
                + [wording.percent(res.yes_heads_share.value), wording.fraction(res.yes_heads_share)]
                + [wording.percent(res.yes_area_share.value), wording.fraction(res.yes_area_share)]
                + [wording.threshold_text(res.matter), _yes_no(res.passed), wording.item_sentence(res)]
            )
    elif result.candidates:
        writer.writerow(
            [_("Rank"), _("Candidate"), _("Votes (heads)"), _("Share of heads"), _("Votes (㎡)"), _("Share of area")]
            + [_("Qualified"), _("Outcome"), *common_head]
        )
        for candidate, res in result.candidates:
            writer.writerow(
                [res.rank or "", candidate.person.name, res.votes.heads, _exact_share(res.heads_share)]
                + [decimal_string(res.votes.area), _exact_share(res.area_share), _yes_no(res.qualified)]
                + [label(res.outcome), *common]
            )
    else:
        writer.writerow([_("Option"), _("Votes (heads)"), _("Share of heads"), _("Owners and residents taking part")])
        for option, res in result.options:
            writer.writerow([option.label, res.heads, _exact_share(res.share), p.heads])
    return out.getvalue()
