"""The compound home's "meetings that need you": meetings the person is invited to that have not ended, and minutes
waiting for their sign-off (only for attendees who have not signed yet); nothing for anyone else."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.meetings.mine import needing
from portal.meetings.models import Minutes, MinutesStatus, SignOff


def _asks(compound, person):
    return [(n.meeting.id, n.asks) for n in needing(compound, person)]


def test_invited_meetings_that_have_not_ended_soonest_first(hall, make_meeting):
    later = make_meeting(starts_in=timedelta(days=3))
    now = make_meeting()
    make_meeting(starts_in=timedelta(days=-5))  # ended
    make_meeting(status="cancelled")
    make_meeting(status="draft")
    assert _asks(hall.compound, hall.members[0]) == [(now.id, "attend"), (later.id, "attend")]
    assert _asks(hall.compound, hall.owner) == []  # a committee meeting does not invite owners
    assert _asks(hall.compound, None) == []


def test_minutes_to_sign_come_first_and_go_once_signed(hall, make_meeting):
    past = make_meeting(starts_in=timedelta(days=-5), signed_in=(hall.chair, hall.members[0]))
    coming = make_meeting(starts_in=timedelta(days=1))
    minutes = Minutes(meeting_id=past.id, body="纪要", status=MinutesStatus.signing)
    db.session.add(minutes)
    db.session.flush()
    assert _asks(hall.compound, hall.members[0]) == [(past.id, "sign"), (coming.id, "attend")]
    assert _asks(hall.compound, hall.members[1]) == [(coming.id, "attend")]  # did not attend: nothing to sign
    db.session.add(SignOff(minutes_id=minutes.id, person_id=hall.members[0].id, confirmed=True))
    db.session.flush()
    assert _asks(hall.compound, hall.members[0]) == [(coming.id, "attend")]
    minutes.status = MinutesStatus.published
    assert _asks(hall.compound, hall.chair) == [(coming.id, "attend")]


def test_the_home_lists_them_before_the_notices(client, hall, make_meeting, login):
    meeting = make_meeting(starts_in=timedelta(days=1))
    db.session.commit()
    login(hall.members[0])
    page = client.get("/c/lvyuan/").get_data(as_text=True)
    assert page.index('id="my-meetings-h"') < page.index('id="notices-h"')
    assert f'href="/c/lvyuan/meetings/{meeting.id}/"' in page[page.index('id="my-meetings-h"') :]
    client.post("/logout")
    login(hall.stranger)
    assert "my-meetings-h" not in client.get("/c/guihua/").get_data(as_text=True)
