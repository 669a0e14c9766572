"""Report card (成绩单) routes: per organisation and year, with a printable A4 view. Public, like the board."""

from __future__ import annotations

from flask import abort, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import permissions
from portal.boards import bp, chart, report
from portal.boards.access import serves
from portal.boards.models import BoardStatus, Organisation
from portal.compounds.services import get_compound
from portal.extensions import db
from portal.htmx import render
from portal.labels import label

FIRST_YEAR = 2000  # no card before the portal's time; later years up to the current one


def _load(slug: str, org_id: int, year: int):
    """The compound, and the organisation serving it (else 404); 404 for a year outside FIRST_YEAR … this year."""
    compound = get_compound(slug)
    permissions.require("view_board", compound, current_user)
    organisation = db.session.get(Organisation, org_id)
    if organisation is None or not serves(organisation, compound):
        abort(404)
    if not FIRST_YEAR <= year <= report.today_in_shanghai().year:
        abort(404)
    return compound, organisation


def figure_bars(card: report.ReportCard) -> list[chart.Bar]:
    """The five figures drawn as bars (the page's table lists the same five)."""
    return [
        chart.Bar(_("Commitments made"), card.made, chart.BLUE),
        chart.Bar(label(BoardStatus.fulfilled), card.fulfilled, chart.GREEN),
        chart.Bar(label(report.Outcome.on_time), card.on_time, chart.TEAL),
        chart.Bar(label(BoardStatus.overdue), card.overdue, chart.RED),
        chart.Bar(label(BoardStatus.withdrawn), card.withdrawn, chart.GREY),
    ]


def star_bars(card: report.ReportCard) -> list[chart.Bar]:
    """How many ratings gave 5, 4, 3, 2 and 1 stars."""
    return [
        chart.Bar(ngettext("%(num)d star", "%(num)d stars", n), card.stars[n - 1], chart.AMBER) for n in range(5, 0, -1)
    ]


def _context(compound, organisation, year: int, printing: bool = False) -> dict:
    card = report.card_for(organisation, year)
    figures = figure_bars(card)
    stars = star_bars(card)
    this_year = card.as_of.year  # always offered, so that an old card leads back to the current one
    years = sorted({y for y in report.years_of(organisation) if y <= this_year} | {this_year}, reverse=True)
    return dict(
        compound=compound,
        organisation=organisation,
        card=card,
        printing=printing,
        figures=figures,
        figures_chart=chart.bars("report-figures", _("Commitments made in %(year)d", year=year), figures),
        stars=stars,
        stars_chart=chart.bars("report-stars", _("Ratings by number of stars"), stars) if card.rating_count else None,
        other_years=[y for y in years if y != year],
        one_decimal=report.one_decimal,
        commitment_url=lambda line: url_for(
            "boards.commitment", slug=line.row.compound_slug or compound.slug, commitment_id=line.row.id
        ),
    )


@bp.route("/org/<int:org_id>/report/<int:year>")
def report_card(slug: str, org_id: int, year: int):
    """成绩单: an organisation's commitments of one year — made, fulfilled, on time, overdue, withdrawn, ratings."""
    compound, organisation = _load(slug, org_id, year)
    return render("boards/report_card.html", **_context(compound, organisation, year))


@bp.route("/org/<int:org_id>/report/<int:year>/print")
def report_card_print(slug: str, org_id: int, year: int):
    """The report card laid out for an A4 sheet (公示栏 on paper)."""
    compound, organisation = _load(slug, org_id, year)
    return render("boards/report_print.html", **_context(compound, organisation, year, printing=True))
