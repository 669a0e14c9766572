"""The rules of naming a unit's voter: every other co-owner confirms, once; decline, withdraw, replace; staff record
the paper form; exactly one voter per unit at every step; open votes keep the right they froze."""

from __future__ import annotations

import json

import pytest

from portal.audit import AuditEvent
from portal.coowners import services
from portal.coowners.models import ProposalState, VoterProposal
from portal.extensions import db
from portal.inbox.models import Notification
from portal.refusals import Refused
from portal.voting import electorate
from tests.coowners.conftest import voters


def _refused(code, call, *args):
    with pytest.raises(Refused) as caught:
        call(*args)
    assert caught.value.code == code  # refused before anything was written


def _actions(home) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.compound_id == home.compound.id, AuditEvent.action.like("voter.%"))
            .order_by(AuditEvent.id)
        )
    )


def _told(person) -> list[str]:
    return list(db.session.scalars(db.select(Notification.event).where(Notification.person_id == person.id)))


def test_two_owners_switch_when_the_other_confirms(home, ctx):
    assert voters(home.pair) == ["李四"]
    proposal = services.propose(home.pair, home.a, home.a.id)
    assert voters(home.pair) == ["李四"]  # nothing changes before the other owner confirms
    assert _told(home.b) == ["voter.proposed"] and _told(home.a) == []
    assert services.confirm(home.pair, home.b, proposal.id) is True
    assert voters(home.pair) == ["张三"]
    assert proposal.state == ProposalState.done
    assert _actions(home) == ["voter.proposed", "voter.confirmed", "voter.designated"]
    assert _told(home.a) == ["voter.designated"]


def test_every_other_owner_must_confirm(home, ctx):
    proposal = services.propose(home.trio, home.d, home.d.id)
    assert services.confirm(home.trio, home.c, proposal.id) is False
    assert voters(home.trio) == ["王五"]
    state = services.unit_voter(home.trio)
    assert [o.name for o in state.waiting_for()] == ["孙七"]
    assert services.confirm(home.trio, home.e, proposal.id) is True
    assert voters(home.trio) == ["赵六"]


def test_the_nominee_confirms_too(home, ctx):
    """Proposing someone else does not name them without their word."""
    proposal = services.propose(home.trio, home.c, home.e.id)
    assert services.confirm(home.trio, home.d, proposal.id) is False
    assert voters(home.trio) == ["王五"]
    assert services.confirm(home.trio, home.e, proposal.id) is True
    assert voters(home.trio) == ["孙七"]


def test_each_confirms_once_and_never_their_own_proposal(home, ctx):
    proposal = services.propose(home.trio, home.d, home.d.id)
    services.confirm(home.trio, home.c, proposal.id)
    _refused("already_confirmed", services.confirm, home.trio, home.c, proposal.id)
    _refused("own_proposal", services.confirm, home.trio, home.d, proposal.id)
    assert voters(home.trio) == ["王五"]


def test_a_single_owner_unit_has_nothing_to_do(home, ctx):
    state = services.unit_voter(home.single)
    assert not state.shared and state.voter.name == "周八"
    _refused("single_owner", services.propose, home.single, home.solo, home.solo.id)
    _refused("single_owner", services.record_paper, home.single, home.staff, home.solo.id, None)


def test_decline_ends_the_proposal_and_the_voter_stays(home, ctx):
    proposal = services.propose(home.trio, home.d, home.d.id)
    services.confirm(home.trio, home.c, proposal.id)
    services.decline(home.trio, home.e, proposal.id)
    assert proposal.state == ProposalState.declined
    assert voters(home.trio) == ["王五"]
    _refused("proposal_changed", services.confirm, home.trio, home.e, proposal.id)
    assert "voter.declined" in _told(home.d)


def test_only_the_proposer_withdraws_and_the_proposer_cannot_decline(home, ctx):
    proposal = services.propose(home.pair, home.a, home.a.id)
    _refused("not_proposer", services.withdraw, home.pair, home.b, proposal.id)
    _refused("own_proposal", services.decline, home.pair, home.a, proposal.id)
    services.withdraw(home.pair, home.a, proposal.id)
    assert proposal.state == ProposalState.withdrawn
    assert voters(home.pair) == ["李四"]
    assert _told(home.b) == ["voter.proposed", "voter.withdrawn"]


