"""Register import pages (业主名册导入): upload → every bad line, or the difference → confirm → applied.

Nothing is stored between the two steps: the preview carries the file back in a hidden field with the digest
of the difference it showed, and the confirmation applies only if the difference is still that one. Both forms
post to the same address; the confirmation is the one that carries `content`.
"""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.compounds import services as compounds
from portal.htmx import form_status, render
from portal.register import bp, importer, services
from portal.register.forms import ConfirmForm, UploadForm, pack, unpack


@bp.before_request
@login_required
def _staff_only():
    """Like the staff area: visitors log in first, and the pages do not exist for anyone but staff."""
    if not permissions.is_staff(current_user):
        abort(404)


def _compound(slug: str):
    """The compound, if the current person may import its register (else 404/403)."""
    compound = compounds.get_compound(slug)
    permissions.require("import_register", compound, current_user)
    return compound


@bp.route("/", methods=["GET", "POST"])
def upload(slug: str):
    """Upload a register CSV and see its problems or its difference; the confirmation posts here too."""
    compound = _compound(slug)
    confirmation = ConfirmForm()
    if confirmation.content.data:  # only the preview's confirmation carries the reviewed file back
        return _confirm(compound, confirmation)
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(compound, form, status=form_status())
    data = form.file.data.read()
    return _review(compound, data, importer.parse(data))


@bp.route("/template.csv")
def template(slug: str):
    """A CSV template (header and two example rows), with a BOM so that Excel shows the Chinese right."""
    _compound(slug)
    response = make_response(("\ufeff" + importer.TEMPLATE_CSV).encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=owner-register-template.csv"
    return response


def _upload_page(compound, form, errors=(), status: int = 200):
    """The upload form, with the table of problems when there are some."""
    return render("register/upload.html", compound=compound, form=form, errors=errors, status=status)


def _review(compound, data: bytes, parsed, diff=None, conflict: bool = False):
    """Every problem (422, nothing written), or the difference and the notes with a confirm button."""
    if parsed.errors:
        return _upload_page(compound, UploadForm(formdata=None), parsed.errors, status=422)
    diff = diff or services.diff(compound, parsed)
    return render(
        "register/preview.html",
        compound=compound,
        parsed=parsed,
        diff=diff,
        form=ConfirmForm(formdata=None, content=pack(data), digest=diff.digest),
        first=not diff.removed_units and len(diff.added_units) == len(parsed.units),
        conflict=conflict,
        status=409 if conflict else 200,
    )


def _confirm(compound, form: ConfirmForm):
    """Apply the reviewed file if its difference is still the one shown; else show the new difference."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 10 * 1024 * 1024
    data = unpack(form.content.data, limit) if form.validate_on_submit() else None
    if data is None:  # a damaged or incomplete confirmation: the file is asked for again, at its field
        again = UploadForm(formdata=None)
        again.file.errors = [_("The reviewed file did not come back whole. Choose it and upload it again.")]
        return _upload_page(compound, again, status=400)
    parsed = importer.parse(data)
    if parsed.errors:
        return _review(compound, data, parsed)
    diff = services.diff(compound, parsed)
    if diff.digest != form.digest.data:
        return _review(compound, data, parsed, diff, conflict=True)
    if diff.is_empty:
        flash(_("The register is unchanged: nothing was imported."), "info")
    else:
        services.apply(compound, parsed, current_user)
        flash(
            _(
                "Owner register imported: %(units)d units, %(owners)d owners.",
                units=len(parsed.units),
                owners=len(parsed.owners),
            ),
            "info",
        )
    return redirect(url_for("staff.compound", slug=compound.slug), 303)
