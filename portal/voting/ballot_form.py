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

`form_for(vote)` makes the WTForms form of one vote from what it asks (one radio field per item, or one list field
with the most and least that may be ticked); it checks what was sent and says the error at its field. The ballot box
(`box.validate`) stays the authority on what counts.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from portal.refusals import sentence
from portal.voting import box
from portal.voting.models import VoteKind

CODES = {"yes": "y", "no": "n", "abstain": "a"}
ANSWERS = {code: answer for answer, code in CODES.items()}
BLANK = "-"
INVALID = "?"  # what an unreadable field becomes: box.validate refuses it


def on_ballot(vote) -> list:
    """The candidates as the ballot lists them (the order of the bitmap)."""
    return [c for c in vote.candidates if c.on_ballot]


class BallotForm(FlaskForm):
    """A ballot's step: the fill-in form posts `step=review`, the review form `step=confirm`, or `change` to go back
    to filling in. `form_for` adds the vote's own fields."""

    step = HiddenField()
    change = HiddenField()

    shape: Shape | None = None

    @property
    def confirming(self) -> bool:
        """The reviewed ballot is submitted (not sent back to be changed)."""
        return self.step.data == "confirm" and not self.change.data

    def choices(self) -> box.Choices:
        """The choices the fields hold (an unreadable field as INVALID, which the ballot box refuses)."""
        shape = self.shape
        if shape.kind == VoteKind.resolution:
            return box.Choices({key: _answer(self[f"item_{id_}"].data) for id_, key in shape.items})
        field = self[shape.list_field]
        keys = frozenset({INVALID}) if field.data is None else frozenset(shape.keys[i] for i in field.data)
        if shape.kind == VoteKind.election:
            return box.Choices({}, keys)
        return box.Choices({}, options=keys)


class Shape(NamedTuple):
    """What a vote asks, as a form needs it (the same for a `Vote` and casting's cached `OpenVote`)."""

    kind: VoteKind
    items: tuple[tuple[int, str], ...] = ()  # (id, key) of each resolution item
    keys: tuple[str, ...] = ()  # candidates on the ballot or poll options, in ballot order
    most: int | None = None  # how many may be ticked (None: any number)
    least: int = 0

    @property
    def list_field(self) -> str:
        """The list's bitmap field: `picks` (candidates) or `opts` (poll options)."""
        return "picks" if self.kind == VoteKind.election else "opts"


def shape_of(vote) -> Shape:
    """The shape of a vote's ballot."""
    if vote.kind == VoteKind.resolution:
        return Shape(vote.kind, items=tuple((item.id, item.key) for item in vote.items))
    if vote.kind == VoteKind.election:
        return Shape(vote.kind, keys=tuple(c.key for c in on_ballot(vote)), most=vote.seats or 0)
    return Shape(vote.kind, keys=tuple(o.key for o in vote.options), most=None if vote.poll_multiple else 1, least=1)


def form_for(vote, choices: box.Choices | None = None) -> BallotForm:
    """The vote's ballot form: read from the request, or (`choices` given) showing those choices ticked."""
    form_class = _form_class(shape_of(vote))
    if choices is None:
        return form_class()
    form = form_class(formdata=None)
    shape = form.shape
    if shape.kind == VoteKind.resolution:
        for id_, key in shape.items:
            form[f"item_{id_}"].data = CODES.get(choices.answers.get(key) or "")
    else:
        ticked = choices.selected if shape.kind == VoteKind.election else choices.options
        form[shape.list_field].data = frozenset(i for i, key in enumerate(shape.keys) if key in ticked)
    return form


@functools.lru_cache(maxsize=512)
def _form_class(shape: Shape) -> type[BallotForm]:
    """One form class per shape of ballot (made once: casting reads a ballot on every submission)."""
    if shape.kind == VoteKind.resolution:
        fields = {f"item_{id_}": _answer_field() for id_, _key in shape.items}
    else:
        box_name = "pick" if shape.kind == VoteKind.election else "opt"
        fields = {shape.list_field: TickedField(box_name, len(shape.keys), shape.most, shape.least)}
    return type("VoteBallotForm", (BallotForm,), {"shape": shape, **fields})


