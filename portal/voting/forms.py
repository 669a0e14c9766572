"""Forms for preparing votes, stepping them on, objections and the receipt check (the ballot: ballot_form.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import DataRequired, InputRequired
from portal.i18n import to_utc
from portal.refusals import Refused, sentence
from portal.voting import scope as scopes
from portal.voting.models.vote import Art278Category, Secrecy, VoteKind, VoteStatus
from portal.voting.objections import TEXT_MAX
from portal.voting.services import Settings
from portal.voting.wording import category_choice


class VoteForm(FlaskForm):
    """发起投票: the vote's settings (changeable while it is a draft)."""

    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("resolution", _l("Owners' assembly resolution")),
            SelectChoice("election", _l("Owners' committee election")),
            SelectChoice("poll", _l("Opinion poll (owners and residents, not binding)")),
        ],
    )
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Explanation for voters"), validators=[Length(max=20000)])
    secrecy = SelectField(
        _l("Ballot"),
        choices=[
            SelectChoice("named", _l("Named (记名): the ballot records whose vote it is")),
            SelectChoice("secret", _l("Secret (不记名): nothing links a ballot to a voter")),
        ],
    )
    opens_at = DateTimeLocalField(
        _l("Voting opens (Beijing time)"), validators=[InputRequired(_l("Enter when voting opens"))]
    )
    closes_at = DateTimeLocalField(
        _l("Voting closes (Beijing time)"), validators=[InputRequired(_l("Enter when voting closes"))]
    )
    allow_change = BooleanField(_l("Voters may change their ballot until the vote closes (named ballots only)"))
    publish_unit_choices = BooleanField(_l("The result lists each unit's choices by room and area (named only)"))
    poll_multiple = BooleanField(_l("Poll: several options may be chosen"))
    seats = IntegerField(_l("Election: seats"), validators=[Optional(), NumberRange(min=3, max=11)])
    objection_days = IntegerField(
        _l("Days for objections after the preliminary result"), default=7, validators=[NumberRange(min=1, max=60)]
    )
    # 表决范围: nothing ticked is the whole compound; the template groups the boxes by building (`places`).
    scope = SelectMultipleField(
        _l("Who decides: buildings and entrances"),
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )

    def __init__(self, *args, compound=None, **kwargs) -> None:
        """Offer the compound's buildings and entrances as the scope's choices."""
        super().__init__(*args, **kwargs)
        self.compound = compound
        self.places = scopes.choices(compound) if compound is not None else []
        self.scope.choices = scopes.tokens(self.places)

    def validate_scope(self, field) -> None:
        """A scope holds at least one unit, and only resolutions have one (said at the field, as the service would)."""
        if self.compound is None or self.kind.data not in {k.value for k in VoteKind}:
            return
        try:
            scopes.check(self.compound, VoteKind(self.kind.data), field.data or [])
        except Refused as error:
            raise ValidationError(error.sentence) from None

    def validate_closes_at(self, field) -> None:
        """The window must not be empty."""
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The vote must close after it opens."))

    def validate_allow_change(self, field) -> None:
        """Secret ballots hold nothing to find them again by, so they cannot be changed."""
        if field.data and self.secrecy.data == "secret":
            raise ValidationError(_l("Secret ballots cannot be changed."))

    def validate_seats(self, field) -> None:
        """An owners' committee has an odd number of members, 3 to 11."""
        if self.kind.data == "election":
            if field.data is None:
                raise ValidationError(_l("Give the number of seats."))
            if field.data % 2 == 0:
                raise ValidationError(_l("The number of seats must be odd."))

    def settings(self) -> Settings:
        """What was chosen, as plain values for the service (times from Beijing time to UTC)."""
        return Settings(
            kind=VoteKind(self.kind.data),
            title=self.title.data,
            description=self.description.data or "",
            secrecy=Secrecy(self.secrecy.data),
            opens_at=to_utc(self.opens_at.data),
            closes_at=to_utc(self.closes_at.data),
            allow_change=bool(self.allow_change.data),
            publish_unit_choices=bool(self.publish_unit_choices.data),
            poll_multiple=bool(self.poll_multiple.data),
            seats=self.seats.data,
            objection_days=self.objection_days.data,
            scope=tuple(self.scope.data or ()) if self.compound is not None else None,
        )


class ItemForm(FlaskForm):
    """表决事项: the convenor names the Art. 278 category; the threshold follows from it, never picked by hand."""

    title = StringField(_l("Item"), validators=[InputRequired(), Length(max=300)])
    description = TextAreaField(_l("Explanation"), validators=[Length(max=20000)])
    category = SelectField(_l("What the item decides (Civil Code Art. 278)"), choices=[], validators=[InputRequired()])

    def __init__(self, *args, **kwargs) -> None:
        """Offer every category with the threshold that follows from it, in the reader's language; no category is
        preselected, so none is taken by accident."""
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(c.value, category_choice(c)) for c in Art278Category
        ]


class OptionForm(FlaskForm):
    """A poll option."""

    label = StringField(_l("Option"), validators=[InputRequired(), Length(max=300)])


def confirmed(form, field) -> None:
    """A box the server requires ticked: a step that cannot be undone is never one stray tap (JavaScript or not)."""
    if not field.data:
        raise ValidationError(sentence("not_confirmed"))


class ReasonForm(FlaskForm):
    """A lifecycle step (`target`, the button pressed) with the reason one may need (early announcement, early
    close, cancellation), and the box that confirms it was checked first."""

    target = SelectField(choices=[s.value for s in VoteStatus], validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[Length(max=5000)])
    confirm = BooleanField(
        _l("I have checked what this step records and who is told, and I confirm it."), validators=[confirmed]
    )

    def step(self) -> VoteStatus | None:
        """The step asked for; None for a button no step has."""
        try:
            return VoteStatus(self.target.data or "")
        except ValueError:
            return None


class Written:
    """A text people write, held to the rule its service applies (`Refused.text`): the same sentence for an empty
    or too long text as the service would give."""

    def __init__(self, limit: int) -> None:
        """`limit`: the most characters the service keeps."""
        self.limit = limit

    def __call__(self, form, field) -> None:
        """Refuse an empty or too long text at its field."""
        try:
            Refused.text(field.data, self.limit)
        except Refused as error:
            raise ValidationError(error.sentence) from None


class ObjectionForm(FlaskForm):
    """异议: an owner's objection to the preliminary result."""

    text = TextAreaField(_l("Your objection"), id="objection-text", validators=[Written(TEXT_MAX)])


class ObjectionAnswerForm(FlaskForm):
    """Staff's published answer to one objection."""

    answer = TextAreaField(_l("Answer"), validators=[Written(TEXT_MAX)])


class RemindForm(FlaskForm):
    """提醒未投票的业主: one button (its token is the form)."""


class ReceiptForm(FlaskForm):
    """Is my ballot in the box? A receipt code, e.g. K3M9P-2XQ7H."""

    receipt = StringField(
        _l("Receipt code"),
        filters=[lambda code: (code or "").strip()],
        validators=[DataRequired(), Length(max=40)],
    )
