"""Voting commands: `flask --app app portal verify-vote ID [--digest HEX]` recounts a vote and checks its sealed
ballot box; `flask --app app portal tick` opens and closes votes on time (run it every minute from cron or a systemd
timer)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.extensions import db
from portal.voting.models import Vote


@click.command("verify-vote")
@click.argument("vote_id", type=int)
@click.option("--digest", "published", metavar="HEX", help="The digest as published (on the notice): must match.")
@with_appcontext
def verify_vote(vote_id: int, published: str | None) -> None:
    """Recount every item from the stored ballots and recompute the digest; exit 1 on any disagreement."""
    from portal.voting.verify import verify

    vote = db.session.get(Vote, vote_id)
    if vote is None:
        raise click.ClickException(f"no vote with id {vote_id}")
    report = verify(vote)
    if published is not None and published.strip().lower() != (report.digest or "").lower():
        # The stored digest lives in the database it protects: only a copy published outside it catches a re-seal.
        report.problems.append(f"digest differs from the published one: published {published.strip()}, "
                               f"recomputed {report.digest}")  # fmt: skip
    click.echo(f"vote {vote.id}: {vote.title}")
    click.echo(f"ballots: {report.ballot_count}   digest: {report.digest}")
    if report.results is not None:
        r = report.results
        click.echo(f"participation: {r.participation.heads} of {r.electorate.heads} heads, "
                   f"{r.participation.area} of {r.electorate.area} m²; quorum met: {r.quorum_met}")  # fmt: skip
        for item, res in r.items:
            click.echo(f"  item {item.position} ({res.matter}): yes {res.yes.heads}/{res.yes.area} "
                       f"no {res.no.heads}/{res.no.area} abstain {res.abstain.heads}/{res.abstain.area} "
                       f"→ {'passed' if res.passed else 'not passed'} ({res.reason})")  # fmt: skip
        for candidate, res in r.candidates:
            click.echo(f"  {candidate.person.name}: {res.votes.heads} heads, {res.votes.area} m² → {res.outcome}")
        for option, res in r.options:
            click.echo(f"  {option.label}: {res.heads} heads")
    if not report.ok:
        for problem in report.problems:
            click.echo(f"FAILED: {problem}", err=True)
        raise SystemExit(1)
    click.echo("OK: the recount matches and the digest verifies")


@click.command("tick")
@with_appcontext
def tick() -> None:
    """Open every announced vote whose opening time has passed, close every open vote whose closing time has passed,
    and post the "closes within 24 hours" notices; exit 1 if a vote could not take its step."""
    from portal.voting import lifecycle

    failed = []
    try:
        handled = lifecycle.tick()
    except lifecycle.TickError as error:
        handled, failed = error.handled, error.failed
    for vote, done in handled:
        click.echo(f"vote {vote.id}: {', '.join(done)}")
    for vote_id, problem in failed:
        click.echo(f"FAILED: vote {vote_id}: {problem!r}", err=True)
    if failed:
        raise SystemExit(1)


COMMANDS = [verify_vote, tick]
