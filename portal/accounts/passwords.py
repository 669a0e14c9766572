"""Which new passwords are refused: the 10,000 most common ones and the person's own account number or phone.

The list is zxcvbn's (its "passwords" frequency list, most common first), read once; nothing is copied into the
repository. Both checks ignore case; the own-identifier check also ignores spaces and dashes ("138 1234 5678").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

COMMON_COUNT = 10_000


@cache
def common_passwords() -> frozenset[str]:
    """The COMMON_COUNT most common passwords, lower-cased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"][:COMMON_COUNT])


def is_common(password: str) -> bool:
    """True for one of the most common passwords, whatever its case."""
    return password.casefold() in common_passwords()


def _bare(text: str) -> str:
    """Lower case without spaces and dashes, as an account number or phone may be typed."""
    return re.sub(r"[\s\-]", "", text).casefold()


def is_own_identifier(password: str, identifiers: Iterable[str | None]) -> bool:
    """True when the password is the person's account number or phone, with or without spaces."""
    bare = _bare(password)
    return any(bare == _bare(identifier) for identifier in identifiers if identifier and _bare(identifier))
