"""Compound forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length

from portal.forms import InputRequired


class NoticeForm(FlaskForm):
    """发布公告."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[Length(max=20000)])
    is_public = BooleanField(_l("Visible to the public (not only members)"))
