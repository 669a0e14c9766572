"""The lock file `make setup` installs from must pin, with hashes, every dependency pyproject.toml names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {canonicalize_name(name): version for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.M)}


def test_every_dependency_is_pinned_in_the_lock_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]]
    pins = _pins()
    missing = [str(r) for r in wanted if canonicalize_name(r.name) not in pins]
    assert not missing, f"run `make lock`: {missing} are not in requirements.lock"
    outside = [
        f"{r} (locked {pins[canonicalize_name(r.name)]})"
        for r in wanted
        if pins[canonicalize_name(r.name)] not in r.specifier
    ]
    assert not outside, f"run `make lock`: {outside}"


def test_every_pin_carries_a_hash():
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", text.split("\n", 6)[-1])
    pinned = [b for b in blocks if re.match(r"[A-Za-z0-9_.\-]+==", b)]
    assert len(pinned) == len(_pins()) > 20
    assert all("--hash=sha256:" in b for b in pinned)
