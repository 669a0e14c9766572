"""The pure parser: encodings, header, every kind of bad row with its line, and how rows become units and owners."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from register_files import HEADER, csv, row

from portal.register import importer
from portal.register.importer import parse


def lines(parsed) -> list[int]:
    """The line of each error, in order."""
    return [e.line for e in parsed.errors]


def messages(parsed) -> str:
    """Every error message as English text."""
    return " | ".join(str(e.message) for e in parsed.errors)


def test_module_is_pure():
    """No Flask app or database is needed to read a file."""
    source = Path(importer.__file__).read_text(encoding="utf-8")
    assert "portal." not in source and "sqlalchemy" not in source
    assert [line for line in source.splitlines() if "from flask" in line] == [
        "from flask_babel import lazy_gettext as _l"
    ]


def test_a_good_file_gives_units_and_owners():
    parsed = parse(
        csv(
            row("101", "K1", "张三", phone="13800138000"),
            row("101", "K2", "李四", voter="1"),
            row("102", "K1", "张三", area="120"),
            row("1", "DEV", "绿园置业", building="9栋", entrance="", area="99.99", source="contract", developer="1"),
        )
    )
    assert parsed.errors == []
    assert list(parsed.units) == ["1栋|1单元|101", "1栋|1单元|102", "9栋||1"]
    first = parsed.units["1栋|1单元|101"]
    assert first.owner_keys == ("K1", "K2") and first.voter_key == "K2"
    assert parsed.units["1栋|1单元|102"].voter_key == "K1"  # no designated row: the unit's first row votes
    assert parsed.units["1栋|1单元|102"].area_m2 == Decimal("120.00")
    developer_unit = parsed.units["9栋||1"]
    assert (developer_unit.entrance, developer_unit.area_source, developer_unit.label) == ("", "contract", "9栋 1")
    assert parsed.owners["K1"].phone == "13800138000" and parsed.owners["K1"].line == 2
    assert parsed.owners["DEV"].is_developer and not parsed.owners["K1"].is_developer
    assert (parsed.heads, parsed.co_owned_units, parsed.developer_units) == (3, 1, 1)
    assert parsed.total_area == Decimal("308.49")


@pytest.mark.parametrize(
    ("rows", "bad_lines", "fragment"),
    [
        pytest.param([row(building="")], [2], "building is missing", id="missing building"),
        pytest.param([row(room="")], [2], "room is missing", id="missing room"),
        pytest.param([row(area="")], [2], "area is missing", id="missing area"),
        pytest.param([row(area="八十")], [2], "not a number", id="area not a number"),
        pytest.param([row(area='"1,234.00"')], [2], "not a number", id="area with thousands separator"),
        pytest.param([row(area="1e3")], [2], "not a number", id="area in exponent form"),
        pytest.param([row(area="0")], [2], "more than 0", id="area zero"),
        pytest.param([row(area="-12.5")], [2], "more than 0", id="area negative"),
        pytest.param([row(area="88.505")], [2], "more than two decimals", id="area three decimals"),
        pytest.param([row(area="99999999999")], [2], "too large", id="area too large"),
        pytest.param([row(source="measured")], [2], "registered, surveyed or contract", id="bad area source"),
        pytest.param([row(name="")], [2], "name is missing", id="missing owner name"),
        pytest.param([row(key="")], [2], "owner key is missing", id="missing owner key"),
        pytest.param([row(key="K1"), row(key="K1")], [3], "listed for this unit on line 3", id="same key twice"),
        pytest.param([row(key="K1"), row(key="K2", area="90")], [3], "gives the area 88.50", id="co-owners' area"),
        pytest.param(
            [row(key="K1"), row(key="K2", source="contract")], [3], "area source registered", id="co-owners' source"
        ),
        pytest.param([row("101", "K1", "张三"), row("102", "K1", "张叁")], [3], "name 张三 on line 3", id="two names"),
        pytest.param(
            [row(key="K1", voter="1"), row(key="K2", voter="是")], [3], "designated voter", id="two designated voters"
        ),
        pytest.param([row(developer="maybe")], [2], "is_developer must be 1 or 0", id="bad is_developer"),
        pytest.param([row(voter="2")], [2], "designated_voter must be 1 or 0", id="bad designated_voter"),
        pytest.param([row(phone="1380013800")], [2], "not an 11-digit mobile", id="phone too short"),
        pytest.param([row(phone="23800138000")], [2], "not an 11-digit mobile", id="phone not a mobile"),
        pytest.param(
            [row(phone="１３８００１３８０００")], [2], "not an 11-digit mobile", id="phone in full-width digits"
        ),
        pytest.param(
            [row("101", "D", "开发商", developer="1"), row("102", "D", "开发商", developer="0")],
            [3],
            "is_developer of owner key D differs",
            id="developer flag inconsistent",
        ),
        pytest.param(
            [
                row("101", "D1", "甲开发商", developer="1"),
                row("102", "D2", "乙开发商", developer="1"),
                row("103", "D2", "乙开发商", developer="1"),
            ],
            [3],
            "D1 on line 3 is the developer already",
            id="two developers",
        ),
        pytest.param([row(room="1" * 21)], [2], "room is too long", id="room too long"),
        pytest.param([row(key="K" * 65)], [2], "owner_key is too long", id="owner key too long"),
        pytest.param([row(room="1|2")], [2], "may not contain", id="separator in room"),
        pytest.param([row() + ",extra"], [2], "more cells than the header", id="extra cells"),
    ],
)
def test_each_kind_of_bad_row_is_reported_on_its_line(rows, bad_lines, fragment):
    good_before = row("9001", "G1", "好人甲", building="8栋")
    good_after = row("9002", "G2", "好人乙", building="8栋")
    offset = 1  # the good row before moves every bad line down by one
    parsed = parse(csv(good_before, *rows, good_after))
    assert lines(parsed) == [n + offset for n in bad_lines], messages(parsed)
    assert fragment in messages(parsed)
    assert parsed.units == {} and parsed.owners == {}  # nothing usable comes out of a file with errors


def test_every_bad_row_is_reported_not_only_the_first():
    parsed = parse(csv(row(area="x"), row("102", "K2", name=""), row("103", "K3", phone="1"), row("104", "K4")))
    assert lines(parsed) == [2, 3, 4]


def test_a_bad_cell_does_not_also_count_as_a_conflict():
    """A co-owner row whose area is unreadable reports the area only, not a disagreement with its unit."""
    parsed = parse(csv(row(key="K1"), row(key="K2", area="abc")))
    assert lines(parsed) == [3] and "not a number" in messages(parsed)


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("building,entrance,room,area_m2,owner_name", "Missing columns: owner_key"),
        ("building,room,area_m2,owner_name,owner_key,mobile", "Unknown columns: mobile"),
        ("building,room,room,area_m2,owner_name,owner_key", "Repeated columns: room"),
        ("", "Missing columns: building, room, area_m2, owner_name, owner_key"),
    ],
)
def test_a_wrong_header_is_one_error_on_line_1(header, fragment):
    parsed = parse(csv("1栋,101,88.50,张三,K1", "1栋,102,88.50,李四,K2", header=header))
    assert lines(parsed) == [1]
    assert fragment in messages(parsed) and "The columns are: building, entrance" in messages(parsed)


def test_header_is_trimmed_case_insensitive_in_any_order_with_optional_columns_left_out():
    parsed = parse(csv("张三 , K1 ,101, 88.5 ,1栋 ", header=" Owner_Name,OWNER_KEY , room,Area_M2, building,"))
    assert parsed.errors == []
    unit = parsed.units["1栋||101"]
    assert (unit.area_m2, unit.area_source, unit.voter_key) == (Decimal("88.50"), "registered", "K1")
    assert parsed.owners["K1"].name == "张三" and parsed.owners["K1"].phone is None


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "The file is empty"),
        (b"  \r\n", "The file is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "not a CSV text file"),
        ("building,room\n".encode("utf-16"), "not a CSV text file"),
        (b"building,room\n\xff\xfe\xfd\xfc\n", "neither UTF-8 nor GBK"),
        (HEADER.encode() + b"\n", "no rows of units"),
        (HEADER.encode() + b"\n,,,,,,,,,\n\n", "no rows of units"),
    ],
)
def test_whole_file_problems_are_one_clear_error(data, fragment):
    parsed = parse(data)
    assert lines(parsed) == [0] and fragment in messages(parsed)


def test_an_unclosed_quote_is_reported():
    parsed = parse(csv(row(), '1栋,1单元,102,"88.50,registered,李四,K2,,,'))
    assert lines(parsed) == [3] and "quotation mark" in messages(parsed)


def test_gbk_and_utf8_with_bom_read_like_utf8():
    text = "\n".join(
        [HEADER, row("101", "K1", "张三"), row("102", "K2", "欧阳娜娜", building="十二栋", source="surveyed")]
    )
    text += "\n"
    utf8, gbk, bom = parse(text.encode()), parse(text.encode("gbk")), parse(b"\xef\xbb\xbf" + text.encode())
    assert utf8.errors == [] and utf8.owners["K2"].name == "欧阳娜娜"
    for other in (gbk, bom):
        assert (other.errors, other.units, other.owners) == (utf8.errors, utf8.units, utf8.owners)
    assert "十二栋|1单元|102" in gbk.units


def test_line_numbers_count_blank_rows_and_quoted_line_breaks_as_a_spreadsheet_does():
    data = csv(row("101", "K1"), "", '1栋,1单元,102,88.50,,"李\n四",K2,,,', row("103", "K3", area="x"))
    parsed = parse(data)
    assert lines(parsed) == [5]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("0", False),
        ("TRUE", True),
        ("false", False),
        ("Yes", True),
        ("no", False),
        ("是", True),
        ("否", False),
        ("", False),
    ],
)
def test_yes_no_cells(value, expected):
    parsed = parse(csv(row(developer=value)))
    assert parsed.errors == [] and parsed.owners["K1"].is_developer is expected


@pytest.mark.parametrize(
    ("area", "expected"), [("88", "88.00"), ("88.5", "88.50"), ("88.500", "88.50"), (".5", "0.50"), ("0.01", "0.01")]
)
def test_areas_are_exact_decimals(area, expected):
    unit = parse(csv(row(area=area))).units["1栋|1单元|101"]
    assert isinstance(unit.area_m2, Decimal) and str(unit.area_m2) == expected


def test_phone_spaces_dashes_and_country_code_are_tolerated():
    parsed = parse(csv(row(phone="+86 138-0013-8000")))
    assert parsed.owners["K1"].phone == "13800138000"


def test_an_owner_with_a_phone_on_a_later_row_keeps_it():
    parsed = parse(csv(row("101", "K1"), row("102", "K1", phone="13800138000")))
    assert parsed.owners["K1"].phone == "13800138000" and parsed.owners["K1"].phone_line == 3


def test_template_csv_is_a_valid_register():
    parsed = parse(importer.TEMPLATE_CSV.encode())
    assert parsed.errors == [] and len(parsed.units) == 2


def test_messages_render_without_an_app():
    """Lazy messages become text outside Flask (English), e.g. in a script."""
    parsed = parse(csv(row(area="x")))
    assert str(parsed.errors[0].message) == "The area “x” is not a number (write e.g. 89.50)."


def notes(parsed) -> list[tuple[int, str]]:
    """Each note's line and English text."""
    return [(n.line, str(n.message)) for n in parsed.notes]


