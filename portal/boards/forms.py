"""Forms of the board: organisations and members (staff), pledges, progress, fulfilment and withdrawal (those who
pledge), ratings (residents); and what the small forms of the board, requests and projects share (StepForm, stars)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    MultipleFileField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, ValidationError

from portal import labels
from portal.boards import rules
from portal.boards.models import Category, OrgKind
from portal.boards.services import COMMENT_LIMIT
from portal.forms import InputRequired
from portal.refusals import TEXT_LIMIT, sentence


def kind_choices() -> list[SelectChoice]:
    """Kinds of organisation, in the order people think of them."""
    return labels.choices(OrgKind)


def category_choices() -> list[SelectChoice]:
    """Categories shared by pledges, requests and resources; none chosen for the writer (no default category)."""
    return [SelectChoice("", _l("Choose a category")), *labels.choices(Category)]


def category_required() -> InputRequired:
    """The category is chosen, never left to a default."""
    return InputRequired(message=_l("Choose a category."))


class OrganisationForm(FlaskForm):
    """An organisation serving the community or one compound: 亮身份 (name, kind), 亮职责 (duty), contact."""

    kind = SelectField(_l("Kind"), choices=[])
    name = StringField(_l("Name of the organisation"), validators=[InputRequired(), Length(max=100)])
    duty = TextAreaField(_l("What it is responsible for"), validators=[Length(max=5000)])
    contact = StringField(_l("Public contact (office phone or address)"), validators=[Length(max=100)])
    compound = SelectField(_l("Serves"), choices=[], validators=[Optional()])

    def __init__(self, *args, compounds=(), **kwargs) -> None:
        """Choices: the kinds, and the whole community or one of its compounds."""
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()
        self.compound.choices = [SelectChoice("", _l("Every compound of the community"))] + [
            SelectChoice(str(c.id), c.name) for c in compounds
        ]


class MemberForm(FlaskForm):
    """Add a person who acts for the organisation, found by account number or phone."""

    login = StringField(_l("Account number or phone"), validators=[InputRequired(), Length(max=40)])
    title = StringField(_l("Title (e.g. secretary, project manager, Party member)"), validators=[Length(max=60)])
    is_lead = BooleanField(_l("Leads the organisation"))


class CommitmentForm(FlaskForm):
    """承诺: who pledges, what exactly will be done (measurable), category, due date, where it applies."""

    pledger = SelectField(_l("Pledge as"), choices=[])
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    target = TextAreaField(
        _l("What exactly will be done (a target anyone can check)"), validators=[InputRequired(), Length(max=5000)]
    )
    category = SelectField(_l("Category"), choices=[], validators=[category_required()])
    due_on = DateField(_l("Due date"), validators=[InputRequired()])
    community_wide = BooleanField(_l("For every compound of the community"))

    def __init__(self, *args, organisations=(), own_name=False, **kwargs) -> None:
        """Choices: the organisations the person may pledge for, and their own name where allowed."""
        super().__init__(*args, **kwargs)
        self.pledger.choices = [SelectChoice(f"org-{o.id}", o.name) for o in organisations]
        if own_name:
            self.pledger.choices.append(SelectChoice("self", _l("Myself, in my own name")))
        self.category.choices = category_choices()


class StepForm(FlaskForm):
    """One of several small forms on one page: its fields' ids start with `step` (the names stay those posted, e.g.
    `note`), so each label, error and aria-describedby points into its own form."""

    step = ""

    def __init__(self, *args, **kwargs) -> None:
        """Give each field its id within the page."""
        super().__init__(*args, **kwargs)
        for field in self:
            field.id = f"{self.step}-{field.name}"


def page_forms(blank: Iterable[StepForm], posted: StepForm | None) -> dict[str, StepForm]:
    """A page's small forms by step: `blank` ones, but the one `posted` as it was typed, with its errors."""
    forms = {form.step: form for form in blank}
    if posted is not None:
        forms[posted.step] = posted
    return forms


class StarsField(Field):
    """1 to 5 stars, read by the board's one parser (rules.stars_typed): None for nothing or not a number."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """The number chosen."""
        self.data = rules.stars_typed(valuelist[0] if valuelist else None)


def stars_chosen(form, field) -> None:
    """A validator: a whole number of stars from 1 to 5, else the refusal's own sentence."""
    if not rules.valid_stars(field.data):
        raise ValidationError(sentence("stars"))


class ProgressForm(StepForm):
    """A dated progress update, with up to 6 photos."""

    step = "progress"
    body = TextAreaField(_l("What has been done"), validators=[InputRequired(), Length(max=5000)])
    photos = MultipleFileField(_l("Photos (JPEG or PNG, at most 6)"))


class FulfilForm(StepForm):
    """践诺: what was done."""

    step = "fulfil"
    words = TextAreaField(_l("What was done"), validators=[InputRequired(), Length(max=TEXT_LIMIT)], name="note")


class WithdrawForm(StepForm):
    """Withdrawing a pledge: the reason everyone will read."""

    step = "withdraw"
    words = TextAreaField(
        _l("Reason (everyone will read it)"), validators=[InputRequired(), Length(max=TEXT_LIMIT)], name="reason"
    )


class RatingForm(StepForm):
    """评价: 1–5 stars and an optional comment."""

    step = "rating"
    stars = StarsField(_l("Your rating"), validators=[stars_chosen])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Length(max=COMMENT_LIMIT)])
