"""The administrator's forms: a community, and community staff (an existing account or a new one)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from portal.forms import InputRequired

# An account number (登录账号) typed by an administrator: the demo's `admin`, a generated `12345678`, `zhou.min`.
ACCOUNT_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,39}$")
ACCOUNT_RULE = _l("Use 3–40 letters, digits, dots, dashes or underscores, starting with a letter or digit.")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class CommunityForm(FlaskForm):
    """新建社区."""

    name = StringField(_l("Community name"), validators=[InputRequired(), Length(max=100)], filters=[_strip])

    def validate_name(self, field) -> None:
        """Community names are unique: staff and compounds are filed under them."""
        from portal.admin.services import community_name_taken

        if community_name_taken(field.data):
            raise ValidationError(_l("A community of this name exists already."))


class AddStaffForm(FlaskForm):
    """添加社区工作人员: someone who already has an account."""

    login = StringField(_l("Account number or phone"), validators=[InputRequired(), Length(max=40)], filters=[_strip])


class NewStaffForm(FlaskForm):
    """新建社区工作人员账号: a name, and an account number (generated when left empty)."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=100)], filters=[_strip])
    account_no = StringField(
        _l("Account number (optional)"),
        validators=[Optional(), Regexp(ACCOUNT_NO, message=ACCOUNT_RULE)],
        filters=[_strip],
    )

    def validate_account_no(self, field) -> None:
        """Nobody may log in with it already, as an account number or a phone."""
        from portal.accounts.services import find_login

        if field.data and find_login(field.data) is not None:
            raise ValidationError(_l("This account number is taken."))
