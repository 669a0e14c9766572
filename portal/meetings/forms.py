"""Forms for preparing a meeting (the discussion, votes and minutes use small plain forms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class MeetingForm(FlaskForm):
    """召集会议: kind, title, window, who is invited, who may read the record, and the agenda."""

    kind = SelectField(
        _l("Kind of meeting"),
        choices=[
            SelectChoice("committee", _l("Owners' committee meeting (业委会会议)")),
            SelectChoice("joint", _l("Three-party joint meeting (三方联席会议)")),
            SelectChoice("council", _l("Residents' council (居民议事会)")),
            SelectChoice("representatives", _l("Owners' representatives meeting (业主代表会议)")),
        ],
    )
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("What the meeting is about"), validators=[Length(max=20000)])
    starts_at = DateTimeLocalField(_l("Starts (Beijing time)"), validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends (Beijing time)"), validators=[InputRequired()])
    groups = SelectMultipleField(
        _l("Invite"),
        choices=[
            SelectChoice("committee", _l("Owners' committee members")),
            SelectChoice("property_manager", _l("The property company")),
            SelectChoice("staff", _l("Community staff and Party organisation")),
            SelectChoice("owner", _l("All owners")),
            SelectChoice("resident", _l("All residents")),
            SelectChoice("volunteer", _l("Volunteers")),
        ],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )
    visibility = SelectField(
        _l("Who may read the record"),
        choices=[
            SelectChoice("members", _l("Members of the compound")),
            SelectChoice("public", _l("Everyone (public)")),
            SelectChoice("invitees", _l("Only the invitees")),
        ],
    )
    secretary = SelectField(_l("Secretary (writes the minutes)"), choices=[], validators=[Optional()])
    agenda = TextAreaField(_l("Agenda: one item per line"), validators=[InputRequired(), Length(max=5000)])

    def validate_ends_at(self, field) -> None:
        """The window must end after it starts."""
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The meeting must end after it starts."))
