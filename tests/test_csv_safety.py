"""CSV injection: every CSV the portal writes (results.csv, the activation codes of `portal issue-codes`, the register
template) escapes cells a spreadsheet would run as formulas; the codes file is readable by its owner only."""

from __future__ import annotations

import ast
import csv
import io
import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from portal import csvsafe
from portal.extensions import db
from portal.register import importer
from tests.voting import conftest as voting
from tests.voting.test_results_pages import _election, cast, cast_election, cast_poll, post, url

estate, make_vote = voting.estate, voting.make_vote  # the voting fixtures, for results.csv

PORTAL = Path(__file__).resolve().parent.parent / "portal"
HYPERLINK = '=HYPERLINK("http://x")'

# Every module that writes CSV, with the test below that feeds it hostile text. A new one must be added here.
CSV_WRITERS = {
    "voting/export.py": "test_results_csv_escapes_names_titles_and_labels",
    "cli.py": "test_issue_codes_escapes_names_and_rooms",
    "drive/services.py": "test_non_voter_csv_escapes_names_phones_and_notes",
}
# Every route that answers with a CSV file, with the test that checks what it sends.
CSV_ROUTES = {
    "/c/<slug>/votes/<int:vote_id>/results.csv": "test_results_csv_escapes_names_titles_and_labels",
    "/staff/c/<slug>/register/template.csv": "test_the_register_template_has_no_formula_cell",
    "/c/<slug>/drive/votes/<int:vote_id>/buildings/<int:building_id>.csv": (
        "test_non_voter_csv_escapes_names_phones_and_notes"
    ),
}


# --- the rule ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1", "'+1"),
        ("-", "'-"),
        ("-1", "'-1"),  # text, e.g. a room someone typed: escaped like any text
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("张三", "张三"),
        ("a=b", "a=b"),  # only the first character matters
        (" =1", " =1"),
        ("598.88", "598.88"),
        ("61.5% (8/13)", "61.5% (8/13)"),
        ("—", "—"),
        ("", ""),
        (3, 3),  # numbers stay numbers: they cannot carry a formula
        (-1, -1),
        (Decimal("-12.50"), Decimal("-12.50")),
        (None, None),
        (True, "True"),
    ],
)
def test_a_cell_starting_like_a_formula_gets_an_apostrophe(value, written):
    assert csvsafe.cell(value) == written
    assert type(csvsafe.cell(value)) is type(written)


def test_the_writer_escapes_every_cell_and_keeps_csv_options():
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\r\n")
    writer.writerow(["name", "rooms", "n"])
    writer.writerows([[HYPERLINK, "+1", 2], ["李娜", "1栋 101", None]])
    assert out.getvalue() == 'name,rooms,n\r\n"\'=HYPERLINK(""http://x"")",\'+1,2\r\n李娜,1栋 101,\r\n'


# --- every writer and every route is the safe one ------------------------------------------------------------------


def _modules():
    for path in sorted(PORTAL.rglob("*.py")):
        yield path.relative_to(PORTAL).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _uses(node: ast.AST, module: str, names: tuple[str, ...]) -> bool:
    """Whether `node` is `module.name` or `from module import name` for one of `names`."""
    if isinstance(node, ast.Attribute):
        return node.attr in names and isinstance(node.value, ast.Name) and node.value.id == module
    if isinstance(node, ast.ImportFrom):
        return node.module == module and any(alias.name in names for alias in node.names)
    return False


def test_no_module_but_csvsafe_builds_a_csv_writer():
    plain = [
        f"{name}:{node.lineno}"
        for name, tree in _modules()
        if name != "csvsafe.py"
        for node in ast.walk(tree)
        if _uses(node, "csv", ("writer", "DictWriter"))
    ]
    assert plain == [], "write CSV through portal.csvsafe.writer, which escapes formula cells"


def test_every_module_writing_csv_is_listed_and_tested():
    users = {name for name, tree in _modules() for node in ast.walk(tree) if _uses(node, "csvsafe", ("writer",))}
    assert users == set(CSV_WRITERS)
    assert all(callable(globals()[test]) for test in CSV_WRITERS.values())


def test_every_csv_route_is_listed_and_tested(app):
    routes = {rule.rule for rule in app.url_map.iter_rules() if ".csv" in rule.rule}
    assert routes == set(CSV_ROUTES)
    assert all(callable(globals()[test]) for test in CSV_ROUTES.values())
    # A CSV answered under another name would still say text/csv: only the modules of the routes above do.
    answering = {
        name
        for name, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("text/csv")
    }
    assert answering == {"voting/results_views.py", "register/views.py", "drive/views.py"}


def _cells(text: str) -> list[str]:
    return [value for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for value in row]


