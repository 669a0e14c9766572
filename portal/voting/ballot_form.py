"""The ballot as form fields of a fixed length, so that no request's length tells what was chosen.

An access log or a TLS observer sees how long each request is. With `item_5=yes` against `item_5=abstain`, or one
`candidate=` field per ticked name, the length alone gave the choice away. Every answer is therefore one character,
and every item, candidate list and option list is always sent as exactly one field:

- resolution item: `item_<id>` = `y` (agree), `n` (disagree), `a` (abstain) or `-` (left blank: counts as abstain);
- election: `picks` = one `0`/`1` per candidate on the ballot, in ballot order (e.g. `picks=01001`);
- poll: `opts` = one `0`/`1` per option, in order.

The review form carries these fields as hidden inputs (a blank item as `a`: that is what it counts as), so the body
that casts the ballot has the same length whatever it holds. The fill-in form has radios and checkboxes, which a
browser sends only when ticked: static/js/ballot.js rewrites its body into the same fields before it leaves. Without
JavaScript the fill-in form falls back to the ticked controls alone (`item_<id>` = code, `pick` / `opt` = position),
which this module reads too.
"""

from __future__ import annotations

from collections.abc import Mapping

from portal.voting import box
from portal.voting.models import VoteKind

CODES = {"yes": "y", "no": "n", "abstain": "a"}
ANSWERS = {code: answer for answer, code in CODES.items()}
BLANK = "-"
INVALID = "?"  # what an unreadable field becomes: box.validate refuses it


def on_ballot(vote) -> list:
    """The candidates as the ballot lists them (the order of the bitmap)."""
    return [c for c in vote.candidates if c.on_ballot]


def read(vote, form: Mapping) -> box.Choices:
    """The choices in a posted ballot (fixed fields, or the ticked controls of a form sent without JavaScript)."""
    if vote.kind == VoteKind.resolution:
        return box.Choices({item.key: _answer(form.get(f"item_{item.id}")) for item in vote.items})
    if vote.kind == VoteKind.election:
        return box.Choices({}, _ticked(on_ballot(vote), form, "picks", "pick"))
    return box.Choices({}, options=_ticked(list(vote.options), form, "opts", "opt"))


def _answer(code: str | None) -> str | None:
    """One item's answer: None when blank or not sent."""
    if code in (None, "", BLANK):
        return None
    return ANSWERS.get(code, INVALID)


def _ticked(choices: list, form: Mapping, bitmap_field: str, box_field: str) -> frozenset[str]:
    """The keys ticked, from the bitmap or, without it, from the positions of the ticked boxes."""
    bits = form.get(bitmap_field)
    if bits is not None:
        if len(bits) != len(choices) or set(bits) - {"0", "1"}:
            return frozenset({INVALID})
        return frozenset(choice.key for choice, bit in zip(choices, bits, strict=True) if bit == "1")
    getlist = getattr(form, "getlist", None)
    positions = getlist(box_field) if getlist else form.get(box_field, [])
    keys = set()
    for position in positions:
        index = int(position) if str(position).isdecimal() else -1
        keys.add(choices[index].key if 0 <= index < len(choices) else INVALID)
    return frozenset(keys)


def fields(vote, choices: box.Choices) -> list[tuple[str, str]]:
    """The review form's hidden fields for validated choices: one fixed-length field per item, or one bitmap."""
    if vote.kind == VoteKind.resolution:
        return [(f"item_{item.id}", CODES[choices.answers.get(item.key) or "abstain"]) for item in vote.items]
    if vote.kind == VoteKind.election:
        return [("picks", "".join("1" if c.key in choices.selected else "0" for c in on_ballot(vote)))]
    return [("opts", "".join("1" if o.key in choices.options else "0" for o in vote.options))]


def stored(vote, answers: dict, selected: list, options: list) -> dict[str, str]:
    """A counted ballot written back as form fields (to fill in the form again where a vote allows a change)."""
    chosen = box.Choices(
        {str(k): v for k, v in answers.items()},
        frozenset(str(c) for c in selected),
        frozenset(str(o) for o in options),
    )
    return dict(fields(vote, chosen))
