"""Forms of the unit's voter: a proposal, an answer to one, and the staff's record of the signed paper form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from portal.coowners.services import REFERENCE_LIMIT
from portal.forms import InputRequired
from portal.inputs import db_int

NOT_A_CHOICE = _l("Not a valid choice.")
CHOOSE_OWNER = _l("Choose one of the unit's owners.")


def _owner_id(value):
    """An owner's id as posted (None for anything that is not a number a database column holds)."""
    return db_int(value) if value not in (None, "") else None


def _voter_field(label) -> RadioField:
    """One of the unit's owners, by id."""
    return RadioField(
        label, coerce=_owner_id, validators=[InputRequired(CHOOSE_OWNER)], invalid_choice_message=CHOOSE_OWNER
    )


class _VoterChoice:
    """The owners of the unit to choose from, set by the view from the register."""

    def __init__(self, *args, owners=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.voter.choices = [SelectChoice(o.id, o.name) for o in owners]


class ProposeForm(_VoterChoice, FlaskForm):
    """提议投票人: one of the unit's owners."""

    voter = _voter_field(_l("Who should vote for this unit"))


class AnswerForm(FlaskForm):
    """确认 / 不同意 / 撤回 a proposal: the button pressed, and the proposal that was on the page."""

    proposal = HiddenField(validators=[InputRequired()])
    answer = SelectField(
        choices=[SelectChoice(v, v) for v in ("confirm", "decline", "withdraw")],
        validators=[InputRequired()],
        invalid_choice_message=NOT_A_CHOICE,
    )

    def proposal_id(self) -> int | None:
        """The proposal's id as posted (None if not a number)."""
        return db_int(self.proposal.data)


class PaperForm(_VoterChoice, FlaskForm):
    """Staff record the voter named on the paper form signed by every owner of the unit."""

    voter = _voter_field(_l("Voter named on the paper form"))
    signed = BooleanField(_l("I hold the paper form naming this voter, signed by every owner of this unit."))
    reference = StringField(
        _l("Number of the paper form (optional)"), validators=[Optional(), Length(max=REFERENCE_LIMIT)]
    )
