"""The quick path of casting: an owner's own plain submit is handled without the full vote load, and anything
else still goes the ordinary way."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from portal.extensions import db
from portal.voting import casting, views
from portal.voting.models import Ballot, Participation


def _confirm(client, vote, data):
    return client.post(f"/c/lvyuan/votes/{vote.id}/ballot", data={"step": "confirm", **data})


def test_plain_submit_is_cast_by_the_quick_path(client, estate, make_vote, login, monkeypatch):
    vote = make_vote()
    login(estate.people.buyer)

    def no_full_load(*args, **kwargs):
        raise AssertionError("the ordinary path was taken")

    monkeypatch.setattr(views.loading, "load_with_right", no_full_load)
    first, second = vote.items
    response = _confirm(client, vote, {f"item_{first.id}": "y", f"item_{second.id}": "n"})
    assert response.status_code == 303 and "/receipt" in response.headers["Location"]
    ballot = db.session.scalar(db.select(Ballot).where(Ballot.vote_id == vote.id))
    assert json.loads(ballot.answers) == {first.key: "yes", second.key: "no"}
    assert ballot.weight_area == Decimal("200.00")  # the buyer's three units
    assert ballot.channel == "online" and ballot.proxy_id is None


def test_used_right_falls_back_and_is_refused_once(client, estate, make_vote, login):
    vote = make_vote()
    login(estate.people.one)
    data = {f"item_{item.id}": "y" for item in vote.items}
    assert _confirm(client, vote, data).status_code == 303
    again = _confirm(client, vote, {f"item_{item.id}": "n" for item in vote.items})
    assert again.status_code == 303 and "/receipt" not in again.headers["Location"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Participation)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Ballot)) == 1


def test_kept_copy_of_a_vote_belongs_to_one_opening(app, estate, make_vote):
    vote = make_vote()
    with app.test_request_context():
        kept = casting._open_vote(vote.id, vote.opened_at, vote.closes_at)
        assert kept is casting._open_vote(vote.id, vote.opened_at, vote.closes_at)
        assert [c.key for c in kept.items] == [item.key for item in vote.items]
        # Rolled-back test data reuses ids: another opening is another vote, read afresh.
        other = casting._open_vote(vote.id, vote.opened_at + timedelta(seconds=1), vote.closes_at)
        assert other is not kept and other == kept
