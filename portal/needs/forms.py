"""The form a resident fills to post a request or micro-wish, and the small forms of the steps after it (accept,
decline, dispatch, claim, done, confirm, reopen, 督办), several on the request's page (StepForm keeps ids apart)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from portal.boards.forms import StarsField, StepForm, category_choices, category_required, stars_chosen
from portal.forms import InputRequired
from portal.needs.services import COMMENT_LIMIT, TITLE_LIMIT
from portal.refusals import TEXT_LIMIT

# Not labels but answers to "What do you want to post?": each kind's word (the glossary's 微心愿 / 需求) with what it is
# for. The kind's label alone is portal/labels.py's.
KIND_CHOICES = {
    "wish": _l("A micro-wish (微心愿): something small a volunteer can help with"),
    "request": _l("A request (需求): something in the compound that needs dealing with"),
}


class NeedForm(FlaskForm):
    """需求 / 微心愿: what kind, about what, what exactly, photos, and whether it may be shown publicly."""

    kind = RadioField(
        _l("What do you want to post?"),
        choices=[SelectChoice(value, label) for value, label in KIND_CHOICES.items()],
        default="wish",
        validators=[InputRequired(_l("Choose what you want to post"))],
    )
    category = SelectField(_l("Category"), choices=[], validators=[category_required()])
    title = StringField(
        _l("In a few words"),
        validators=[InputRequired(_l("Say in a few words what you need.")), Length(max=TITLE_LIMIT)],
    )
    description = TextAreaField(
        _l("What exactly do you need? When and where?"),
        validators=[InputRequired(_l("Say what exactly you need.")), Length(max=TEXT_LIMIT)],
    )
    photos = MultipleFileField(_l("Photos (JPEG or PNG, optional)"))
    is_public = BooleanField(_l("It may be shown publicly on the compound's list of requests"), default=False)

    def __init__(self, *args, **kwargs) -> None:
        """Categories are shared with the board and the three lists."""
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices()


def _note(label) -> StringField:
    return StringField(label, validators=[Length(max=TEXT_LIMIT)], default="")


def _words(label, name: str, missing) -> TextAreaField:
    """The one required text of a step (its name as posted: `reason` or `note`), and what an empty one says."""
    return TextAreaField(label, validators=[InputRequired(missing), Length(max=TEXT_LIMIT)], name=name)


class AcceptForm(StepForm):
    """受理: whoever takes it on at once ("org-3", "person-7"; nobody: open for volunteers), and a note."""

    step = "accept"
    taker = StringField(_l("Who takes it on"), default="")
    note = _note(_l("A note (optional)"))


class DispatchForm(AcceptForm):
    """派单: the organisation or volunteer it is sent to (someone, here), and a note."""

    step = "dispatch"


class ClaimForm(StepForm):
    """接单: as oneself ("self") or for one's organisation ("org-3"), with a note for the resident."""

    step = "claim"
    taker = StringField(_l("Take it on as"), name="as", default="")
    note = _note(_l("A note for the resident (optional)"))


class DoneForm(StepForm):
    """办结: what was done, with photos if one likes."""

    step = "done"
    words = _words(_l("What did you do?"), "note", _l("Say what you did"))
    photos = MultipleFileField(_l("Photos (JPEG or PNG, optional)"))


class ConfirmForm(StepForm):
    """反馈: 1–5 stars and an optional word of thanks."""

    step = "confirm"
    stars = StarsField(_l("Yes, it is done. How satisfied are you?"), validators=[stars_chosen])
    comment = TextAreaField(_l("A word of thanks or a comment (optional)"), validators=[Length(max=COMMENT_LIMIT)])


class DeclineForm(StepForm):
    """不予受理: the reason the resident will read."""

    step = "decline"
    words = _words(_l("Why? The resident will read this."), "reason", _l("Give a reason."))


class ReopenForm(StepForm):
    """Not done yet: what is still missing."""

    step = "reopen"
    words = _words(_l("What is still missing?"), "reason", _l("Say what is still missing"))


class SuperviseForm(StepForm):
    """督办: a note for the taker."""

    step = "supervise"
    words = StringField(_l("A note for the taker (optional)"), validators=[Length(max=TEXT_LIMIT)], name="note")


STEPS = (AcceptForm, DeclineForm, DispatchForm, ClaimForm, DoneForm, ConfirmForm, ReopenForm, SuperviseForm)