def _answer_field() -> RadioField:
    """One item: agree, disagree or abstain; blank (`-` or not sent) is None."""
    from portal.labels import LABELS
    from portal.voting.tally import Answer

    return RadioField(
        choices=[SelectChoice(CODES[a.value], LABELS[Answer][a]) for a in Answer],
        default=None,
        filters=[lambda code: None if code in ("", BLANK) else code],
        validate_choice=False,  # the validator below says it in the refusal's words
        validators=[_known_answer],
    )


def _known_answer(form, field) -> None:
    """An answer is one of the codes, or blank."""
    if field.data is not None and field.data not in ANSWERS:
        raise ValidationError(sentence("unreadable"))


class TickedField(Field):
    """A list on the ballot (candidates or poll options): the bitmap ballot.js sends (`picks=01001`) or, without
    JavaScript, the positions of the ticked boxes (`pick=1&pick=4`). Its data is the set of ticked positions, or None
    when what was sent cannot be read."""

    def __init__(self, box_name: str, size: int, most: int | None, least: int, **kwargs) -> None:
        """`most`/`least`: how many may and must be ticked (None: no upper limit)."""
        super().__init__(default=frozenset(), **kwargs)
        self.box_name, self.size, self.most, self.least = box_name, size, most, least

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        """Read the bitmap, or without it the ticked boxes."""
        super().process(formdata, data, extra_filters)
        if formdata is not None and self.name not in formdata:
            self.data = _positions(formdata.getlist(self.box_name), self.size)

    def process_formdata(self, valuelist: list[str]) -> None:
        """The bitmap: one 0/1 per place on the ballot."""
        if valuelist:
            bits = valuelist[0]
            readable = len(bits) == self.size and not set(bits) - {"0", "1"}
            self.data = frozenset(i for i, bit in enumerate(bits) if bit == "1") if readable else None

    def pre_validate(self, form) -> None:
        """Readable, and no more (and no fewer) ticked than allowed."""
        if self.data is None:
            raise ValidationError(sentence("unreadable"))
        if self.most is not None and len(self.data) > self.most:
            if self.box_name == "pick":  # candidates: say how many were ticked and how many may be
                raise ValidationError(sentence("too_many_candidates", num=len(self.data), most=self.most))
            raise ValidationError(sentence("too_many"))
        if len(self.data) < self.least:
            raise ValidationError(sentence("no_choice"))


def _positions(values: list[str], size: int) -> frozenset[int] | None:
    """The ticked boxes' positions; None if any is not a place on the ballot."""
    positions = frozenset(int(v) if v.isdecimal() else -1 for v in values)
    return positions if all(0 <= p < size for p in positions) else None


def _answer(code: str | None) -> str | None:
    """One item's answer: None when blank or not sent."""
    if code in (None, "", BLANK):
        return None
    return ANSWERS.get(code, INVALID)


def fields(vote, choices: box.Choices) -> list[tuple[str, str]]:
    """The review form's hidden fields for validated choices: one fixed-length field per item, or one bitmap."""
    if vote.kind == VoteKind.resolution:
        return [(f"item_{item.id}", CODES[choices.answers.get(item.key) or "abstain"]) for item in vote.items]
    if vote.kind == VoteKind.election:
        return [("picks", "".join("1" if c.key in choices.selected else "0" for c in on_ballot(vote)))]
    return [("opts", "".join("1" if o.key in choices.options else "0" for o in vote.options))]


def stored(answers: dict, selected: list, options: list) -> box.Choices:
    """A counted ballot's choices (to fill in the form again where a vote allows a change)."""
    return box.Choices(
        {str(k): v for k, v in answers.items()},
        frozenset(str(c) for c in selected),
        frozenset(str(o) for o in options),
    )
