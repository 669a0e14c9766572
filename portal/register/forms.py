"""Register import forms: the upload, and the confirmation that carries the reviewed file back."""

from __future__ import annotations

import base64
import binascii
import zlib

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import Length, Regexp

from portal.forms import InputRequired


class UploadForm(FlaskForm):
    """上传业主名册: one CSV file."""

    file = FileField(
        _l("Register file (CSV)"),
        validators=[FileRequired(_l("Choose the CSV file of the register."))],
        render_kw={"accept": ".csv,text/csv"},
    )


class ConfirmForm(FlaskForm):
    """确认导入: the file that was reviewed, and the fingerprint of the difference that was shown."""

    content = HiddenField(validators=[InputRequired()])
    digest = HiddenField(validators=[InputRequired(), Length(64, 64), Regexp(r"^[0-9a-f]{64}$")])


def pack(data: bytes) -> str:
    """The file as a hidden-field value: compressed (forms are limited to MAX_FORM_MEMORY_SIZE), URL-safe base64."""
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii")


def unpack(text: str, limit: int) -> bytes | None:
    """The file back from `pack`, or None if the value is damaged or would inflate beyond `limit` bytes."""
    try:
        packed = base64.urlsafe_b64decode(text.encode("ascii"))
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, limit + 1)
    except (binascii.Error, UnicodeEncodeError, ValueError, zlib.error):
        return None
    if len(data) > limit or inflater.unconsumed_tail or not inflater.eof:
        return None
    return data
