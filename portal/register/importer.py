"""Reading an owner register CSV (业主名册): decode, parse and check every row. Pure: no Flask app, no database.

Line numbers are the rows a spreadsheet user sees: the header is line 1, and a quoted cell spanning several text
lines still counts as one row. Line 0 means the file as a whole (empty, not text, not CSV).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l

COLUMNS = (
    "building",
    "entrance",
    "room",
    "area_m2",
    "area_source",
    "owner_name",
    "owner_key",
    "phone",
    "is_developer",
    "designated_voter",
)
REQUIRED = ("building", "room", "area_m2", "owner_name", "owner_key")
AREA_SOURCES = ("registered", "surveyed", "contract")  # the values of compounds.models.AreaSource
TEMPLATE_CSV = (
    ",".join(COLUMNS) + "\r\n"
    "1栋,1单元,101,89.50,registered,张三,A0001,13800138000,0,\r\n"
    "1栋,1单元,102,120.35,contract,绿园置业有限公司,DEV,,1,\r\n"
)

# Column widths of the tables the register lands in (a longer value would fail there, on PostgreSQL only).
MAX_LENGTH = {"building": 40, "entrance": 40, "room": 20, "owner_name": 100, "owner_key": 64}
MAX_UNIT_KEY = 100
MAX_AREA = Decimal("9999999999.99")  # NUMERIC(12,2)
CENT = Decimal("0.01")

# Same rule as accounts.forms.PHONE, repeated so that this module stays free of Flask-WTF.
PHONE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)
TRUE = {"1", "true", "yes", "y", "是"}
FALSE = {"0", "false", "no", "n", "否", ""}


@dataclass(frozen=True)
class RowError:
    """One problem: the line a spreadsheet user sees (1 = header, 0 = the whole file) and why."""

    line: int
    message: object  # a lazy string, rendered in the reader's language when shown


@dataclass(frozen=True)
class ParsedUnit:
    """A unit as the file describes it; `owner_keys` in file order, `voter_key` the one who votes for it."""

    key: str
    building: str
    entrance: str
    room: str
    area_m2: Decimal
    area_source: str
    owner_keys: tuple[str, ...]
    voter_key: str
    line: int

    @property
    def label(self) -> str:
        """The room as owners write it: 3栋 2单元 1201."""
        return " ".join(p for p in (self.building, self.entrance, self.room) if p)


@dataclass(frozen=True)
class ParsedOwner:
    """An owner as the file describes them; `line` is their first row, `phone_line` the row giving the phone."""

    key: str
    name: str
    phone: str | None
    is_developer: bool
    line: int
    phone_line: int | None = None


@dataclass
class ParsedRegister:
    """The result of `parse`: every error, or (only when there is none) the units and owners in file order; and
    the notes, which never stop an import."""

    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)  # worth a look, never a refusal: phones that differ
    units: dict[str, ParsedUnit] = field(default_factory=dict)
    owners: dict[str, ParsedOwner] = field(default_factory=dict)
    sha256: str = ""

    @property
    def total_area(self) -> Decimal:
        """Sum of the units' exclusive floor areas."""
        return sum((u.area_m2 for u in self.units.values()), Decimal("0.00"))

    @property
    def heads(self) -> int:
        """Owners counted as Art. 278 counts them: one per distinct designated voter."""
        return len({u.voter_key for u in self.units.values()})

    @property
    def co_owned_units(self) -> int:
        """Units with more than one owner."""
        return sum(1 for u in self.units.values() if len(u.owner_keys) > 1)

    @property
    def developer_units(self) -> int:
        """Units held by the developer (建设单位)."""
        developers = {k for k, o in self.owners.items() if o.is_developer}
        return sum(1 for u in self.units.values() if developers & set(u.owner_keys))


class _Joined:
    """Several lazy messages shown as one sentence (rendered only when shown, like each part)."""

    def __init__(self, parts: Iterable[object]) -> None:
        """Keep the parts unrendered."""
        self.parts = list(parts)

    def __str__(self) -> str:
        """The parts in the current language, joined by spaces."""
        return " ".join(str(p) for p in self.parts)


