"""What every form shares: the required-field message built from the field's label, and the error summary's list.

A required field says what is missing ("请填写标题" / "Enter title", "请选择类别" / "Choose category"), built here
from its label, so no form repeats the sentence. The error summary at the top of a refused form (the `error_summary`
macro in templates/_macros/forms.html) lists every error with a link to its field, from `error_links`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import g
from flask_babel import gettext as _
from wtforms import validators
from wtforms.fields import Field

# Fields one chooses from rather than types into: "Choose …", not "Enter …".
CHOICE_TYPES = frozenset(
    {"SelectField", "RadioField", "SelectMultipleField", "FileField", "MultipleFileField", "StarsField"}
)
# Fields whose id is on a list (ul) of inputs: the link goes to the first input.
LIST_TYPES = frozenset({"RadioField", "SelectMultipleField"})
# The label's words up to a colon or a bracket: "议程：每行一项" → "议程"; "Owner: number on the roll" → "Owner".
_LABEL_HEAD = re.compile(r"^[^:：(（]+")


def label_words(field: Field) -> str:
    """The field's label as it reads in a sentence: cut at a colon or bracket, its first letter lower case unless
    the word is an acronym (CSV)."""
    text = str(field.label.text or "").strip()
    head = _LABEL_HEAD.match(text)
    words = (head.group(0) if head else text).strip()
    if len(words) > 1 and not words[1].isupper():
        words = words[0].lower() + words[1:]
    return words


def required_message(field: Field) -> str:
    """ "请填写{label}" / "Enter {label}", or "请选择{label}" / "Choose {label}" for a field one chooses from."""
    words = label_words(field)
    if field.type in CHOICE_TYPES:
        return _("Choose %(label)s", label=words)
    return _("Enter %(label)s", label=words)


class InputRequired(validators.InputRequired):
    """wtforms' InputRequired whose default message names the field (a message given still wins)."""

    def __call__(self, form, field) -> None:
        """Refuse an empty field with the message built from its label."""
        try:
            super().__call__(form, field)
        except validators.StopValidation:
            raise validators.StopValidation(self.message or required_message(field)) from None


class DataRequired(validators.DataRequired):
    """wtforms' DataRequired whose default message names the field (a message given still wins)."""

    def __call__(self, form, field) -> None:
        """Refuse an empty field with the message built from its label."""
        try:
            super().__call__(form, field)
        except validators.StopValidation:
            raise validators.StopValidation(self.message or required_message(field)) from None


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary: the message, and the id of the control it links to (None: no link)."""

    message: str
    control: str | None


def _target(field: Field) -> str | None:
    """The id of the control to focus for `field`'s error: its first input for a list of them; none for hidden."""
    if field.type in ("HiddenField", "CSRFTokenField"):
        return None
    if field.type in LIST_TYPES and field.widget.__class__.__name__ == "ListWidget":
        return f"{field.id}-0"
    return field.id


def summary_title() -> str:
    """The error summary's heading (said here: pybabel does not read templates/_macros, as it skips `_` folders)."""
    return _("There is a problem")


def expired_message() -> str:
    """What a form sent with an expired or missing CSRF token says when it is shown again (portal.errors); noted
    on `g`, so that the page is used only where it says so."""
    g.form_again_said = True
    return _("This page was open too long; check and submit again.")


def error_links(*forms, at: str | None = None) -> list[ErrorLink]:
    """Every error of the given forms (None skipped), in the order of their fields, each linking to its control
    (`at`: the one control of a form a page renders by hand under its own id).

    An expired token is said first, in its own words, linking to the form's first control."""
    links: list[ErrorLink] = []
    for form in forms:
        if form is None or not form.errors:
            continue
        fields = list(form)
        first = at or next((t for t in map(_target, fields) if t), None)
        for field in fields:
            if field.type == "CSRFTokenField":
                if field.errors:
                    links.insert(0, ErrorLink(expired_message(), first))
                continue
            target = at or _target(field) or first
            for message in field.errors if isinstance(field.errors, list | tuple) else ():
                links.append(ErrorLink(str(message), target))
        for message in getattr(form, "form_errors", ()):
            links.append(ErrorLink(str(message), first))
    return links
