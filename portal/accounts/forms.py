"""Account forms."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, Length, Optional, ValidationError

from portal.accounts import passwords
from portal.forms import InputRequired

PHONE = re.compile(r"^1[3-9]\d{9}$")  # mainland mobile numbers


def mobile_phone(form, field) -> None:
    """An 11-digit mainland mobile number, spaces and dashes allowed while typing."""
    if field.data:
        field.data = re.sub(r"[\s-]", "", field.data)
        if not PHONE.match(field.data):
            raise ValidationError(_l("Enter an 11-digit mobile number, e.g. 13812345678."))


class LogoutForm(FlaskForm):
    """退出登录: the header's button, its token checked here too (a run without one must log nobody out)."""


class LoginForm(FlaskForm):
    """登录: account number or phone, and password."""

    login = StringField(_l("Account number or phone"), validators=[InputRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    # Ticked by default: most owners log in on their own phone inside WeChat, whose browser forgets the session
    # cookie whenever WeChat is closed; on a shared computer they untick it.
    remember = BooleanField(_l("Stay logged in on this device for 30 days"), default=True)


class PasswordFields:
    """The new-password pair, shared by activation, password change and `portal create-admin`.

    `own` holds the person's account number and phone, set by the caller before validating: neither may be the
    password (nor may the phone typed in the same form).
    """

    own: tuple[str | None, ...] = ()

    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(min=8, max=200, message=_l("Use at least 8 characters."))],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(_l("Enter the password again")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )

    def validate_password(self, field) -> None:
        """Refuse the person's own account number or phone and the 10,000 most common passwords."""
        if field.errors or not field.data:
            return  # one message at a time: "too short" says enough
        typed_phone = getattr(getattr(self, "phone", None), "data", None)
        if passwords.is_own_identifier(field.data, (*self.own, typed_phone)):
            raise ValidationError(_l("Do not use your account number or phone number as your password."))
        if passwords.is_common(field.data):
            raise ValidationError(_l("This password is one of the most common ones and easy to guess: choose another."))


class CodeForm(FlaskForm):
    """激活账号, first step: only the code from the letter."""

    code = StringField(_l("Activation code"), validators=[InputRequired(), Length(max=40)])


class ActivationForm(PasswordFields, FlaskForm):
    """激活账号, second step (a usable code only): a password, and an optional phone for logging in."""

    code = HiddenField(validators=[InputRequired(), Length(max=40)])
    phone = StringField(_l("Mobile phone (optional)"), validators=[Optional(), mobile_phone])


class PasswordChangeForm(PasswordFields, FlaskForm):
    """修改密码."""

    current = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=200)])
