"""Register files for the tests: one CSV line per call, whole files, and a large file with chosen bad lines."""

from __future__ import annotations

HEADER = "building,entrance,room,area_m2,area_source,owner_name,owner_key,phone,is_developer,designated_voter"


def row(
    room="101",
    key="K1",
    name="张三",
    area="88.50",
    source="registered",
    building="1栋",
    entrance="1单元",
    phone="",
    developer="0",
    voter="",
) -> str:
    """One CSV line in HEADER order."""
    return ",".join([building, entrance, room, area, source, name, key, phone, developer, voter])


def csv(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    """A register file: the header, then the rows."""
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def big(n: int = 300, bad: dict[int, str] | None = None) -> bytes:
    """A file of n data rows (one unit and owner each); `bad` maps a line number (header = 1) to its row."""
    rows = []
    for i in range(1, n + 1):
        line = i + 1
        building = f"{1 + (i - 1) // 60}栋"
        rows.append((bad or {}).get(line) or row(room=f"{i:04d}", key=f"K{i:04d}", name=f"业主{i}", building=building))
    return csv(*rows)
