"""Result pages: the result, the printable notice, the published receipts, the exports, and objections (异议).

Results are shown by the same rule everywhere (`access.can_see_results`): to members once posted, to those who run
the vote from its close; never before. Anything else answers 404, as if there were nothing to see yet.
"""

from __future__ import annotations

import json

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.htmx import render
from portal.refusals import Refused
from portal.voting import access, box, bp, disclosure, export, loading, objections, wording
from portal.voting import results as counting
from portal.voting.forms import ObjectionAnswerForm, ObjectionForm
from portal.voting.models import VoteStatus


def _visible(slug: str, vote_id: int):
    """(compound, vote) when its results may be shown to this person; 404 otherwise."""
    compound, vote = loading.load(slug, vote_id)
    if not access.can_see_results(current_user, vote):
        abort(404)
    return compound, vote


def _page_context(compound, vote, staff_view: bool = False) -> dict:
    """What the result page and the notice share (the notice is public: staff extras only on the page)."""
    r = counting.compute(vote)
    return {
        "compound": compound,
        "vote": vote,
        "r": r,
        "disclosures": disclosure.revealing(r),
        "units": export.unit_rows(vote, for_staff=staff_view),
        "staff_view": staff_view,
        "w": wording,
        "deadline": objections.deadline(vote),
        "objection_count": len(objections.of(vote)),
    }


@bp.route("/<int:vote_id>/results")
def results(slug: str, vote_id: int):
    """表决结果: the outcome first, then every item's counts and shares, the threshold and why it passed or not."""
    compound, vote = _visible(slug, vote_id)
    staff_view = access.can_certify(current_user, vote)
    return render("voting/results.html", **_page_context(compound, vote, staff_view=staff_view))


@bp.route("/<int:vote_id>/notice")
def notice(slug: str, vote_id: int):
    """The printable A4 notice: 初步结果公示 (preliminary, with the objection deadline) or 最终结果公告 (final)."""
    compound, vote = _visible(slug, vote_id)
    return render("voting/notice.html", title=notice_title(vote), **_page_context(compound, vote))


@bp.route("/<int:vote_id>/receipts")
def receipts(slug: str, vote_id: int):
    """回执清单: the sealed box's receipt codes, sorted: every voter finds the code their receipt shows."""
    compound, vote = _visible(slug, vote_id)
    if vote.digest is None:
        abort(404)
    return render("voting/receipts.html", compound=compound, vote=vote, codes=box.receipt_codes(vote))


@bp.route("/<int:vote_id>/results.json")
def results_json(slug: str, vote_id: int):
    """results.json: the result in the issue's fixed shape."""
    _compound, vote = _visible(slug, vote_id)
    body = json.dumps(export.results_json(counting.compute(vote)), ensure_ascii=False, indent=2)
    response = make_response(body)
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = f'inline; filename="vote-{vote.id}-results.json"'
    return response


@bp.route("/<int:vote_id>/results.csv")
def results_csv(slug: str, vote_id: int):
    """The result as CSV (UTF-8 with a BOM), one row per item, candidate or option."""
    _compound, vote = _visible(slug, vote_id)
    response = make_response(export.results_csv(counting.compute(vote)).encode("utf-8"))
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="vote-{vote.id}-results.csv"'
    return response


def _objections_page(compound, vote, status: int = 200, answered: int | None = None, **forms):
    """The objections page; a refused objection, or the answer to objection `answered`, shown again at its field."""
    certify = access.can_certify(current_user, vote)
    forms.setdefault("form", ObjectionForm(formdata=None))
    forms.setdefault("answer_form", ObjectionAnswerForm(formdata=None))
    return render(
        "voting/objections.html",
        compound=compound,
        vote=vote,
        objections=objections.of(vote),
        deadline=objections.deadline(vote),
        period_open=objections.period_open(vote),
        may_file=objections.may_file(vote, current_user),
        certify=certify,
        show_names=certify,
        answered=answered,
        max_length=objections.TEXT_MAX,
        status=status,
        **forms,
    )


def _objection_step(form, field, act) -> int | None:
    """Validate `form`, then `act()`: None once done, else the status to show the page again with, the error at
    `field`: 400 for what was typed, 409 when the period or the objection's state refuses (403: no voting right)."""
    if not form.validate_on_submit():
        return 400
    try:
        act()
    except Refused as error:
        if error.code == "no_right":
            abort(403)
        field.errors = [error.sentence]
        return 409
    return None


@bp.route("/<int:vote_id>/objections", methods=["GET", "POST"])
def objections_page(slug: str, vote_id: int):
    """异议: owners object to the preliminary result until the deadline; members read objections and answers."""
    compound, vote = _visible(slug, vote_id)
    if request.method == "GET":
        return _objections_page(compound, vote)
    form = ObjectionForm()
    status = _objection_step(form, form.text, lambda: objections.file(vote, current_user, form.text.data))
    if status is None:
        flash(_("Your objection is filed. Community staff will answer it here."), "info")
        return redirect(url_for("voting.objections_page", slug=slug, vote_id=vote.id) + "#objections", 303)
    return _objections_page(compound, vote, status=status, form=form)


@bp.route("/<int:vote_id>/objections/<int:objection_id>/answer", methods=["POST"])
@login_required
def answer_objection(slug: str, vote_id: int, objection_id: int):
    """Staff answer one objection (答复); the answer is published with it."""
    compound, vote = _visible(slug, vote_id)
    permissions.require(access.can_certify(current_user, vote), compound, current_user, shown=True)
    objection = objections.get(vote, objection_id)
    if objection is None:
        abort(404)
    form = ObjectionAnswerForm()
    form.answer.id = f"answer-{objection.id}"  # the page holds one answer box per objection
    status = _objection_step(form, form.answer, lambda: objections.answer(objection, current_user, form.answer.data))
    if status is None:
        flash(_("The answer is published."), "info")
        anchor = f"#objection-{objection.id}"
        return redirect(url_for("voting.objections_page", slug=slug, vote_id=vote.id) + anchor, 303)
    return _objections_page(compound, vote, status=status, answered=objection.id, answer_form=form)


def notice_title(vote) -> str:
    """The notice's heading by status: 初步结果公示, 最终结果公告, or a draft count before posting."""
    if vote.status == VoteStatus.preliminary:
        return _("Preliminary result notice")
    if vote.status in (VoteStatus.final, VoteStatus.archived):
        return _("Final result notice")
    return _("Result count (not posted yet)")
