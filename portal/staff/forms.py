"""Staff forms: a new compound, an invitation, a person's roles, letters to print, revoking a code."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from portal import labels
from portal.accounts.forms import mobile_phone
from portal.forms import InputRequired
from portal.refusals import sentence
from portal.roles.models import CommitteePost, Role
from portal.roles.services import MANAGED_ROLES

NOT_A_CHOICE = _l("Not a valid choice.")  # for values only a tampered request sends: said without quoting them
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


class RoleForm(FlaskForm):
    """One role chip of a person's row (give or take the role, giving confirmed), or the committee post chosen beside
    it."""

    role = SelectField(_l("Role"), choices=labels.choices(MANAGED_ROLES), invalid_choice_message=NOT_A_CHOICE)
    action = SelectField(
        choices=[SelectChoice("grant", "grant"), SelectChoice("remove", "remove")],
        default="grant",
        invalid_choice_message=NOT_A_CHOICE,
    )
    post = SelectField(
        _l("Post"), choices=labels.choices(CommitteePost), validators=[Optional()], invalid_choice_message=NOT_A_CHOICE
    )
    # Giving a role the person lacks needs this ticked (views.set_role): a chip is one tap, a role is power.
    confirm = BooleanField(_l("I have checked who this is, and I give them this role."))


class LettersForm(FlaskForm):
    """印发激活信: the people ticked on the page, or (scope) everyone not yet activated, in one building or in all."""

    scope = SelectField(
        choices=[SelectChoice("chosen", "chosen"), SelectChoice("all_inactive", "all_inactive")],
        default="chosen",
        invalid_choice_message=NOT_A_CHOICE,
    )
    # Checked in validate_person_id: the field's own message would quote what was sent.
    person_id = SelectMultipleField(choices=[], validate_choice=False)
    building = SelectField(
        _l("Building"), choices=[], validators=[Optional()], invalid_choice_message=NOT_A_CHOICE, id="letters-building"
    )

    def __init__(self, *args, members=None, buildings=(), **kwargs) -> None:
        """`members(ids)`: those of the ids who belong to the compound; `buildings`: its buildings (id, name)."""
        super().__init__(*args, **kwargs)
        self._members = members
        self.building.choices = [SelectChoice("", _l("all buildings"))] + [
            SelectChoice(str(b.id), b.name) for b in buildings
        ]

    def validate_person_id(self, field) -> None:
        """Someone ticked (unless everyone not yet activated is asked for), and only people of the compound."""
        if self.scope.data != "all_inactive" and not field.data:
            raise ValidationError(sentence("no_choice"))
        values = field.data or ()
        if not all(value.isdigit() and len(value) <= 18 for value in values):
            raise ValidationError(NOT_A_CHOICE)
        ids = [int(value) for value in values]
        if self._members is not None and not self._members(ids).issuperset(ids):
            raise ValidationError(NOT_A_CHOICE)

    def chosen(self) -> list[int]:
        """The people ticked (each one of the compound's, once the form is valid)."""
        return [int(value) for value in self.person_id.data or ()]

    def building_id(self) -> int | None:
        """The building chosen for "everyone not yet activated", or None for all."""
        return int(self.building.data) if self.building.data else None


class BackForm(FlaskForm):
    """A button that acts and returns to the page it was pressed on (`next`, followed only if it is ours)."""

    next = HiddenField()
