"""Pages of requests and micro-wishes: the lists (public, mine, to claim, taken, all for staff), posting one, one
request with its timeline and the forms for whoever may act on it, and its photos.

Every step is a plain POST answered with 303; a refused one shows the page again (400) with the error beside its
form. The list's filters are a GET form that htmx submits in place (the list is swapped, the URL pushed).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions, uploads
from portal.boards import photos, steps
from portal.boards.forms import StepForm, page_forms
from portal.boards.models import Category, Organisation
from portal.compounds.models import Compound
from portal.compounds.services import get_compound
from portal.extensions import db
from portal.htmx import form_page, render, wants_partial
from portal.inputs import db_int
from portal.needs import access, bp, services
from portal.needs.forms import (
    STEPS,
    AcceptForm,
    ClaimForm,
    ConfirmForm,
    DeclineForm,
    DispatchForm,
    DoneForm,
    NeedForm,
    ReopenForm,
    SuperviseForm,
)
from portal.needs.models import Need, NeedKind, NeedStatus
from portal.refusals import Refused
from portal.register.services import rooms_of

# The lists


@bp.route("/")
def index(slug: str):
    """需求清单: public requests for everyone; one's own, those to claim, those taken, and all of them for staff."""
    compound = get_compound(slug)
    permissions.require("view_board", compound, current_user)
    views = services.views_for(current_user, compound)
    filters = services.Filters.from_args(request.args, views)
    page = services.listing(compound, current_user, filters)
    context = {
        "compound": compound,
        "filters": filters,
        "listing": page,
        "staff_view": filters.view == "all",
        "flagged_ids": {n.id for n in page.needs if services.is_flagged(n)} if filters.view == "all" else set(),
    }
    if not wants_partial():
        context.update(
            views=views,
            counts=services.counts(compound) if filters.view == "all" else None,
            can_post=permissions.may(current_user, "take_part", compound),
            categories=list(Category),
            kinds=list(NeedKind),
            statuses=list(NeedStatus) if filters.view != "public" else sorted(access.PUBLIC_STATES, key=_order),
        )
    return render("needs/index.html", partial="needs/_list.html", **context)


def _order(status: NeedStatus) -> int:
    return list(NeedStatus).index(status)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """群众点单: a resident posts a request or micro-wish (photos are checked before anything is stored)."""
    compound = get_compound(slug)
    permissions.require("take_part", compound, current_user)
    form = NeedForm()
    if form.validate_on_submit():
        try:
            checked = photos.check_all(request.files.getlist(form.photos.name))
        except uploads.UploadError as error:
            form.photos.errors = [*form.photos.errors, error.message]
        else:
            try:
                need = services.post(
                    compound,
                    current_user,
                    kind=NeedKind(form.kind.data),
                    category=Category(form.category.data),
                    title=form.title.data,
                    description=form.description.data,
                    is_public=form.is_public.data,
                    checked=checked,
                )
            except Refused as error:
                field = form.title if error.code == "need_title" else form.description
                field.errors = [*field.errors, error.sentence]
            else:
                flash(_("Sent. The community will look at it soon; you will be told at each step."), "success")
                return redirect(url_for("needs.show", slug=slug, need_id=need.id), 303)
    return form_page("needs/new.html", compound=compound, form=form)


# One request


@bp.route("/<int:need_id>")
def show(slug: str, need_id: int):
    """One request: what is asked, its status, its timeline, and the forms for whoever may act now."""
    compound, need = access.load(slug, need_id, current_user)
    return _page(compound, need)


