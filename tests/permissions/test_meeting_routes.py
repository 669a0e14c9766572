"""Every meeting and notification route × every kind of person (compound B holds the meetings).

The meeting is a committee meeting of B whose record is for B's members, posted and inside its window, chaired by
B's committee member; the committee is invited. Outsiders never learn it exists (404); members who lack a right
get 403; visitors are sent to log in. Allowed requests carry data that makes them succeed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from test_routes import FORBIDDEN, HIDDEN, LOGIN, MEMBERS, OK, PUBLIC, outcome
from test_voting_routes import LazyIds

from portal import uploads
from portal.db import utcnow
from portal.extensions import db
from portal.inbox import services as inbox
from portal.meetings import services
from portal.meetings.models import MeetingKind, MeetingStatus, Visibility

PREPARE = dict(MEMBERS, owner_b=FORBIDDEN, resident_b=FORBIDDEN)  # manage_meetings: committee and staff
DRAFT = dict(MEMBERS, owner_b=HIDDEN, resident_b=HIDDEN)  # a draft exists only for those who prepare meetings
# Signing in: only invitees (the committee); members who are not invited get 403.
INVITEE = dict(MEMBERS, owner_b=FORBIDDEN, resident_b=FORBIDDEN, staff_b=FORBIDDEN, admin=FORBIDDEN)
# The chair (B's committee member convenes): quick votes, hiding comments, minutes (no secretary named).
CHAIR = dict(INVITEE, committee_b=OK)
OWN_NOTIFICATION = {role: HIDDEN for role in MEMBERS} | {"anonymous": LOGIN, "owner_b": OK}
LOGGED_IN = {role: OK for role in MEMBERS} | {"anonymous": LOGIN}

M = "/c/{b}/meetings"
MEETING_FORM = {
    "kind": "council",
    "title": "居民议事会",
    "starts_at": "2027-03-01T09:00",
    "ends_at": "2027-03-03T18:00",
    "visibility": "members",
    "agenda": "停车位",
}
ROUTES = {
    "meeting list": ("GET", M + "/", PUBLIC, None),
    "new meeting form": ("GET", M + "/new", PREPARE, None),
    "new meeting": ("POST", M + "/new", PREPARE, MEETING_FORM),
    "meeting page": ("GET", M + "/{posted}/", MEMBERS, None),
    "meeting ics": ("GET", M + "/{posted}/meeting.ics", MEMBERS, None),
    "post agenda": ("POST", M + "/{draft}/post", DRAFT, {"urgent_reason": "急"}),
    "cancel meeting": ("POST", M + "/{posted}/cancel", PREPARE, {"cancel-reason": "改期"}),
    "sign in": ("POST", M + "/{posted}/sign-in", INVITEE, {}),
    "minutes archive": ("GET", M + "/minutes/", PUBLIC, None),
    "comments fragment": ("GET", M + "/{posted}/comments", MEMBERS, None),
    "post comment": ("POST", M + "/{signed}/items/{signed_item}/comments", CHAIR, {"body": "同意"}),
    "edit comment": ("POST", M + "/{signed}/comments/{comment}/edit", CHAIR, {"body": "改为同意"}),
    "hide comment": ("POST", M + "/{signed}/comments/{comment}/hide", CHAIR, {"reason": "离题"}),
    "attach file": ("POST", M + "/{signed}/items/{signed_item}/attachments", PREPARE, "pdf"),
    "download attachment": ("GET", M + "/{signed}/attachments/{attachment}", MEMBERS, None),
    "open motion": ("POST", M + "/{signed}/items/{signed_item}/motions", CHAIR, {"text": "同意续聘"}),
    "answer motion": ("POST", M + "/{signed}/motions/{motion}/answer", CHAIR, {"answer": "yes"}),
    "close motion": ("POST", M + "/{signed}/motions/{motion}/close", CHAIR, {}),
    "minutes editor": ("GET", M + "/{signed}/minutes/edit", CHAIR, None),
    "save minutes": ("POST", M + "/{signed}/minutes", CHAIR, {"body": "纪要"}),
    "submit minutes": ("POST", M + "/{written}/minutes/submit", CHAIR, {}),
    "sign off minutes": ("POST", M + "/{submitted}/minutes/sign-off", CHAIR, {"decision": "confirm"}),
    "publish minutes": ("POST", M + "/{submitted}/minutes/publish", CHAIR, {"reason": "急需公示"}),
    "add addendum": ("POST", M + "/{published}/minutes/addenda", CHAIR, {"body": "更正"}),
    "print minutes": ("GET", M + "/{published}/minutes/print", MEMBERS, None),
    "notifications": ("GET", "/inbox/", LOGGED_IN, None),
    "open notification": ("POST", "/inbox/{notification}", OWN_NOTIFICATION, {}),
    "mark all read": ("POST", "/inbox/read-all", LOGGED_IN, {}),
}


@pytest.fixture
def meetings(app, world):
    """In compound B: a posted committee meeting inside its window, a draft, a notification for B's owner."""
    from portal.compounds.models import Compound

    people, base = world
    compound = db.session.scalar(db.select(Compound).filter_by(slug="compound-b"))
    chair = people["committee_b"]
    ids: LazyIds

    def meeting(status):
        start = utcnow() - timedelta(hours=1)
        with app.test_request_context():
            made = services.create(
                compound, chair, kind=MeetingKind.committee, title="业委会会议", starts_at=start,
                ends_at=start + timedelta(days=2), visibility=Visibility.members, items=["议题"],
            )  # fmt: skip
        made.status = status
        return made.id

    def posted():
        ids["posted"] = meeting(MeetingStatus.posted)

    def draft():
        ids["draft"] = meeting(MeetingStatus.draft)

    def notification():
        inbox.notify([people["owner_b"].id], "meeting.invited", "业委会会议", "/c/compound-b/meetings/", compound)
        from portal.inbox.models import Notification

        ids["notification"] = db.session.scalar(db.select(Notification.id))

    def signed():
        from portal.meetings import discussion, motions
        from portal.meetings.models import Meeting

        ids["signed"] = meeting(MeetingStatus.posted)
        made = db.session.get(Meeting, ids["signed"])
        with app.test_request_context():
            services.sign_in(made, chair)
            item = made.items[0]
            comment = discussion.add_comment(made, item, chair, "先讨论")
            motion = motions.open_motion(made, item, chair, "同意")
            upload = uploads.check(_pdf_file())
            attachment = discussion.attach(made, item, chair, _pdf_file())
        assert upload.kind == "pdf"
        ids.update(signed_item=item.id, comment=comment.id, motion=motion.id, attachment=attachment.id)

    def minutes_in(stage):
        from portal.meetings import minutes
        from portal.meetings.models import Meeting

        made_id = meeting(MeetingStatus.posted)
        made = db.session.get(Meeting, made_id)
        with app.test_request_context():
            services.sign_in(made, chair)
            minutes.save(made, chair, "纪要正文")
            if stage in ("submitted", "published"):
                minutes.submit(made, chair)
            if stage == "published":
                minutes.sign_off(made, chair, True, None)
                minutes.publish(made, chair)
        ids[stage] = made_id

    builders = {
        "posted": posted, "draft": draft, "notification": notification, "signed": signed, "signed_item": signed,
        "comment": signed, "motion": signed, "attachment": signed,
        "written": lambda: minutes_in("written"), "submitted": lambda: minutes_in("submitted"),
        "published": lambda: minutes_in("published"),
    }  # fmt: skip
    ids = LazyIds(dict(base), builders)
    return SimpleNamespace(people=people, ids=ids)


CASES = [(route, role) for route in ROUTES for role in MEMBERS]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_meeting_route_access(client, meetings, login, route, role):
    method, template, expected, data = ROUTES[route]
    path = template.format_map(meetings.ids)
    if data == "pdf":
        form = {"file": _pdf_file()}
    else:
        form = {k.format_map(meetings.ids): v.format_map(meetings.ids) for k, v in (data or {}).items()}
    if role != "anonymous":
        login(meetings.people[role])
    response = client.open(path, method=method, data=form)
    if response.status_code in (400, 409, 422):
        refused = re.findall(r"(?:field-error|flash-error)[^>]*>([^<]*)", response.get_data(as_text=True))
        pytest.fail(f"{response.status_code}: {refused}")
    assert outcome(response) == expected[role]


def _pdf_file():
    """A small real PDF, as a browser would upload it."""
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    body += b"trailer<</Root 1 0 R>>\n%%EOF\n"
    return FileStorage(BytesIO(body), filename="材料.pdf", content_type="application/pdf")
