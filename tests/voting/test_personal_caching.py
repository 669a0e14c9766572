"""Vote pages shown to a logged-in owner are kept in no cache (issue 11, item 5); the pages that set their own
private policy keep it."""

from __future__ import annotations


def test_vote_pages_carry_no_store_for_a_logged_in_owner(client, estate, make_vote, login):
    vote = make_vote(status="open")
    base = f"/c/lvyuan/votes/{vote.id}"
    assert "no-store" not in client.get(base).headers.get("Cache-Control", "")  # a visitor: nothing personal
    login(estate.people.one)
    assert client.get(base).headers["Cache-Control"] == "no-store, private"
    ballot = client.get(f"{base}/ballot")
    assert ballot.status_code == 200 and ballot.headers["Cache-Control"] == "no-store, no-transform"
    # The live turnout fragment revalidates by ETag: private (no shared cache keeps it), and counts only.
    turnout = client.get(f"{base}/turnout", headers={"HX-Request": "true"})
    assert turnout.headers["Cache-Control"] == "no-cache, private"
