"""Register fixtures: row counts to compare, a committed import, a logged-in staff member."""

from __future__ import annotations

import pytest

from portal.accounts.models import Person
from portal.audit import AuditEvent
from portal.compounds.models import Unit
from portal.extensions import db
from portal.register.models import Ownership
from portal.roles.models import Membership


@pytest.fixture
def counts(database):
    """Rows of the register's tables now, to compare before and after."""

    def _counts() -> dict[str, int]:
        """Row count per table."""
        return {
            model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (Unit, Person, Ownership, Membership, AuditEvent)
        }

    return _counts


@pytest.fixture
def imported(database):
    """Apply a file to a compound as the CLI would, and commit (a savepoint in tests) so requests cannot undo it."""
    from portal.register import importer, services

    def _imported(compound, data: bytes):
        """Parse, apply and commit; returns the diff that was applied."""
        parsed = importer.parse(data)
        assert not parsed.errors, [(e.line, str(e.message)) for e in parsed.errors]
        result = services.apply(compound, parsed, actor=None)
        db.session.commit()
        return result

    return _imported


@pytest.fixture
def staff_of(make, login, client):
    """Log in as community staff of the compound's community, reading English (the msgids tests look for)."""

    def _staff_of(compound):
        """Create, attach and log in the staff member."""
        person = make.person("社区干部")
        make.staff(person, compound.community)
        login(person)
        client.set_cookie("lang", "en")
        return person

    return _staff_of
