"""Forms for preparing, posting and cancelling a meeting (the discussion, votes and minutes use small plain forms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal import labels
from portal.meetings.models import InviteeGroup, MeetingKind, Visibility


class MeetingForm(FlaskForm):
    """召集会议: kind, title, window, who is invited, who may read the record, and the agenda."""

    kind = SelectField(
        _l("Kind of meeting"),
        choices=labels.choices(MeetingKind),
    )
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("What the meeting is about"), validators=[Length(max=20000)])
    starts_at = DateTimeLocalField(_l("Starts (Beijing time)"), validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends (Beijing time)"), validators=[InputRequired()])
    groups = SelectMultipleField(
        _l("Invite"),
        choices=labels.choices(
            [
                InviteeGroup.committee,
                InviteeGroup.property_manager,
                InviteeGroup.staff,
                InviteeGroup.owner,
                InviteeGroup.resident,
                InviteeGroup.volunteer,
            ]
        ),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )
    visibility = SelectField(
        _l("Who may read the record"),
        choices=labels.choices([Visibility.members, Visibility.public, Visibility.invitees]),
    )
    secretary = SelectField(_l("Secretary (writes the minutes)"), choices=[], validators=[Optional()])
    agenda = TextAreaField(_l("Agenda: one item per line"), validators=[InputRequired(), Length(max=5000)])

    def validate_ends_at(self, field) -> None:
        """The window must end after it starts."""
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The meeting must end after it starts."))


class PostForm(FlaskForm):
    """发布议程: the reason for short notice, when there is one."""

    urgent_reason = StringField(_l("Reason for short notice (only if needed)"), validators=[Length(max=500)])


class CancelForm(FlaskForm):
    """取消会议: the reason every invitee will read."""

    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=500)])