def _no_formula(cells: list[str]) -> None:
    assert not [value for value in cells if value.startswith(csvsafe.FORMULA_STARTS)], cells


def test_the_register_template_has_no_formula_cell():
    _no_formula(_cells(importer.TEMPLATE_CSV))


# --- results.csv ---------------------------------------------------------------------------------------------------


def _read(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_results_csv_escapes_names_titles_and_labels(client, estate, make_vote, login):
    estate.people.one.name = HYPERLINK  # a candidate named like a formula
    estate.people.two.name = "-"
    db.session.commit()
    election = _election(estate, make_vote)
    cast_election(estate, election, {"one": ("one", "two"), "two": ("one",)})
    post(estate, election)

    resolution = make_vote()
    resolution.items[0].title = "@SUM(A1:A9)"
    resolution.items[1].title = "+1"
    db.session.commit()
    cast(estate, resolution, {"one": ("yes", "no"), "two": ("no", "yes")})
    post(estate, resolution)

    poll = make_vote(kind="poll", options=("=1+1", "\t方案"))
    cast_poll(estate, poll, (("one", poll.options[0]), ("resident", poll.options[1])))
    post(estate, poll)

    login(estate.people.one)
    names = [row[1] for row in _read(client.get(url(election, "results.csv")))[1:]]
    assert "'" + HYPERLINK in names and "'-" in names
    titles = [row[1] for row in _read(client.get(url(resolution, "results.csv")))[1:]]
    assert titles == ["'@SUM(A1:A9)", "'+1"]
    labels = [row[0] for row in _read(client.get(url(poll, "results.csv")))[1:]]
    assert labels == ["'=1+1", "'\t方案"]
    for vote in (election, resolution, poll):
        _no_formula([value for row in _read(client.get(url(vote, "results.csv"))) for value in row])


# --- portal issue-codes --------------------------------------------------------------------------------------------


def _hostile_compound(make):
    compound = make.compound("codes")
    person = make.person(HYPERLINK, active=False)
    make.member(person, compound)
    make.unit(compound, "+1", building="+1", entrance=None, owners=[person])
    return compound


def test_issue_codes_escapes_names_and_rooms(app, database, make):
    _hostile_compound(make)
    result = app.test_cli_runner().invoke(args=["portal", "issue-codes", "codes"])
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["name"] == "'" + HYPERLINK and row["rooms"].startswith("'+1")
    _no_formula(_cells(result.stdout))


def test_issue_codes_file_is_readable_by_its_owner_only(app, database, make, tmp_path):
    _hostile_compound(make)
    out = tmp_path / "codes.csv"
    out.write_text("old, world-readable\n")
    out.chmod(0o644)  # a file left there before is made private too, and emptied
    old_umask = os.umask(0o022)
    try:
        result = app.test_cli_runner().invoke(args=["portal", "issue-codes", "codes", "-o", str(out)])
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8-sig")
    assert "old" not in text and "'" + HYPERLINK in _cells(text)
    _no_formula(_cells(text))


def test_issue_codes_refuses_to_follow_a_link_and_issues_nothing(app, database, make, tmp_path):
    from portal.accounts.models import ActivationCode

    _hostile_compound(make)
    target = tmp_path / "elsewhere.csv"
    target.write_text("")
    link = tmp_path / "codes.csv"
    link.symlink_to(target)
    result = app.test_cli_runner().invoke(args=["portal", "issue-codes", "codes", "-o", str(link)])
    assert result.exit_code != 0 and "cannot write" in result.output
    assert target.read_text() == ""
    assert database.session.scalar(db.select(db.func.count()).select_from(ActivationCode)) == 0


def test_non_voter_csv_escapes_names_phones_and_notes(client, estate, make, make_vote, login):
    """楼栋未投票名单: an owner's name, a phone and a visit's note typed as formulas arrive as text."""
    from portal.drive import services as drive
    from portal.drive.models import VisitOutcome

    owner = make.person(HYPERLINK, phone="+8613900000000")
    make.member(owner, estate.compound)
    unit = make.unit(estate.compound, "888", building="8栋", owners=[owner])
    vote = make_vote()
    drive.record_visit(vote, unit, estate.people.staff, VisitOutcome.reached, "@SUM(A1)")
    db.session.commit()
    login(estate.people.staff)
    response = client.get(f"/c/lvyuan/drive/votes/{vote.id}/buildings/{unit.building_id}.csv")
    assert response.status_code == 200
    cells = _cells(response.get_data(as_text=True))
    _no_formula(cells)
    assert "'" + HYPERLINK in cells and "'+8613900000000" in cells and "'@SUM(A1)" in cells
