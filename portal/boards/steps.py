"""One way to take a step that a small form asks for (fulfil a pledge, decline a request, complete a project...),
shared by the board, the requests and the three lists: the form's plain values go to a service; what it refuses is
shown at the field it is about, with what was typed, on the same page (400, or 409 when the thing changed meanwhile);
done, the view redirects (POST → 303 → GET)."""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field

from portal import uploads
from portal.boards import photos
from portal.refusals import Refused


def submit(form: FlaskForm, field: Field, step: Callable[[], object], done: Callable[[], Response], again) -> Response:
    """Take `step` once `form` validates and answer `done()`; else `again(status)`, the page with `form` as typed and
    the error at its field: the service's refusal at `field`, a refused photo at the form's `photos`."""
    status = 400
    if form.validate_on_submit():
        try:
            step()
        except uploads.UploadError as error:
            form.photos.errors = [*form.photos.errors, error.message]
        except Refused as error:
            field.errors = [*field.errors, error.sentence]
            status = 409 if error.code == "changed" else 400
        else:
            return done()
    return again(status)


def progress_step(form: FlaskForm, add: Callable[[str, list[uploads.Upload]], object]) -> Callable[[], None]:
    """The step of a progress form (a pledge's, a project's): every photo is checked first, then `add(body, photos)`
    stores the update; a refused photo stores nothing."""

    def step() -> None:
        add(form.body.data, photos.check_all(request.files.getlist(form.photos.name)))

    return step
