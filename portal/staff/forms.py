"""Staff forms."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from portal import labels
from portal.accounts.forms import mobile_phone
from portal.roles.models import Role

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")


class CompoundForm(FlaskForm):
    """新建小区."""

    name = StringField(_l("Compound name"), validators=[InputRequired(), Length(max=100)])
    slug = StringField(
        _l("Web address name"),
        validators=[
            InputRequired(),
            Regexp(SLUG, message=_l("3–40 lower-case letters, digits and dashes, e.g. lvyuan-garden.")),
        ],
    )
    community_id = SelectField(_l("Community"), coerce=int)

    def validate_slug(self, field) -> None:
        from portal.compounds.services import slug_taken

        if slug_taken(field.data):
            raise ValidationError(_l("Another compound already uses this name."))


class InviteForm(FlaskForm):
    """邀请住户/工作人员: a person who is not in the register, invited with a code."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=100)])
    phone = StringField(_l("Mobile phone (optional)"), validators=[Optional(), mobile_phone])
    role = SelectField(
        _l("Role"),
        choices=labels.choices([Role.resident, Role.property_manager, Role.volunteer, Role.committee]),
    )
