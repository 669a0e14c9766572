"""Forms of a meeting: preparing, posting and cancelling it, its discussion, quick votes and minutes.

A text that a service also checks is checked here by the same rule (`Text`, after portal.refusals.Refused.text), so
the form says at its field what the service would refuse, in the same sentence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal import labels
from portal.forms import InputRequired
from portal.meetings import discussion, minutes, motions
from portal.meetings.models import Answer, InviteeGroup, MeetingKind, Visibility
from portal.refusals import TEXT_LIMIT, Refused


class Text:
    """A text as a service takes it: trimmed, not blank when `required` (else the sentence of refusal `code`), at
    most `limit` characters (else "too_long")."""

    def __init__(self, limit: int = TEXT_LIMIT, code: str = "empty", required: bool = True) -> None:
        """The service's limit and the refusal code for a blank text."""
        self.limit, self.code, self.required = limit, code, required
        # The widgets write these as the control's `required` and `maxlength`.
        self.field_flags = {"required": True, "maxlength": limit} if required else {"maxlength": limit}

    def __call__(self, form, field) -> None:
        """Refused at the field, in the refusal's own sentence."""
        # Browsers send line breaks as CRLF but count them as one character against maxlength.
        try:
            Refused.text((field.data or "").replace("\r\n", "\n"), self.limit, self.required, self.code)
        except Refused as error:
            raise ValidationError(error.sentence) from None


class MeetingForm(FlaskForm):
    """召集会议: kind, title, window, who is invited, who may read the record, and the agenda."""

    kind = SelectField(
        _l("Kind of meeting"),
        choices=labels.choices(MeetingKind),
    )
    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter the meeting title")), Length(max=200)])
    description = TextAreaField(_l("What the meeting is about"), validators=[Length(max=20000)])
    starts_at = DateTimeLocalField(
        _l("Starts (Beijing time)"), validators=[InputRequired(_l("Enter when the meeting starts"))]
    )
    ends_at = DateTimeLocalField(
        _l("Ends (Beijing time)"), validators=[InputRequired(_l("Enter when the meeting ends"))]
    )
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


class CommentForm(FlaskForm):
    """发言, or its correction within 5 minutes. Shown once per item or comment: the templates give each its id."""

    body = TextAreaField(_l("Your comment"), validators=[Text(discussion.BODY_LIMIT)])


class HideForm(FlaskForm):
    """隐藏发言: the chair's reason, shown to everyone."""

    reason = StringField(
        _l("Reason for hiding (shown to everyone)"), validators=[Text(discussion.REASON_LIMIT, "hide_reason")]
    )


class MotionForm(FlaskForm):
    """发起表决: the motion to be voted on."""

    text = TextAreaField(_l("Motion"), validators=[Text(motions.TEXT_LIMIT, "motion_text")])


class AnswerForm(FlaskForm):
    """表决: the attendee's own answer (the buttons send it)."""

    answer = StringField(validators=[AnyOf([a.value for a in Answer], message=_l("Choose yes, no or abstain."))])


class MinutesForm(FlaskForm):
    """撰写纪要: the secretary's Markdown."""

    body = TextAreaField(
        _l("Text of the minutes"), id="minutes-body", validators=[Text(minutes.MINUTES_LIMIT, "minutes_empty")]
    )


class SignOffForm(FlaskForm):
    """签字确认: confirm or object (the buttons send which), with a comment that an objection needs."""

    decision = StringField(
        id="signoff-decision",
        validators=[AnyOf(["confirm", "object"], message=_l("Choose whether you confirm or object."))],
    )
    comment = TextAreaField(
        _l("Comment (required if you object)"), id="signoff-comment", render_kw={"maxlength": minutes.COMMENT_LIMIT}
    )

    def validate_comment(self, field) -> None:
        """An objection says what is objected to (the service's rule, said at the field)."""
        Text(minutes.COMMENT_LIMIT, "comment", required=self.decision.data == "object")(self, field)


class PublishForm(FlaskForm):
    """公布纪要: the chair's reason when not every attendee has confirmed (the service decides whether it is needed)."""

    reason = StringField(
        _l("Not every attendee has confirmed. Reason for publishing now"),
        id="publish-reason",
        validators=[Text(minutes.REASON_LIMIT, required=False)],
    )


class AddendumForm(FlaskForm):
    """补充说明: a dated correction under published minutes."""

    body = TextAreaField(_l("Correction"), id="addendum-body", validators=[Text()])
