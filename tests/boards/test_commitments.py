"""Pledges: who may make them, progress with photos checked by content, fulfilling, withdrawing with a reason, and
ratings (1–5, one per person and changeable, only by owners and residents of a compound whose board shows it)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa

from portal import uploads
from portal.audit import AuditEvent
from portal.boards import photos, rules, services
from portal.boards.demo import tiny_png
from portal.boards.models import Category, Commitment, CommitmentStatus, Photo, Progress, Rating
from portal.extensions import db
from portal.refusals import Refused


def _url(pledge_or_id, tail="", slug="lvyuan"):
    commitment_id = getattr(pledge_or_id, "id", pledge_or_id)
    return f"/c/{slug}/board/{commitment_id}{tail}"


def _audit(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def _ratings(commitment):
    return db.session.scalars(sa.select(Rating).where(Rating.commitment_id == commitment.id)).all()


# Making a pledge


def _form(**extra):
    due = (rules.today_in_shanghai() + timedelta(days=30)).isoformat()
    return {"title": "楼道灯全部修好", "target": "36盏灯全部亮起", "category": "repair", "due_on": due, **extra}


def test_a_member_pledges_for_the_organisation(client, yard, login):
    login(yard.manager)
    response = client.post("/c/lvyuan/board/new", data=_form(pledger=f"org-{yard.company.id}"))
    assert response.status_code == 303
    made = db.session.scalar(sa.select(Commitment))
    assert response.headers["Location"].endswith(_url(made))
    assert (made.organisation_id, made.pledger_id, made.compound_id) == (
        yard.company.id,
        yard.manager.id,
        yard.compound.id,
    )
    assert made.status == CommitmentStatus.in_progress and made.category == Category.repair
    assert len(_audit("commitment.created")) == 1


def test_a_member_cannot_pledge_for_another_organisation(client, yard, login):
    login(yard.manager)
    response = client.post("/c/lvyuan/board/new", data=_form(pledger=f"org-{yard.committee.id}"))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Commitment.id))) == 0


def test_a_volunteer_pledges_in_their_own_name(client, yard, login, english):
    login(yard.volunteer)
    assert "Myself" in client.get("/c/lvyuan/board/new").get_data(as_text=True)
    response = client.post("/c/lvyuan/board/new", data=_form(pledger="self"))
    assert response.status_code == 303
    made = db.session.scalar(sa.select(Commitment))
    assert made.organisation_id is None and made.pledger_id == yard.volunteer.id


@pytest.mark.parametrize(("who", "status"), [("owner", 403), ("resident", 403), ("neighbour", 404), ("stranger", 404)])
def test_people_who_are_neither_members_nor_volunteers_cannot_pledge(client, yard, login, who, status):
    login(getattr(yard, who))
    assert client.get("/c/lvyuan/board/new").status_code == status
    assert client.post("/c/lvyuan/board/new", data=_form(pledger="self")).status_code == status


def test_a_co_building_unit_member_pledges_though_not_living_here(client, yard, login):
    login(yard.doctor)
    response = client.post("/c/lvyuan/board/new", data=_form(pledger=f"org-{yard.hospital.id}", community_wide="y"))
    assert response.status_code == 303
    made = db.session.scalar(sa.select(Commitment))
    assert made.compound_id is None and made.community_id == yard.community.id


def test_only_staff_and_community_wide_organisations_pledge_for_the_whole_community(client, yard, login):
    login(yard.manager)
    response = client.post("/c/lvyuan/board/new", data=_form(pledger=f"org-{yard.company.id}", community_wide="y"))
    assert response.status_code == 400
    login(yard.staff)
    response = client.post("/c/lvyuan/board/new", data=_form(pledger=f"org-{yard.company.id}", community_wide="y"))
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Commitment.compound_id)) is None


def test_staff_pledge_for_any_organisation_serving_the_compound_but_not_for_another_compounds(client, yard, login):
    login(yard.staff)
    assert client.post("/c/lvyuan/board/new", data=_form(pledger=f"org-{yard.committee.id}")).status_code == 303
    assert client.post("/c/lvyuan/board/new", data=_form(pledger=f"org-{yard.other.id}")).status_code == 400


def test_a_due_date_in_the_past_is_refused(client, yard, login, english):
    login(yard.manager)
    yesterday = (rules.today_in_shanghai() - timedelta(days=1)).isoformat()
    response = client.post("/c/lvyuan/board/new", data=_form(pledger=f"org-{yard.company.id}", due_on=yesterday))
    assert response.status_code == 400
    assert "The due date cannot be in the past." in response.get_data(as_text=True)


# Progress, fulfilment, withdrawal


def _photo(name="进度.png", data=None):
    return (BytesIO(data if data is not None else tiny_png()), name)


def test_a_member_posts_progress_with_photos(client, yard, login, pledge, upload_dir):
    commitment = pledge()
    login(yard.manager)
    response = client.post(
        _url(commitment, "/progress"),
        data={"body": "已更换一半", "photos": [_photo("一楼.png"), _photo("二楼.png", tiny_png((200, 0, 0)))]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#progress")
    (update,) = db.session.scalars(sa.select(Progress)).all()
    assert (update.body, update.author_id) == ("已更换一半", yard.manager.id)
    photos = db.session.scalars(sa.select(Photo).order_by(Photo.id)).all()
    assert [(p.progress_id, p.filename, p.mime) for p in photos] == [
        (update.id, "一楼.png", "image/png"),
        (update.id, "二楼.png", "image/png"),
    ]
    page = client.get(_url(commitment)).get_data(as_text=True)
    assert "已更换一半" in page and f"/c/lvyuan/board/photos/{photos[0].id}" in page
    client.post("/logout")
    served = client.get(f"/c/lvyuan/board/photos/{photos[0].id}")  # the board is public: so are its photos
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data == uploads.clean_image("png", tiny_png())  # stored re-encoded, without metadata


def test_a_renamed_script_is_refused_and_nothing_is_written(client, yard, login, pledge, upload_dir, english):
    commitment = pledge()
    login(yard.manager)
    script = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
    response = client.post(
        _url(commitment, "/progress"),
        data={"body": "照片见附件", "photos": [_photo("好照片.png"), _photo("照片.png", script)]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page and "JPEG" in page and "照片见附件" in page
    assert db.session.scalar(sa.select(sa.func.count(Progress.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Photo.id))) == 0
    assert not upload_dir.exists() or not any(p.is_file() for p in upload_dir.rglob("*"))


def test_at_most_six_photos(client, yard, login, pledge, upload_dir):
    commitment = pledge()
    login(yard.manager)
    response = client.post(
        _url(commitment, "/progress"),
        data={"body": "很多照片", "photos": [_photo(f"{i}.png", tiny_png((i, i, i))) for i in range(7)]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Photo.id))) == 0


def test_photos_of_another_compounds_pledge_are_not_served_here(client, yard, pledge, upload_dir):
    commitment = pledge(org="other", compound="guihua")
    checked = photos.check_all([_file()])
    update = services.add_progress(commitment, yard.staff, "进度", checked)
    db.session.commit()
    photo_id = db.session.scalar(sa.select(Photo.id).where(Photo.progress_id == update.id))
    assert client.get(f"/c/lvyuan/board/photos/{photo_id}").status_code == 404
    assert client.get(f"/c/guihua/board/photos/{photo_id}").status_code == 200


def _file():
    from werkzeug.datastructures import FileStorage

    return FileStorage(BytesIO(tiny_png()), filename="a.png", content_type="image/png")


def test_fulfil_with_a_note(client, yard, login, pledge):
    commitment = pledge()
    login(yard.manager)
    assert client.post(_url(commitment, "/fulfil"), data={"note": "36盏全部亮起"}).status_code == 303
    db.session.refresh(commitment)
    assert commitment.status == CommitmentStatus.fulfilled and commitment.fulfilled_note == "36盏全部亮起"
    assert commitment.fulfilled_at is not None
    assert client.post(_url(commitment, "/progress"), data={"body": "再补一句"}).status_code == 400  # closed


def test_fulfilling_needs_a_note(client, yard, login, pledge):
    commitment = pledge()
    login(yard.manager)
    assert client.post(_url(commitment, "/fulfil"), data={"note": "  "}).status_code == 400
    db.session.refresh(commitment)
    assert commitment.status == CommitmentStatus.in_progress


def test_a_withdrawn_pledge_needs_a_reason(client, yard, login, pledge, english):
    commitment = pledge()
    login(yard.manager)
    response = client.post(_url(commitment, "/withdraw"), data={"reason": " "})
    assert response.status_code == 400
    assert "Give a reason." in response.get_data(as_text=True)
    db.session.refresh(commitment)
    assert commitment.status == CommitmentStatus.in_progress and commitment.withdrawn_reason is None
    with pytest.raises(Refused, match="reason"):
        services.withdraw(commitment, yard.manager, "")
    assert client.post(_url(commitment, "/withdraw"), data={"reason": "供电容量不足"}).status_code == 303
    db.session.refresh(commitment)
    assert commitment.status == CommitmentStatus.withdrawn and commitment.withdrawn_reason == "供电容量不足"
    assert len(_audit("commitment.withdrawn")) == 1
    page = client.get(_url(commitment)).get_data(as_text=True)
    assert "供电容量不足" in page


def test_a_withdrawn_or_fulfilled_pledge_cannot_change_again(yard, pledge):
    for status in ("withdrawn", "fulfilled"):
        commitment = pledge(status=status)
        for change in (
            lambda c: services.fulfil(c, yard.manager, "好"),
            lambda c: services.withdraw(c, yard.manager, "因"),
        ):
            with pytest.raises(Refused, match="pledge_closed"):
                change(commitment)


@pytest.mark.parametrize(("who", "status"), [("owner", 403), ("chair", 403), ("volunteer", 403), ("neighbour", 404)])
def test_only_the_organisation_and_staff_report_on_its_pledge(client, yard, login, pledge, who, status):
    commitment = pledge()
    login(getattr(yard, who))
    assert client.post(_url(commitment, "/progress"), data={"body": "x"}).status_code == status
    assert client.post(_url(commitment, "/withdraw"), data={"reason": "x"}).status_code == status


def test_staff_and_the_pledger_report_on_a_personal_pledge(client, yard, login, pledge):
    commitment = pledge(org=None)
    login(yard.manager)
    assert client.post(_url(commitment, "/progress"), data={"body": "x"}).status_code == 403
    login(yard.volunteer)
    assert client.post(_url(commitment, "/progress"), data={"body": "买菜5户"}).status_code == 303
    login(yard.staff)
    assert client.post(_url(commitment, "/progress"), data={"body": "社区核实"}).status_code == 303


def test_a_pledge_of_another_compound_is_not_on_this_board(client, yard, pledge):
    commitment = pledge(org="other", compound="guihua")
    assert client.get(_url(commitment)).status_code == 404
    assert client.get(_url(commitment, slug="guihua")).status_code == 200


# Ratings


def test_owner_rates_and_rating_again_replaces_it(client, yard, login, pledge):
    commitment = pledge()
    login(yard.owner)
    assert client.post(_url(commitment, "/rating"), data={"stars": "2", "comment": "太慢"}).status_code == 303
    assert client.post(_url(commitment, "/rating"), data={"stars": "5", "comment": "已修好"}).status_code == 303
    (rating,) = _ratings(commitment)
    assert (rating.person_id, rating.stars, rating.comment) == (yard.owner.id, 5, "已修好")
    assert [e.detail for e in _audit("commitment.rated")][-1].count('"replaced": 2') == 1


def test_a_resident_rates_too(client, yard, login, pledge):
    commitment = pledge()
    login(yard.resident)
    assert client.post(_url(commitment, "/rating"), data={"stars": "4"}).status_code == 303
    assert [r.stars for r in _ratings(commitment)] == [4]


@pytest.mark.parametrize("stars", ["0", "6", "-1", "4.5", "", "五"])
def test_a_rating_outside_one_to_five_is_refused(client, yard, login, pledge, stars, english):
    commitment = pledge()
    login(yard.owner)
    response = client.post(_url(commitment, "/rating"), data={"stars": stars})
    assert response.status_code == 400
    assert "Choose from 1 to 5 stars." in response.get_data(as_text=True)
    assert _ratings(commitment) == []


def test_the_service_refuses_stars_outside_one_to_five_and_the_database_too(yard, pledge):
    commitment = pledge()
    for stars in (0, 6, None, True):
        with pytest.raises(Refused, match="stars"):
            services.rate(commitment, yard.owner, yard.compound, stars)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(Rating(commitment_id=commitment.id, person_id=yard.owner.id, stars=9))
        db.session.flush()


def test_a_second_rating_row_by_the_same_person_is_refused_by_the_database(yard, pledge):
    commitment = pledge()
    services.rate(commitment, yard.owner, yard.compound, 3)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(Rating(commitment_id=commitment.id, person_id=yard.owner.id, stars=4))
        db.session.flush()
    services.rate(commitment, yard.owner, yard.compound, 4)
    assert [r.stars for r in _ratings(commitment)] == [4]


@pytest.mark.parametrize(("who", "status"), [("neighbour", 404), ("stranger", 404)])
def test_someone_outside_the_compound_cannot_rate(client, yard, login, pledge, who, status):
    commitment = pledge()
    login(getattr(yard, who))
    assert client.post(_url(commitment, "/rating"), data={"stars": "1"}).status_code == status
    assert _ratings(commitment) == []
    with pytest.raises(Refused, match="rate_not_allowed"):
        services.rate(commitment, getattr(yard, who), yard.compound, 1)


@pytest.mark.parametrize("who", ["staff", "doctor", "manager", "volunteer"])
def test_people_who_do_not_live_here_or_pledged_it_cannot_rate(client, yard, login, pledge, who):
    commitment = pledge()  # the property company's: the manager may not rate his own pledge
    login(getattr(yard, who))
    assert client.post(_url(commitment, "/rating"), data={"stars": "5"}).status_code in (403, 404)
    assert _ratings(commitment) == []


def test_the_organisations_members_do_not_rate_its_pledges(client, yard, login, pledge):
    commitment = pledge(org="committee", pledger=yard.chair)
    login(yard.chair)  # the chair lives here (an owner) but pledged it
    assert client.post(_url(commitment, "/rating"), data={"stars": "5"}).status_code == 403
    other = pledge()
    assert client.post(_url(other, "/rating"), data={"stars": "3"}).status_code == 303


def test_a_community_wide_pledge_is_rated_from_every_compound_of_the_community(client, yard, login, pledge):
    commitment = pledge(org="hospital", pledger=yard.doctor, compound=None)
    login(yard.neighbour)
    assert client.post(_url(commitment, "/rating", slug="guihua"), data={"stars": "4"}).status_code == 303
    assert client.post(_url(commitment, "/rating"), data={"stars": "4"}).status_code == 404  # not an owner here
    login(yard.stranger)
    assert client.post(_url(commitment, "/rating", slug="far"), data={"stars": "4"}).status_code == 404
    assert [r.person_id for r in _ratings(commitment)] == [yard.neighbour.id]


def test_raters_are_named_only_to_staff(client, yard, login, pledge, english):
    commitment = pledge()
    services.rate(commitment, yard.owner, yard.compound, 2, "灯还是不亮")
    db.session.commit()
    anonymous = client.get(_url(commitment)).get_data(as_text=True)
    assert "灯还是不亮" in anonymous and "A resident" in anonymous and yard.owner.name not in anonymous
    login(yard.resident)
    assert yard.owner.name not in client.get(_url(commitment)).get_data(as_text=True)
    login(yard.owner)
    assert "Your rating" in client.get(_url(commitment)).get_data(as_text=True)
    login(yard.staff)
    assert yard.owner.name in client.get(_url(commitment)).get_data(as_text=True)


def test_the_page_shows_the_exact_average_rounded_half_up(client, yard, pledge, english):
    commitment = pledge()
    for who, stars in (("owner", 5), ("resident", 4), ("chair", 4), ("neighbour", 4)):
        person = getattr(yard, who)
        db.session.add(Rating(commitment_id=commitment.id, person_id=person.id, stars=stars))
    db.session.commit()
    page = client.get(_url(commitment)).get_data(as_text=True)
    assert "4.3 of 5" in page and "(4 ratings)" in page  # 17/4 = 4.25 → 4.3


# A refused form comes back at its field, as typed, the same with and without htmx

HTMX = [{}, {"HX-Request": "true"}]


@pytest.mark.parametrize("headers", HTMX)
def test_a_refused_end_shows_the_words_again_at_their_field(client, yard, login, pledge, english, headers):
    commitment = pledge()
    login(yard.manager)
    response = client.post(_url(commitment, "/withdraw"), data={"reason": "  "}, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<small id="withdraw-reason-error" class="field-error">Give a reason.</small>' in page
    assert 'aria-describedby="withdraw-reason-error"' in page and 'aria-invalid="true"' in page
    long_note = "灯已修好。" * 1001  # 5,005 characters: past the limit of every note
    response = client.post(_url(commitment, "/fulfil"), data={"note": long_note}, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="fulfil-note-error"' in page
    assert f"{long_note}</textarea>" in page  # as typed
    db.session.refresh(commitment)
    assert commitment.status == CommitmentStatus.in_progress


@pytest.mark.parametrize("headers", HTMX)
def test_a_rating_without_stars_keeps_the_comment(client, yard, login, pledge, english, headers):
    commitment = pledge()
    login(yard.owner)
    response = client.post(_url(commitment, "/rating"), data={"comment": "换得挺快"}, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<small id="rating-stars-error" class="field-error">Choose from 1 to 5 stars.</small>' in page
    assert "\n换得挺快</textarea>" in page and _ratings(commitment) == []
    response = client.post(_url(commitment, "/rating"), data={"stars": "4", "comment": "好" * 501}, headers=headers)
    assert response.status_code == 400 and 'id="rating-comment-error"' in response.get_data(as_text=True)
    assert 'value="4" checked' in response.get_data(as_text=True) and _ratings(commitment) == []
