"""Meeting pages: the list, creating a meeting, one meeting with its agenda and attendance, posting, sign-in, .ics."""

from __future__ import annotations

from functools import partial

from flask import flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal import permissions
from portal.compounds.services import get_compound
from portal.extensions import db
from portal.htmx import form_page, refuse, render
from portal.i18n import to_utc
from portal.meetings import access, bp, calendar, discussion, minutes, motions, services
from portal.meetings.forms import AddendumForm, CancelForm, MeetingForm, PostForm, PublishForm, SignOffForm
from portal.meetings.models import InviteeGroup, MeetingKind, Visibility
from portal.refusals import Refused
from portal.roles.models import Membership, Role

# More routes: the discussion (comments, attachments), quick votes, minutes and the archive.


@bp.route("/")
def index(slug: str):
    """会议: the compound's meetings this person may see, newest first."""
    compound = get_compound(slug)
    meetings = services.meetings_of(compound, current_user)
    return render(
        "meetings/index.html",
        compound=compound,
        meetings=meetings,
        can_prepare=access.can_prepare(current_user, compound),
    )


def _secretary_choices(compound) -> list[tuple[str, str]]:
    from portal.accounts.models import Person

    rows = db.session.execute(
        db.select(Person.id, Person.name)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.compound_id == compound.id, Membership.role == Role.committee)
        .order_by(Person.name)
    ).all()
    return [SelectChoice("", _("The convenor"))] + [SelectChoice(str(pid), name) for pid, name in rows]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """召集会议: a draft meeting with its agenda; posted from its page."""
    compound = get_compound(slug)
    permissions.require("manage_meetings", compound, current_user)
    form = MeetingForm()
    form.secretary.choices = _secretary_choices(compound)
    if request.method == "GET":
        form.groups.data = ["committee"]
    if form.validate_on_submit():
        meeting = services.create(
            compound,
            current_user,
            kind=MeetingKind(form.kind.data),
            title=form.title.data,
            description=form.description.data or "",
            starts_at=to_utc(form.starts_at.data),
            ends_at=to_utc(form.ends_at.data),
            visibility=Visibility(form.visibility.data),
            secretary_id=int(form.secretary.data) if form.secretary.data else None,
            groups=[InviteeGroup(g) for g in form.groups.data or []],
            items=(form.agenda.data or "").splitlines(),
        )
        flash(_("The meeting is saved as a draft. Check it, then post the agenda to invite people."), "success")
        return redirect(url_for("meetings.show", slug=slug, meeting_id=meeting.id), 303)
    return form_page("meetings/new.html", compound=compound, form=form)


@bp.route("/<int:meeting_id>/")
def show(slug: str, meeting_id: int):
    """One meeting: agenda with discussion, attendance and quorum, motions, minutes, history."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    return meeting_page(compound, meeting)


def meeting_page(compound, meeting, status: int = 200, refused: dict | None = None, **forms):
    """The meeting page. A refused form comes back as typed with its error at the field: one of the page's own
    (`post_form`, `cancel_form`, `signoff_form`, `publish_form`, `addendum_form`), or one of those shown once per
    item, comment or vote: `refused` = {"at": the id of its control, "form": the form}."""
    present = services.attendees(meeting)
    here, out_of, met = services.quorum(meeting, present)
    return render(
        "meetings/show.html",
        status=status,
        refused=refused,
        post_form=forms.get("post_form") or PostForm(formdata=None),
        cancel_form=forms.get("cancel_form") or CancelForm(formdata=None, prefix="cancel"),
        signoff_form=forms.get("signoff_form") or SignOffForm(formdata=None),
        publish_form=forms.get("publish_form") or PublishForm(formdata=None),
        addendum_form=forms.get("addendum_form") or AddendumForm(formdata=None),
        compound=compound,
        meeting=meeting,
        present=present,
        quorum=(here, out_of, met),
        invited=access.is_invitee(current_user, meeting),
        signed_in=any(a.person_id == getattr(current_user, "id", None) for a in present),
        can_sign_in=access.can_sign_in(current_user, meeting),
        can_manage=access.can_manage(current_user, meeting),
        window_open=access.window_open(meeting),
        events=services.events(meeting),
        **discussion.context(meeting, current_user),
        **motions.context(meeting, current_user),
        **minutes.context(meeting, current_user),
    )


@bp.route("/<int:meeting_id>/post", methods=["POST"])
@login_required
def post(slug: str, meeting_id: int):
    """发布议程: post the agenda and notify the invitees."""
    compound, meeting = access.load(slug, meeting_id, current_user, access.can_manage)
    form = PostForm()
    step = partial(services.post, meeting, current_user)

    def done(count: int) -> str:
        return _("The agenda is posted; %(count)d invitees were notified.", count=count)

    return _agenda_step(compound, meeting, ("post_form", form), form.urgent_reason, step, done)


@bp.route("/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel(slug: str, meeting_id: int):
    """取消会议, with a reason."""
    compound, meeting = access.load(slug, meeting_id, current_user, access.can_manage)
    form = CancelForm(prefix="cancel")
    step = partial(services.cancel, meeting, current_user)
    return _agenda_step(compound, meeting, ("cancel_form", form), form.reason, step)


def _agenda_step(compound, meeting, named: tuple[str, PostForm | CancelForm], field, step, done=None):
    """Post or cancel with the words typed at `field` (of the form the page knows by `named`'s name). Done → 303 to
    the meeting, with `done(what step returned)` flashed if given. Refused for the words (too short notice without
    a reason, no reason to cancel) → at the field; invalid or so refused → the page again with 400, as typed. Refused
    because the meeting can no longer be posted or cancelled → 409 (the form is gone from its page)."""
    name, form = named
    if form.validate_on_submit():
        try:
            result = step(field.data)
        except Refused as error:
            if error.code not in ("too_soon", "reason"):
                return refuse(409, error.sentence)
            field.errors = [error.sentence]
        else:
            if done is not None:
                flash(done(result), "success")
            return redirect(url_for("meetings.show", slug=compound.slug, meeting_id=meeting.id), 303)
    return meeting_page(compound, meeting, status=400, **{name: form})


@bp.route("/<int:meeting_id>/sign-in", methods=["POST"])
@login_required
def sign_in(slug: str, meeting_id: int):
    """签到: an invitee signs in inside the window."""
    compound, meeting = access.load(slug, meeting_id, current_user, access.is_invitee)
    try:
        services.sign_in(meeting, current_user)
    except Refused as error:
        if error.code == "record_closed":
            return refuse(409, error.sentence)
        flash(error.sentence, "error")
        return redirect(url_for("meetings.show", slug=slug, meeting_id=meeting.id), 303)
    flash(_("You are signed in."), "success")
    return redirect(url_for("meetings.show", slug=slug, meeting_id=meeting.id), 303)


@bp.route("/<int:meeting_id>/meeting.ics")
def ics(slug: str, meeting_id: int):
    """The meeting as a calendar file (adds it to the phone's calendar)."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    link = url_for("meetings.show", slug=slug, meeting_id=meeting.id, _external=True)
    response = make_response(calendar.ics(meeting, link))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="meeting-{meeting.id}.ics"'
    return response