def test_an_owner_with_two_phones_is_a_note_not_an_error():
    """Phones are contact data: the first one is kept, the other line is named in a note."""
    parsed = parse(csv(row("101", "K1", phone="13800138000"), row("102", "K1", phone="13900139000")))
    assert parsed.errors == []
    assert list(parsed.units) == ["1栋|1单元|101", "1栋|1单元|102"]
    assert parsed.owners["K1"].phone == "13800138000" and parsed.owners["K1"].phone_line == 2
    assert notes(parsed) == [
        (3, "Owner key K1 has the phone 13800138000 on line 2 and 13900139000 here: 13800138000 is kept.")
    ]


def test_one_phone_for_two_owners_is_a_note_not_an_error():
    """An elderly parent and a child sharing one phone: two owners, each with the phone, and a note."""
    parsed = parse(csv(row("101", "K1", phone="13800138000"), row("102", "K2", "李四", phone="13800138000")))
    assert parsed.errors == []
    assert parsed.owners["K1"].phone == parsed.owners["K2"].phone == "13800138000"
    assert notes(parsed) == [
        (
            3,
            "The phone 13800138000 is also given for owner key K1 on line 2. Both keep it as a contact phone; "
            "only one of them can log in with it.",
        )
    ]


def test_the_same_phone_again_for_the_same_owner_is_no_note():
    parsed = parse(csv(row("101", "K1", phone="13800138000"), row("102", "K1", phone="138 0013 8000")))
    assert parsed.errors == [] and parsed.notes == []


def test_a_file_with_errors_still_reports_them_beside_its_notes():
    parsed = parse(csv(row("101", "K1", phone="13800138000"), row("102", "K2", "李四", area="x", phone="13800138000")))
    assert lines(parsed) == [3] and parsed.units == {}
