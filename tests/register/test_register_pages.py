"""The staff import pages: who may open them, every bad line shown, preview, confirm, and changes meanwhile."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from register_files import big, csv, row

from portal.compounds.models import Unit
from portal.extensions import db
from portal.register import importer


def upload(client, compound, data: bytes, name: str = "register.csv"):
    """Post a file to the upload form."""
    return client.post(f"/staff/c/{compound.slug}/register/", data={"file": (BytesIO(data), name)})


def hidden(page: str, name: str) -> str:
    """The value of a hidden field of the page."""
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def confirm(client, compound, page: str):
    """Post the preview's confirm form as a browser would."""
    data = {"content": hidden(page, "content"), "digest": hidden(page, "digest")}
    return client.post(f"/staff/c/{compound.slug}/register/", data=data)


def error_lines(page: str) -> list[str]:
    """The line column of the problems table."""
    return re.findall(r'<tr class="row-bad"><td>([^<]*)</td>', page)


def unit_rooms(compound) -> list[str]:
    """The compound's rooms as stored."""
    return sorted(db.session.scalars(db.select(Unit.room).where(Unit.compound_id == compound.id)))


@pytest.fixture
def compound(make):
    """A compound without a register."""
    return make.compound("lvyuan", "绿园小区")


@pytest.mark.parametrize("path", ["/", "/template.csv"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", "login"), ("owner", 404), ("committee", 404), ("other staff", 404), ("staff", 200), ("admin", 200)],
)
def test_who_may_open_the_import(client, make, login, compound, who, expected, path):
    if who in ("owner", "committee"):
        person = make.person()
        make.member(person, compound, "owner")
        if who == "committee":
            make.member(person, compound, "committee")
        login(person)
    elif who == "other staff":
        person = make.person()
        make.staff(person, make.community())
        login(person)
    elif who == "staff":
        person = make.person()
        make.staff(person, compound.community)
        login(person)
    elif who == "admin":
        login(make.person(admin=True))
    response = client.get(f"/staff/c/{compound.slug}/register{path}")
    if expected == "login":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == expected


def test_unknown_compound_is_404(client, compound, staff_of):
    staff_of(compound)
    assert client.get("/staff/c/no-such-place/register/").status_code == 404


def test_the_form_explains_the_columns_and_offers_a_template(client, compound, staff_of):
    staff_of(compound)
    page = client.get(f"/staff/c/{compound.slug}/register/").get_data(as_text=True)
    for column in importer.COLUMNS:
        assert f"<code>{column}</code>" in page
    assert f'href="/staff/c/{compound.slug}/register/template.csv"' in page
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert "style=" not in page and " onclick" not in page  # the CSP forbids inline styles and handlers


def test_the_template_is_a_csv_excel_opens_in_chinese(client, compound, staff_of):
    staff_of(compound)
    response = client.get(f"/staff/c/{compound.slug}/register/template.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    parsed = importer.parse(response.data)
    assert parsed.errors == [] and len(parsed.units) == 2


def test_no_file_is_shown_again_with_the_error(client, compound, staff_of):
    staff_of(compound)
    response = client.post(f"/staff/c/{compound.slug}/register/", data={})
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)


def test_an_empty_file_is_a_clear_error(client, compound, staff_of):
    staff_of(compound)
    response = upload(client, compound, b"")
    assert response.status_code == 422
    assert "The file is empty." in response.get_data(as_text=True)


def test_300_rows_with_3_bad_ones_show_exactly_those_lines_and_change_nothing(
    client, compound, staff_of, imported, counts
):
    imported(compound, big(300))
    staff_of(compound)
    before = counts()
    bad = {
        40: row(room="0039", key="K0039", name="业主39", area="abc"),
        151: row(room="0150", key="K0150", name="", building="3栋"),
        300: row(room="0299", key="K0299", name="业主299", building="5栋", phone="12345"),
    }
    response = upload(client, compound, big(300, bad))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_lines(page) == ["40", "151", "300"]
    assert "3 problems found: nothing was imported." in page
    assert 'name="content"' not in page  # nothing to confirm
    assert counts() == before


def test_first_import_shows_a_summary_then_applies_on_confirm(client, compound, staff_of, counts):
    staff_of(compound)
    before = counts()
    data = csv(row("101", "K1", "张三"), row("101", "K2", "李四", voter="1"), row("102", "K1", "张三", area="100"))
    response = upload(client, compound, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This is the first register of this compound" in page
    assert "188.50 ㎡" in page and "Import the register" in page
    assert counts() == before  # the preview writes nothing

    response = confirm(client, compound, page)
    assert response.status_code == 303 and response.headers["Location"] == f"/staff/c/{compound.slug}/"
    assert unit_rooms(compound) == ["101", "102"]
    added = {name: counts()[name] - before[name] for name in before}
    assert added == {"Unit": 2, "Person": 2, "Ownership": 3, "Membership": 2, "AuditEvent": 1}
    landing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Owner register imported: 2 units, 2 owners." in landing


def test_a_changed_register_shows_the_difference_and_applies_only_on_confirmation(
    client, compound, staff_of, imported, counts
):
    imported(compound, csv(row("101", "K1", "张三"), row("102", "K2", "李四"), row("103", "K3", "王五")))
    staff_of(compound)
    before = counts()
    changed = csv(row("101", "K1", "张三", area="90.00"), row("102", "K2", "李四四"), row("104", "K4", "赵六"))
    response = upload(client, compound, changed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Apply these changes" in page
    assert "Units: 1 added, 1 removed, 1 changed." in page
    assert "Owners: 1 added, 1 removed, 1 changed." in page
    assert "<summary>Added units (1)</summary>" in page and "1栋 1单元 104" in page
    assert "<summary>Removed units (1)</summary>" in page and "1栋 1单元 103" in page
    assert "Area: 88.50 ㎡ → 90.00 ㎡" in page and "Name: 李四 → 李四四" in page
    assert counts() == before

    response = confirm(client, compound, page)
    assert response.status_code == 303
    assert unit_rooms(compound) == ["101", "102", "104"]
    assert counts()["AuditEvent"] == before["AuditEvent"] + 1


def test_an_unchanged_register_says_so_and_offers_nothing_to_confirm(client, compound, staff_of, imported, counts):
    data = csv(row())
    imported(compound, data)
    staff_of(compound)
    before = counts()
    page = upload(client, compound, data.decode().encode("gbk")).get_data(as_text=True)
    assert "The register is unchanged" in page and 'name="content"' not in page
    assert counts() == before


def test_a_register_changed_meanwhile_is_shown_again_not_applied(client, compound, staff_of, imported, counts):
    imported(compound, csv(row("101", "K1"), row("102", "K2", "李四")))
    staff_of(compound)
    page = upload(client, compound, csv(row("101", "K1"))).get_data(as_text=True)
    imported(compound, csv(row("101", "K1"), row("102", "K2", "李四"), row("103", "K3", "王五")))  # someone else
    before = counts()
    response = confirm(client, compound, page)
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "The register changed while you were checking it" in text
    assert "<summary>Removed units (2)</summary>" in text
    assert counts() == before and unit_rooms(compound) == ["101", "102", "103"]
    # The new preview confirms as usual.
    assert confirm(client, compound, text).status_code == 303
    assert unit_rooms(compound) == ["101"]


def test_a_damaged_confirmation_is_refused(client, compound, staff_of, counts):
    staff_of(compound)
    before = counts()
    response = client.post(f"/staff/c/{compound.slug}/register/", data={"content": "not base64!", "digest": "0" * 64})
    assert response.status_code == 400 and counts() == before
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page and "upload it again" in page  # said at the file field, with the upload form


def test_a_confirmation_without_its_digest_is_refused_at_the_file_field(client, compound, staff_of, counts):
    staff_of(compound)
    page = upload(client, compound, csv(row())).get_data(as_text=True)
    before = counts()
    response = client.post(f"/staff/c/{compound.slug}/register/", data={"content": hidden(page, "content")})
    assert response.status_code == 400 and 'id="file-error"' in response.get_data(as_text=True)
    assert counts() == before


def note_lines(page: str) -> list[str]:
    """The line column of the notes table."""
    return re.findall(r'<tr class="row-note"><td>([^<]*)</td>', page)


def test_a_phone_someone_logs_in_with_is_no_problem_for_the_register(client, make, compound, staff_of, counts):
    make.person("别人", phone="13800138000")
    staff_of(compound)
    response = upload(client, compound, csv(row("101", "K1"), row("102", "K2", "李四", phone="13800138000")))
    assert response.status_code == 200 and error_lines(response.get_data(as_text=True)) == []
    assert confirm(client, compound, response.get_data(as_text=True)).status_code == 303
    assert unit_rooms(compound) == ["101", "102"]


def test_two_phones_for_one_owner_and_one_phone_for_two_owners_are_notes_in_the_preview(client, compound, staff_of):
    staff_of(compound)
    data = csv(
        row("101", "K1", phone="13800138000"),
        row("102", "K1", phone="13900139000"),
        row("103", "K2", "李四", phone="13700137000"),
        row("104", "K3", "李小四", phone="137 0013 7000"),
    )
    response = upload(client, compound, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Import the register" in page
    assert "2 notes: the register is imported as shown." in page
    assert note_lines(page) == ["3", "5"]
    assert "Owner key K1 has the phone 13800138000 on line 2 and 13900139000 here: 13800138000 is kept." in page
    assert "The phone 13700137000 is also given for owner key K2 on line 4." in page


def test_notes_are_in_chinese_for_a_chinese_reader(client, compound, staff_of):
    staff_of(compound)
    client.set_cookie("lang", "zh_Hans")
    data = csv(row("101", "K1", phone="13800138000"), row("102", "K2", "李四", phone="13800138000"))
    page = upload(client, compound, data).get_data(as_text=True)
    assert note_lines(page) == ["3"] and "13800138000" in page and "also given" not in page


def shared_and_differing_phones(n: int = 300, cases: int = 35) -> bytes:
    """A clean n-unit register in which `cases` owners differ: every other case an owner (K…) listed again on a
    second unit with another phone, the rest two owners (a parent and a child) sharing one phone."""
    rows = []
    for i in range(1, n + 1):
        building = f"{1 + (i - 1) // 60}栋"
        rows.append(row(room=f"{i:04d}", key=f"K{i:04d}", name=f"业主{i}", building=building, phone=f"139{i:08d}"))
    for case in range(cases):
        i = 1 + case * 8
        if case % 2:  # the next unit's owner gives this owner's phone
            rows[i] = rows[i].replace(f"139{i + 1:08d}", f"139{i:08d}")
        else:  # this owner owns a parking space too, listed with another phone
            rows.append(row(room=f"P{i:04d}", key=f"K{i:04d}", name=f"业主{i}", building="车库", phone=f"137{i:08d}"))
    return csv(*rows)


def test_a_300_unit_register_with_35_differing_and_shared_phones_imports_fully(client, compound, staff_of, counts):
    """Issue 13: 35 phone notes in an otherwise clean 300-unit register; nothing refused, everything created."""
    staff_of(compound)
    before = counts()
    data = shared_and_differing_phones()
    response = upload(client, compound, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, error_lines(page)
    assert error_lines(page) == [] and len(note_lines(page)) == 35
    assert "35 notes: the register is imported as shown." in page
    assert counts() == before  # the preview writes nothing
    assert confirm(client, compound, page).status_code == 303
    added = {name: counts()[name] - before[name] for name in before}
    assert added == {"Unit": 318, "Person": 300, "Ownership": 318, "Membership": 300, "AuditEvent": 1}


def test_a_non_csv_file_is_a_clear_error(client, compound, staff_of):
    staff_of(compound)
    response = upload(client, compound, b"PK\x03\x04\x00\x00binary", "register.xlsx")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_lines(page) == ["whole file"] and "not a CSV text file" in page


def test_pages_speak_chinese_by_default(client, compound, staff_of):
    """Strings are marked for translation; with the zh-Hans catalogue the page is Chinese (smoke check)."""
    staff_of(compound)
    client.set_cookie("lang", "zh_Hans")
    response = client.get(f"/staff/c/{compound.slug}/register/")
    assert response.status_code == 200 and '<html lang="zh-Hans">' in response.get_data(as_text=True)
