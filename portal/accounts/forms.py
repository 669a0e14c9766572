"""Account forms."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, ValidationError

PHONE = re.compile(r"^1[3-9]\d{9}$")  # mainland mobile numbers


def mobile_phone(form, field) -> None:
    """An 11-digit mainland mobile number, spaces and dashes allowed while typing."""
    if field.data:
        field.data = re.sub(r"[\s-]", "", field.data)
        if not PHONE.match(field.data):
            raise ValidationError(_l("Enter an 11-digit mobile number, e.g. 13812345678."))


class LoginForm(FlaskForm):
    """登录: account number or phone, and password."""

    login = StringField(_l("Account number or phone"), validators=[InputRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


class PasswordFields:
    """The new-password pair, shared by activation and password change."""

    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(min=8, max=200, message=_l("Use at least 8 characters."))],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ActivationForm(PasswordFields, FlaskForm):
    """激活账号: the code from the letter, a password, and an optional phone for logging in."""

    code = StringField(_l("Activation code"), validators=[InputRequired(), Length(max=40)])
    phone = StringField(_l("Mobile phone (optional)"), validators=[Optional(), mobile_phone])


class PasswordChangeForm(PasswordFields, FlaskForm):
    """修改密码."""

    current = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=200)])