def _page(compound: Compound, need: Need, status: int = 200, posted: StepForm | None = None):
    """The request's page with the forms for whoever may act now; a refused one (`posted`) as typed, its error at
    the field."""
    forms = page_forms((form(formdata=None) for form in STEPS), posted)
    names = access.sees_name(current_user, need)
    may_dispatch = access.can_accept(current_user, need) or access.can_dispatch(current_user, need)
    claim_orgs, claim_self = access.claim_choices(current_user, need)
    pictures = services.photos_of(need) if names else []
    return render(
        "needs/show.html",
        compound=compound,
        need=need,
        names=names,
        events=services.timeline(need),
        rooms=rooms_of(compound, need.requester) if names else [],
        asked_photos=[p for p in pictures if p.uploaded_by_id == need.requester_id],
        done_photos=[p for p in pictures if p.uploaded_by_id != need.requester_id],
        hidden_photos=0 if names else len(need.photos),
        flagged=access.is_staff(current_user, compound) and services.is_flagged(need),
        days=services.supervision_days(),
        can_accept=access.can_accept(current_user, need),
        can_dispatch=access.can_dispatch(current_user, need),
        can_supervise=access.can_supervise(current_user, need),
        can_mark_done=access.can_mark_done(current_user, need),
        can_answer=access.can_answer(current_user, need),
        claim_orgs=claim_orgs,
        claim_self=claim_self,
        dispatch_orgs=access.serving(compound) if may_dispatch else [],
        dispatch_people=services.volunteers(compound) if may_dispatch else [],
        is_requester=access.is_requester(current_user, need),
        forms=forms,
        status=status,
    )


def _acting(slug: str, need_id: int, rule) -> tuple[Compound, Need]:
    """The request, once `rule` lets the person act on it (403: they may have seen its page)."""
    compound, need = access.load(slug, need_id, current_user)
    permissions.require(rule(current_user, need), compound, current_user, shown=True)
    return compound, need


def _submit(compound: Compound, need: Need, form: StepForm, field, step, success: str):
    """Take `step` with the form's values: done (303 to the request), or the page again with the error at `field`
    (a request changed meanwhile is shown as it is now: 409)."""

    def done():
        flash(success, "success")
        return redirect(url_for("needs.show", slug=compound.slug, need_id=need.id), 303)

    return steps.submit(form, field, step, done, lambda status: _page(compound, need, status, form))


def _taker(compound: Compound, value: str, required: bool) -> tuple[Organisation | None, object | None]:
    """The organisation or volunteer chosen in a dispatch form ("org-3", "person-7"); (None, None) for no choice
    where none is `required`; Refused("taker") for one that cannot take it."""
    from portal.accounts.models import Person

    kind, _sep, text = value.partition("-")
    number = db_int(text)
    if kind == "org" and number is not None:
        org = db.session.get(Organisation, number)
        if org is not None and any(o.id == org.id for o in access.serving(compound)):
            return org, None
    if kind == "person" and number is not None:
        person = db.session.get(Person, number)
        if person is not None and services.may_take(person, compound):
            return None, person
    if value or required:
        raise Refused("taker")
    return None, None


@bp.route("/<int:need_id>/accept", methods=["POST"])
@login_required
def accept(slug: str, need_id: int):
    """受理: staff accept the request, leaving it open for volunteers or dispatching it at once."""
    compound, need = _acting(slug, need_id, access.can_accept)
    form = AcceptForm()

    def step():
        org, person = _taker(compound, form.taker.data, required=False)
        services.accept(need, current_user, form.note.data, org=org, person=person)

    if form.taker.data:
        success = _("Accepted and dispatched.")
    else:
        success = _("Accepted. It is now open for volunteers to claim.")
    return _submit(compound, need, form, form.taker, step, success)


@bp.route("/<int:need_id>/decline", methods=["POST"])
@login_required
def decline(slug: str, need_id: int):
    """不予受理, with the reason the requester will read."""
    done = _("Declined. The resident has been told why.")
    return _step(slug, need_id, access.can_accept, DeclineForm, services.decline, done)


@bp.route("/<int:need_id>/dispatch", methods=["POST"])
@login_required
def dispatch(slug: str, need_id: int):
    """派单: staff send the request to an organisation serving the compound or to a volunteer."""
    compound, need = _acting(slug, need_id, access.can_dispatch)
    form = DispatchForm()

    def step():
        org, person = _taker(compound, form.taker.data, required=True)
        services.take(need, current_user, org=org, person=person, note=form.note.data)

    return _submit(compound, need, form, form.taker, step, _("Dispatched. The taker and the resident have been told."))


