"""The turnout drive's tests use the voting fixtures: the 绿园小区 estate and the vote builder."""

from tests.voting.conftest import estate, make_vote  # noqa: F401 (fixtures)
