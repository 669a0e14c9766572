"""Forms of the three lists: a resource, claiming a need, matching it to a resource, a project, its updates, its
completion and its cancellation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.boards.forms import category_choices, category_required
from portal.forms import InputRequired


def _organisation_choices(organisations) -> list[SelectChoice]:
    return [SelectChoice(str(o.id), o.name) for o in organisations]


class ResourceForm(FlaskForm):
    """资源: what an organisation offers, to this compound or to the whole community, and how much of it."""

    organisation = SelectField(_l("Offered by"), choices=[])
    category = SelectField(_l("Category"), choices=[], validators=[category_required()])
    title = StringField(_l("What is offered"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Details: when, where, for whom, how to ask for it"), validators=[Length(max=5000)])
    capacity = StringField(_l("How much (e.g. twice a month, 20 people each time)"), validators=[Length(max=100)])
    community_wide = BooleanField(_l("For every compound of the community"))

    def __init__(self, *args, organisations=(), **kwargs) -> None:
        """Choices: the organisations the person acts for, and the shared categories."""
        super().__init__(*args, **kwargs)
        self.organisation.choices = _organisation_choices(organisations)
        self.category.choices = category_choices()


class ClaimForm(FlaskForm):
    """认领: the organisation that takes the need on, and a word to the requester."""

    organisation = SelectField(_l("Claim for"), choices=[])
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, organisations=(), **kwargs) -> None:
        """Choices: the organisations the person may claim for."""
        super().__init__(*args, **kwargs)
        self.organisation.choices = _organisation_choices(organisations)


class MatchForm(FlaskForm):
    """资源对接: the offered resource that meets the need, the project's title and a note."""

    resource = SelectField(_l("Resource"), choices=[])
    title = StringField(_l("Project title (optional)"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("Note to the requester and the organisation (optional)"), validators=[Length(max=5000)])

    def __init__(self, *args, resources=(), **kwargs) -> None:
        """Choices: the resources offered to the need's compound."""
        super().__init__(*args, **kwargs)
        self.resource.choices = [SelectChoice(str(r.id), f"{r.title} · {r.organisation.name}") for r in resources]


class ProjectForm(FlaskForm):
    """项目: set up by staff, optionally for a need and with a resource (whose organisation then carries it out)."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("What will be done"), validators=[Length(max=5000)])
    organisation = SelectField(_l("Carried out by"), choices=[], validators=[Optional()])
    need = SelectField(_l("For the need"), choices=[], validators=[Optional()])
    resource = SelectField(_l("Using the resource"), choices=[], validators=[Optional()])

    def __init__(self, *args, organisations=(), needs=(), resources=(), **kwargs) -> None:
        """Choices: the serving organisations, the needs still waiting for a taker, the offered resources."""
        super().__init__(*args, **kwargs)
        self.organisation.choices = [SelectChoice("", _l("Nobody yet"))] + _organisation_choices(organisations)
        self.need.choices = [SelectChoice("", _l("No particular need"))] + [
            SelectChoice(str(n.id), f"#{n.id} {n.title}") for n in needs
        ]
        self.resource.choices = [SelectChoice("", _l("No resource"))] + [
            SelectChoice(str(r.id), f"{r.title} · {r.organisation.name}") for r in resources
        ]


class UpdateForm(FlaskForm):
    """A dated progress update on a project, with up to 6 photos."""

    body = TextAreaField(_l("What has been done"), validators=[InputRequired(), Length(max=5000)])
    photos = MultipleFileField(_l("Photos (JPEG or PNG, at most 6)"))


class CompleteForm(FlaskForm):
    """完成: what was done, shown on the project (and to the resident whose request it was)."""

    note = TextAreaField(_l("What was done"), validators=[InputRequired(), Length(max=5000)])


class CancelForm(FlaskForm):
    """取消: the reason shown on the project."""

    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=5000)])
