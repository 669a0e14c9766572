"""Forms of the turnout drive: naming a captain, recording a visit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from portal import labels
from portal.drive.models import NOTE_MAX, VisitOutcome
from portal.forms import InputRequired

NOT_A_CHOICE = _l("Not a valid choice.")  # for values only a tampered request sends: said without quoting them


class CaptainForm(FlaskForm):
    """任命楼栋长/单元长: who (account number or login phone), where (a building, or one entrance of it), confirmed."""

    person = StringField(_l("Account number or login phone"), validators=[InputRequired(), Length(max=40)])
    place = SelectField(_l("Building or entrance"), invalid_choice_message=NOT_A_CHOICE)
    confirm = BooleanField(_l("I confirm: this person will see the names and phones of the owners who have not voted"))

    def __init__(self, places, *args, **kwargs) -> None:
        """`places`: (building, entrances) of the compound; a building is "b<id>", an entrance "e<id>"."""
        super().__init__(*args, **kwargs)
        choices = []
        for building, entrances in places:
            choices.append(SelectChoice(f"b{building.id}", _l("%(building)s (whole building)", building=building.name)))
            choices += [SelectChoice(f"e{e.id}", f"{building.name} {e.name}") for e in entrances]
        self.place.choices = choices


class VisitForm(FlaskForm):
    """走访: the outcome (one button each) and an optional short note."""

    outcome = SelectField(
        _l("Outcome"), choices=labels.choices(list(VisitOutcome)), invalid_choice_message=NOT_A_CHOICE
    )
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)])


class RemoveCaptainForm(FlaskForm):
    """End a captaincy (the CSRF token alone)."""
