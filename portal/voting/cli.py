"""`flask --app app portal verify-vote ID`: recount a vote and check its sealed ballot box."""

from __future__ import annotations

import click

from portal.extensions import db
from portal.voting.models import Vote


@click.command("verify-vote")
@click.argument("vote_id", type=int)
def verify_vote(vote_id: int) -> None:
    """Recount every item from the stored ballots and recompute the digest; exit 1 on any disagreement."""
    from portal.voting.verify import verify

    vote = db.session.get(Vote, vote_id)
    if vote is None:
        raise click.ClickException(f"no vote with id {vote_id}")
    report = verify(vote)
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


COMMANDS = [verify_vote]
