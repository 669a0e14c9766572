"""A change a rule refuses, with a code the page translates; and the check every typed text goes through."""

from __future__ import annotations

TEXT_LIMIT = 5000  # characters of a description, note, reason or progress update


class Refused(ValueError):
    """A change refused; `code` says why (each feature's subclass lists its codes)."""

    def __init__(self, code: str) -> None:
        """Keep the reason code for the page to translate."""
        super().__init__(code)
        self.code = code

    @classmethod
    def text(cls, value: str | None, limit: int = TEXT_LIMIT, required: bool = True, code: str = "empty") -> str:
        """The text stripped; refused with `code` when required and empty, with "too_long" past `limit`."""
        text = (value or "").strip()
        if required and not text:
            raise cls(code)
        if len(text) > limit:
            raise cls("too_long")
        return text
