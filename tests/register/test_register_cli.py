"""`flask portal import-owners`: exit codes, messages, and the same rules as the pages."""

from __future__ import annotations

import pytest
from register_files import big, csv, row

from portal.compounds.models import Unit
from portal.extensions import db


@pytest.fixture
def run(app, database, tmp_path):
    """Run the command on a file with these bytes; the command shares the test's transaction."""
    runner = app.test_cli_runner()

    def _run(slug: str, data: bytes | None, *options: str):
        """Write the file (unless None) and run the command."""
        path = tmp_path / "register.csv"
        if data is not None:
            path.write_bytes(data)
        return runner.invoke(args=["portal", "import-owners", slug, str(path), *options])

    return _run


def rooms(compound) -> list[str]:
    """The compound's rooms as stored."""
    return sorted(db.session.scalars(db.select(Unit.room).where(Unit.compound_id == compound.id)))


def test_help_explains_when_changes_are_applied(run, app):
    result = app.test_cli_runner().invoke(args=["portal", "import-owners", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--apply" in text and "nothing changes and the exit status is 0" in text


def test_unknown_compound(run):
    result = run("no-such-place", csv(row()))
    assert result.exit_code == 1 and "no compound with slug 'no-such-place'" in result.stderr


def test_missing_file_is_a_usage_error(app, database):
    result = app.test_cli_runner().invoke(args=["portal", "import-owners", "x", "/nonexistent/register.csv"])
    assert result.exit_code == 2


def test_first_import_applies_at_once(run, make, counts):
    compound = make.compound()
    before = counts()
    result = run(compound.slug, csv(row("101", "K1"), row("102", "K2", "李四")))
    assert result.exit_code == 0, result.output
    assert f"imported into {compound.slug}: 2 units, 2 owners (2 heads), total area 177.00 m²" in result.stdout
    assert rooms(compound) == ["101", "102"]
    assert counts()["AuditEvent"] == before["AuditEvent"] + 1


def test_300_rows_with_3_bad_ones_print_exactly_those_lines_and_change_nothing(run, make, imported, counts):
    compound = make.compound()
    imported(compound, big(300))
    before = counts()
    bad = {
        2: row(room="0001", key="K0001", name="业主1", source="measured"),
        200: row(room="0199", key="K0199", name="业主199", building="4栋", area="-1"),
        301: row(room="0300", key="K0300", name="业主300", building="5栋", voter="maybe"),
    }
    result = run(compound.slug, big(300, bad))
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 200", "line 301"]
    assert "line 200: The area must be more than 0." in problems
    assert "3 problem(s)" in result.stderr and "nothing was imported" in result.stderr
    assert result.stdout == ""
    assert counts() == before


def test_a_gbk_file_imports_like_its_utf8_twin(run, make):
    compound = make.compound()
    text = csv(row("101", "K1", "张三"), row("102", "K2", "欧阳娜娜")).decode()
    assert run(compound.slug, text.encode("gbk")).exit_code == 0
    result = run(compound.slug, text.encode("utf-8"))
    assert result.exit_code == 0 and "nothing changed" in result.stdout


def test_a_changed_register_is_printed_and_applied_only_with_apply(run, make, imported, counts):
    compound = make.compound()
    imported(compound, csv(row("101", "K1"), row("102", "K2", "李四")))
    changed = csv(row("101", "K1", area="90.00"), row("103", "K3", "王五"))
    before = counts()

    result = run(compound.slug, changed)
    assert result.exit_code == 0
    out = result.stdout
    assert "units: 1 added, 1 removed, 1 changed" in out and "owners: 1 added, 1 removed, 0 changed" in out
    assert "+ unit 1栋 1单元 103: 88.50 m² registered, owners 王五" in out
    assert "- unit 1栋 1单元 102: 88.50 m², owners 李四" in out
    assert "~ unit 1栋 1单元 101: area_m2 88.50 → 90.00" in out
    assert "+ owner K3 王五" in out and "- owner K2 李四" in out
    assert "run again with --apply" in out
    assert counts() == before and rooms(compound) == ["101", "102"]

    result = run(compound.slug, changed, "--apply")
    assert result.exit_code == 0 and "imported into" in result.stdout
    assert rooms(compound) == ["101", "103"]
    assert counts()["AuditEvent"] == before["AuditEvent"] + 1


def test_an_unchanged_register_says_nothing_changed(run, make, imported, counts):
    compound = make.compound()
    data = csv(row())
    imported(compound, data)
    before = counts()
    for options in ((), ("--apply",)):
        result = run(compound.slug, data, *options)
        assert result.exit_code == 0 and "nothing changed" in result.stdout
    assert counts() == before


def test_phone_notes_are_printed_and_the_register_imported(run, make):
    compound = make.compound()
    make.person("别人", phone="13800138000")  # logs in with it: no matter for the register
    data = csv(row("101", "K1", phone="13800138000"), row("102", "K2", "李四", phone="13800138000"))
    result = run(compound.slug, data)
    assert result.exit_code == 0, result.stderr
    assert "note, line 3: The phone 13800138000 is also given for owner key K1 on line 2." in result.stdout
    assert rooms(compound) == ["101", "102"]


def test_a_whole_file_problem_is_reported_as_file(run, make):
    compound = make.compound()
    result = run(compound.slug, b"")
    assert result.exit_code == 1 and "file: The file is empty." in result.stderr