@bp.route("/<int:need_id>/claim", methods=["POST"])
@login_required
def claim(slug: str, need_id: int):
    """接单: a volunteer claims it in their own name, or an organisation member for their organisation."""
    compound, need = access.load(slug, need_id, current_user)
    orgs, own_name = access.claim_choices(current_user, need)
    permissions.require(bool(orgs) or own_name, compound, current_user, shown=True)
    form = ClaimForm()

    def step():
        choice = form.taker.data or ("self" if own_name else "")
        org = next((o for o in orgs if f"org-{o.id}" == choice), None)
        if org is None and not (choice == "self" and own_name):
            raise Refused("taker")
        services.take(need, current_user, org=org, person=None if org else current_user, note=form.note.data)

    return _submit(compound, need, form, form.taker, step, _("It is yours. Mark it done here when you have helped."))


@bp.route("/<int:need_id>/done", methods=["POST"])
@login_required
def done(slug: str, need_id: int):
    """办结: the taker says what was done, with photos if they like (all are checked before anything is stored)."""
    compound, need = _acting(slug, need_id, access.can_mark_done)
    form = DoneForm()

    def step():
        checked = photos.check_all(request.files.getlist(form.photos.name))
        services.mark_done(need, current_user, form.words.data, checked)

    return _submit(compound, need, form, form.words, step, _("Marked done. The resident will be asked to confirm it."))


@bp.route("/<int:need_id>/confirm", methods=["POST"])
@login_required
def confirm(slug: str, need_id: int):
    """反馈: the requester confirms it is done and rates it 1–5; it is closed."""
    compound, need = _acting(slug, need_id, access.can_answer)
    form = ConfirmForm()

    def step():
        services.confirm(need, current_user, form.stars.data, form.comment.data)

    return _submit(compound, need, form, form.stars, step, _("Thank you. Your request is closed."))


@bp.route("/<int:need_id>/reopen", methods=["POST"])
@login_required
def reopen(slug: str, need_id: int):
    """Not done yet: the requester sends it back to the same taker with a reason."""
    done = _("Sent back to the taker with your reason.")
    return _step(slug, need_id, access.can_answer, ReopenForm, services.reopen, done)


@bp.route("/<int:need_id>/supervise", methods=["POST"])
@login_required
def supervise(slug: str, need_id: int):
    """督办: staff press for an unfinished request; the taker and the resident are told."""
    done = _("Pressed (督办). The taker and the resident have been told.")
    return _step(slug, need_id, access.can_supervise, SuperviseForm, services.supervise, done)


def _step(slug: str, need_id: int, rule, form_class: type[StepForm], act, success: str):
    """A step that takes one typed text (the form's `words`): refused at it as typed, or done."""
    compound, need = _acting(slug, need_id, rule)
    form = form_class()
    return _submit(compound, need, form, form.words, lambda: act(need, current_user, form.words.data), success)


@bp.route("/photos/<int:photo_id>")
def photo(slug: str, photo_id: int):
    """A photo of a request, only to those who may see who asked (it may show a face, a door or a room)."""
    compound = get_compound(slug)
    found = photos.linked(photo_id, "need_id")
    need = db.session.get(Need, found.need_id)
    if need is None or need.compound_id != compound.id:
        abort(404)
    if not access.sees_name(current_user, need):
        if permissions.signed_in(current_user) is None:
            abort(permissions.login_manager.unauthorized())
        abort(404)
    return photos.send(found)


# The staff page of the compound includes needs/_supervision.html, which asks for this.


@bp.app_template_global("needs_supervision")
def supervision_box(compound: Compound) -> dict:
    """Requests flagged for 督办 in the compound (for its staff page)."""
    rows, total = services.supervision(compound)
    return {"needs": rows, "total": total, "days": services.supervision_days()}
