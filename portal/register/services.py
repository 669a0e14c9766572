"""Placeholder: replaced by the register import work."""


def apply(compound, parsed, actor):
    raise NotImplementedError
