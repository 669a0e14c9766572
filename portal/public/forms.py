"""The language switch."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField


class LanguageForm(FlaskForm):
    """切换语言: one button per language; `next` is the page to return to (followed only if it is ours)."""

    lang = SelectField(choices=[])
    next = HiddenField()

    def __init__(self, *args, locales=(), **kwargs) -> None:
        """Choices: the portal's languages."""
        super().__init__(*args, **kwargs)
        self.lang.choices = [SelectChoice(locale, locale) for locale in locales]
