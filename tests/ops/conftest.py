"""The voting fixtures, for the log test that casts a ballot and closes a vote."""

from tests.voting.conftest import estate, make_vote  # noqa: F401