@dataclass
class _Row:
    """One data row with each cell checked on its own; a cell that failed its check is None."""

    line: int
    building: str
    entrance: str
    room: str
    area: Decimal | None
    source: str | None
    name: str
    key: str
    phone: str | None
    developer: bool | None
    voter: bool | None

    @property
    def unit_key(self) -> str | None:
        """The unit's identity, or None when building or room is missing or unusable."""
        if not self.building or not self.room or "|" in self.building + self.entrance + self.room:
            return None
        return f"{self.building}|{self.entrance}|{self.room}"


def parse(data: bytes) -> ParsedRegister:
    """Decode, parse and check a register CSV; report every bad row, keep the units and owners only if none."""
    result = ParsedRegister(sha256=hashlib.sha256(data).hexdigest())
    text, error = decode(data)
    if error is not None:
        result.errors.append(RowError(0, error))
        return result
    rows, errors = _read_rows(text)
    errors += _check_across_rows(rows)
    result.notes = _phone_notes(rows)
    if not rows and not errors:
        errors.append(RowError(0, _l("The file has a header but no rows of units.")))
    result.errors = sorted(errors, key=lambda e: e.line)
    if not result.errors:
        result.units, result.owners = _collect(rows)
    return result


def decode(data: bytes) -> tuple[str, object | None]:
    """UTF-8 (with or without BOM), else GB18030 (which includes GBK: what Excel saves in China)."""
    if not data.strip():
        return "", _l("The file is empty.")
    if b"\x00" in data:  # binary files (.xlsx, images) and UTF-16 "Unicode text" exports
        return "", _l("This is not a CSV text file. In Excel choose Save As → “CSV UTF-8” and upload that file.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), None
        except UnicodeDecodeError:
            continue
    return "", _l("The file is neither UTF-8 nor GBK text. In Excel choose Save As → “CSV UTF-8” and try again.")


def _read_rows(text: str) -> tuple[list[_Row], list[RowError]]:
    """Read the header and every row, checking each cell on its own."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    errors: list[RowError] = []
    line = 0
    try:
        header = None
        for line, cells in enumerate(reader, start=1):
            if header is None:
                header = [c.strip().lower() for c in cells]
                problem = _check_header(header)
                if problem is not None:
                    return [], [RowError(1, problem)]
                continue
            if not any(c.strip() for c in cells):
                continue  # blank rows (spreadsheets often leave some at the end)
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                errors.append(RowError(line, _l("This row has more cells than the header has columns.")))
                continue
            row, row_errors = _read_row(line, dict(zip(header, (c.strip() for c in cells), strict=False)))
            rows.append(row)
            errors += row_errors
    except csv.Error:
        errors.append(
            RowError(line + 1, _l("This row is not valid CSV: check for a quotation mark that is not closed."))
        )
    return rows, errors


def _check_header(header: list[str]) -> object | None:
    """One message naming every missing, unknown or repeated column, or None if the header is right."""
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS]  # unnamed columns are ignored, as spreadsheets add them
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if not (missing or unknown or repeated):
        return None
    parts = [_l("The header row is not right.")]
    if missing:
        parts.append(_l("Missing columns: %(columns)s.", columns=", ".join(missing)))
    if unknown:
        parts.append(_l("Unknown columns: %(columns)s.", columns=", ".join(unknown)))
    if repeated:
        parts.append(_l("Repeated columns: %(columns)s.", columns=", ".join(repeated)))
    parts.append(_l("The columns are: %(columns)s.", columns=", ".join(COLUMNS)))
    return _Joined(parts)


def _read_row(line: int, cells: dict[str, str]) -> tuple[_Row, list[RowError]]:
    """Check each cell of one row on its own."""
    errors: list[RowError] = []

    def error(message) -> None:
        """Note a problem of this row."""
        errors.append(RowError(line, message))

    get = cells.get
    building, entrance, room = get("building", ""), get("entrance", ""), get("room", "")
    name, key = get("owner_name", ""), get("owner_key", "")
    if not building:
        error(_l("The building is missing."))
    if not room:
        error(_l("The room is missing."))
    if "|" in building + entrance + room:
        error(_l("Building, entrance and room may not contain “|”."))
    if not name:
        error(_l("The owner's name is missing."))
    if not key:
        error(_l("The owner key is missing."))
    for column, limit in MAX_LENGTH.items():
        if len(get(column, "")) > limit:
            error(_l("%(column)s is too long: at most %(max)d characters.", column=column, max=limit))
    if len(f"{building}|{entrance}|{room}") > MAX_UNIT_KEY:
        error(_l("Building, entrance and room together are too long."))
    area = _area(get("area_m2", ""), error)
    source = get("area_source", "").lower() or "registered"
    if source not in AREA_SOURCES:
        error(_l("The area source must be registered, surveyed or contract (or empty for registered)."))
        source = None
    phone = _phone(get("phone", ""), error)
    developer = _flag(get("is_developer", ""), "is_developer", error)
    voter = _flag(get("designated_voter", ""), "designated_voter", error)
    row = _Row(line, building, entrance, room, area, source, name, key, phone, developer, voter)
    return row, errors


def _area(text: str, error) -> Decimal | None:
    """专有部分面积: a positive number of m² with at most two decimals, read exactly."""
    if not text:
        error(_l("The area is missing."))
        return None
    if not NUMBER.match(text):
        error(_l("The area “%(value)s” is not a number (write e.g. 89.50).", value=text))
        return None
    area = Decimal(text)  # the pattern admits only plain decimals: no exponent, NaN or Infinity
    if area <= 0:
        error(_l("The area must be more than 0."))
        return None
    if area != area.quantize(CENT):
        error(_l("The area “%(value)s” has more than two decimals.", value=text))
        return None
    if area > MAX_AREA:
        error(_l("The area “%(value)s” is too large.", value=text))
        return None
    return area.quantize(CENT)


def _phone(text: str, error) -> str | None:
    """An optional 11-digit mainland mobile number; spaces, dashes and a +86 prefix are tolerated."""
    phone = re.sub(r"[\s-]", "", text)
    if phone.startswith("+86"):
        phone = phone[3:]
    if not phone:
        return None
    if not PHONE.match(phone):
        error(_l("The phone “%(value)s” is not an 11-digit mobile number.", value=text))
        return None
    return phone


def _flag(text: str, column: str, error) -> bool | None:
    """A yes/no cell: 1/0, true/false, yes/no, 是/否; empty means no."""
    value = text.lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    error(_l("%(column)s must be 1 or 0 (or yes/no, 是/否), not “%(value)s”.", column=column, value=text))
    return None


def _check_across_rows(rows: list[_Row]) -> list[RowError]:
    """Rules between rows: one unit agrees with itself, one owner key is one person, one developer."""
    errors: list[RowError] = []
    seen: dict[str, dict] = {name: {} for name in ("area", "source", "unit_owner", "voter", "name", "dev")}
    developer: _Row | None = None

    def earlier(kind: str, key, row: _Row) -> _Row | None:
        """The first row seen for this key (remembering this one if it is the first), or None."""
        other = seen[kind].setdefault(key, row)
        return None if other is row else other

    for row in rows:
        unit, key, line = row.unit_key, row.key, row.line
        if unit is not None:
            if row.area is not None and (other := earlier("area", unit, row)) and other.area != row.area:
                message = _l(
                    "Line %(line)d of the same unit gives the area %(area)s.", line=other.line, area=other.area
                )
                errors.append(RowError(line, message))
            if row.source is not None and (other := earlier("source", unit, row)) and other.source != row.source:
                message = _l(
                    "Line %(line)d of the same unit gives the area source %(source)s.",
                    line=other.line,
                    source=other.source,
                )
                errors.append(RowError(line, message))
            if key and (other := earlier("unit_owner", (unit, key), row)):
                message = _l(
                    "Owner key %(key)s is listed for this unit on line %(line)d already.", key=key, line=other.line
                )
                errors.append(RowError(line, message))
            if row.voter and (other := earlier("voter", unit, row)):
                message = _l(
                    "Line %(line)d names the designated voter of this unit already: co-owners designate one.",
                    line=other.line,
                )
                errors.append(RowError(line, message))
        if not key:
            continue
        if row.name and (other := earlier("name", key, row)) and other.name != row.name:
            message = _l(
                "Owner key %(key)s has the name %(name)s on line %(line)d: one key is one person.",
                key=key,
                name=other.name,
                line=other.line,
            )
            errors.append(RowError(line, message))
        if row.developer is not None and (other := earlier("dev", key, row)) and other.developer != row.developer:
            message = _l("is_developer of owner key %(key)s differs from line %(line)d.", key=key, line=other.line)
            errors.append(RowError(line, message))
        elif row.developer and seen["dev"][key].developer:
            developer = developer or row
            if developer.key != key and seen["dev"][key] is row:  # reported once, on the second developer's first row
                message = _l(
                    "Owner key %(key)s on line %(line)d is the developer already: "
                    "all the developer's units are held by one owner key.",
                    key=developer.key,
                    line=developer.line,
                )
                errors.append(RowError(line, message))
    return errors


def _phone_notes(rows: list[_Row]) -> list[RowError]:
    """Phones are contact data: an owner given another phone on a later row, or a phone given for two owners, is a
    note on the later row (naming the earlier one), never an error. Only the phone set at activation is a login."""
    notes: list[RowError] = []
    first_of_owner: dict[str, _Row] = {}  # each owner's first row with a phone: the phone kept
    first_of_phone: dict[str, _Row] = {}  # each kept phone's first owner
    for row in rows:
        if row.phone is None or not row.key:
            continue
        kept = first_of_owner.setdefault(row.key, row)
        if kept is not row:
            if kept.phone != row.phone:
                message = _l(
                    "Owner key %(key)s has the phone %(phone)s on line %(line)d and %(other)s here: %(phone)s is kept.",
                    key=row.key,
                    phone=kept.phone,
                    line=kept.line,
                    other=row.phone,
                )
                notes.append(RowError(row.line, message))
            continue
        holder = first_of_phone.setdefault(row.phone, row)
        if holder is not row:
            message = _l(
                "The phone %(phone)s is also given for owner key %(key)s on line %(line)d. Both keep it as a contact "
                "phone; only one of them can log in with it.",
                phone=row.phone,
                key=holder.key,
                line=holder.line,
            )
            notes.append(RowError(row.line, message))
    return notes


def _collect(rows: list[_Row]) -> tuple[dict[str, ParsedUnit], dict[str, ParsedOwner]]:
    """Group valid rows into units and owners (called only when no row has an error)."""
    unit_rows: dict[str, list[_Row]] = {}
    owners: dict[str, ParsedOwner] = {}
    for row in rows:
        unit_rows.setdefault(row.unit_key, []).append(row)
        owner = owners.get(row.key)
        if owner is None:
            owners[row.key] = ParsedOwner(
                row.key, row.name, row.phone, bool(row.developer), row.line, row.line if row.phone else None
            )
        elif owner.phone is None and row.phone is not None:
            owners[row.key] = ParsedOwner(owner.key, owner.name, row.phone, owner.is_developer, owner.line, row.line)
    units = {}
    for key, group in unit_rows.items():
        first = group[0]
        voter = next((r for r in group if r.voter), first)
        units[key] = ParsedUnit(
            key=key,
            building=first.building,
            entrance=first.entrance,
            room=first.room,
            area_m2=first.area,
            area_source=first.source,
            owner_keys=tuple(r.key for r in group),
            voter_key=voter.key,
            line=first.line,
        )
    return units, owners
