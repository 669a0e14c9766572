"""The language and text-size switches."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField

from portal.i18n import TEXT_SIZES


class LanguageForm(FlaskForm):
    """切换语言: one button per language; `next` is the page to return to (followed only if it is ours)."""

    lang = SelectField(choices=[])
    next = HiddenField()

    def __init__(self, *args, locales=(), **kwargs) -> None:
        """Choices: the portal's languages."""
        super().__init__(*args, **kwargs)
        self.lang.choices = [SelectChoice(locale, locale) for locale in locales]


class TextSizeForm(FlaskForm):
    """大字 / 标准字: one button for the other size; `next` is the page to return to (followed only if it is ours)."""

    text = SelectField(choices=[SelectChoice(size, size) for size in TEXT_SIZES])
    next = HiddenField()