def test_a_new_proposal_replaces_the_open_one_and_its_confirmations(home, ctx):
    first = services.propose(home.trio, home.d, home.d.id)
    services.confirm(home.trio, home.c, first.id)
    second = services.propose(home.trio, home.e, home.e.id)
    assert first.state == ProposalState.replaced
    assert services.unit_voter(home.trio).confirmed_ids == set()  # confirmations were of the first proposal
    _refused("proposal_changed", services.confirm, home.trio, home.e, first.id)
    services.confirm(home.trio, home.c, second.id)
    assert services.confirm(home.trio, home.d, second.id) is True
    assert voters(home.trio) == ["孙七"]
    assert (
        db.session.scalar(
            db.select(db.func.count()).where(VoterProposal.unit_id == home.trio.id, VoterProposal.state == "open")
        )
        == 0
    )


@pytest.mark.parametrize("who", ["next_door", "outsider", "staff"])
def test_nobody_but_the_owners_proposes_confirms_or_declines(home, ctx, who):
    stranger = getattr(home, who)
    _refused("not_co_owner", services.propose, home.pair, stranger, stranger.id)
    proposal = services.propose(home.pair, home.a, home.a.id)
    _refused("not_co_owner", services.confirm, home.pair, stranger, proposal.id)
    _refused("not_co_owner", services.decline, home.pair, stranger, proposal.id)
    _refused("not_co_owner", services.withdraw, home.pair, stranger, proposal.id)
    assert voters(home.pair) == ["李四"]


def test_only_an_owner_of_the_unit_can_be_named(home, ctx):
    for nominee in (home.next_door.id, home.outsider.id, None, 10**9):
        _refused("nominee", services.propose, home.pair, home.a, nominee)
        _refused("nominee", services.record_paper, home.pair, home.staff, nominee, None)
    _refused("already_voter", services.propose, home.pair, home.a, home.b.id)


def test_staff_record_the_paper_form_at_once_and_it_replaces_an_open_proposal(home, ctx):
    proposal = services.propose(home.trio, home.d, home.d.id)
    record = services.record_paper(home.trio, home.staff, home.e.id, " 纸质-0007 ")
    assert voters(home.trio) == ["孙七"]
    assert proposal.state == ProposalState.replaced
    assert record.on_paper and record.reference == "纸质-0007" and record.state == ProposalState.done
    line = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "voter.recorded"))
    assert line.actor_id == home.staff.id
    detail = json.loads(line.detail)
    assert (detail["voter_id"], detail["previous_voter_id"], detail["reference"]) == (home.e.id, home.c.id, "纸质-0007")
    for owner in (home.c, home.d, home.e):
        assert "voter.recorded" in _told(owner)
    _refused("too_long", services.record_paper, home.trio, home.staff, home.c.id, "x" * 61)


def test_exactly_one_voter_at_every_step(home, ctx):
    first = services.propose(home.trio, home.c, home.d.id)
    services.confirm(home.trio, home.e, first.id)
    assert len(voters(home.trio)) == 1
    services.confirm(home.trio, home.d, first.id)
    services.record_paper(home.trio, home.staff, home.c.id, None)
    second = services.propose(home.trio, home.e, home.e.id)
    services.confirm(home.trio, home.c, second.id)
    services.confirm(home.trio, home.d, second.id)
    assert voters(home.trio) == ["孙七"]


def test_a_vote_already_open_keeps_the_right_it_froze(home, ctx, open_vote):
    """Rights are frozen when a vote opens: the change applies to votes opened later."""
    vote = open_vote()
    proposal = services.propose(home.pair, home.a, home.a.id)
    services.confirm(home.pair, home.b, proposal.id)
    assert electorate.right_of(vote, home.a) is None
    assert electorate.right_of(vote, home.b) is not None
    (line,) = [u for u in services.for_vote(vote, home.a) if u.state.unit.id == home.pair.id]
    assert line.holder.name == "李四" and line.changed_since
    later = open_vote()
    assert electorate.right_of(later, home.a) is not None
    assert electorate.right_of(later, home.b) is None


def test_a_vote_not_yet_open_shows_the_voter_now(home, ctx, open_vote):
    from portal.voting.models import VoteStatus

    vote = open_vote(VoteStatus.announced)
    (line,) = [u for u in services.for_vote(vote, home.a) if u.state.unit.id == home.pair.id]
    assert not line.frozen and line.holder.name == "李四"
