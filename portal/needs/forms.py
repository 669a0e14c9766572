"""The form a resident fills to post a request or micro-wish. The steps after it (accept, dispatch, claim, done,
confirm, reopen, 督办) are small plain forms read in the views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.boards.forms import category_choices
from portal.needs.services import TITLE_LIMIT
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
        validators=[InputRequired()],
    )
    category = SelectField(_l("Category"), choices=[])
    title = StringField(_l("In a few words"), validators=[InputRequired(), Length(max=TITLE_LIMIT)])
    description = TextAreaField(
        _l("What exactly do you need? When and where?"), validators=[InputRequired(), Length(max=TEXT_LIMIT)]
    )
    photos = MultipleFileField(_l("Photos (JPEG or PNG, optional)"))
    is_public = BooleanField(_l("It may be shown publicly on the compound's list of requests"), default=False)

    def __init__(self, *args, **kwargs) -> None:
        """Categories are shared with the board and the three lists."""
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices()
