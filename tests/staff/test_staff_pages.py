"""Staff pages: compounds, people and roles (htmx and plain), invitations, codes and letters."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import ActivationCode, Person
from portal.compounds.models import Compound
from portal.roles.models import Membership, Role


@pytest.fixture
def desk(make, login):
    """A staff member logged in, with a compound of two owners (one activated) in their community."""
    community = make.community("阳光社区")
    staff = make.person("周敏")
    make.staff(staff, community)
    compound = make.compound("lvyuan", "绿园小区", community)
    waiting = make.person("王伟", active=False)
    active = make.person("李娜")
    for person, room in ((waiting, "101"), (active, "102")):
        make.member(person, compound)
        make.unit(compound, room, owners=[person])
    login(staff)
    return compound, waiting, active


def test_staff_creates_a_compound_in_their_community(client, desk, database):
    compound, *_ = desk
    data = {"name": "桂花苑", "slug": "guihua", "community_id": str(compound.community_id)}
    response = client.post("/staff/", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/c/guihua/"
    assert database.session.scalar(sa.select(Compound).filter_by(slug="guihua")).name == "桂花苑"


def test_staff_cannot_create_in_another_community(client, desk, make, database):
    other = make.community("别的社区")
    data = {"name": "别人的小区", "slug": "elsewhere", "community_id": str(other.id)}
    assert client.post("/staff/", data=data).status_code == 400
    assert database.session.scalar(sa.select(Compound).filter_by(slug="elsewhere")) is None


@pytest.mark.parametrize("slug", ["lvyuan", "A", "has space", "-dash-"])
def test_bad_or_taken_slug_is_shown_next_to_the_field(client, desk, slug):
    compound, *_ = desk
    response = client.post("/staff/", data={"name": "x", "slug": slug, "community_id": str(compound.community_id)})
    assert response.status_code == 400
    assert 'id="slug-error"' in response.get_data(as_text=True)


def test_people_filter_returns_only_the_table_to_htmx(client, desk):
    compound, waiting, active = desk
    full = client.get(f"/staff/c/{compound.slug}/people?q=王")
    partial = client.get(f"/staff/c/{compound.slug}/people?q=王", headers={"HX-Request": "true"})
    assert "<html" in full.get_data(as_text=True)
    body = partial.get_data(as_text=True)
    assert "<html" not in body and "王伟" in body and "李娜" not in body
    assert "HX-Request" in partial.headers["Vary"]


def test_people_filter_by_account_state(client, desk):
    compound, waiting, active = desk
    body = client.get(f"/staff/c/{compound.slug}/people?state=active").get_data(as_text=True)
    assert "李娜" in body and "王伟" not in body


def test_role_toggle_with_htmx_returns_the_chips(client, desk, database):
    compound, waiting, _ = desk
    url = f"/staff/c/{compound.slug}/people/{waiting.id}/roles"
    response = client.post(
        url, data={"role": "committee", "action": "grant", "confirm": "y"}, headers={"HX-Request": "true"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith(f'<div id="roles-{waiting.id}"')
    membership = database.session.scalar(sa.select(Membership).filter_by(person_id=waiting.id, role=Role.committee))
    assert membership.post.value == "member"
    client.post(url, data={"role": "committee", "post": "secretary"}, headers={"HX-Request": "true"})
    database.session.refresh(membership)
    assert membership.post.value == "secretary"


def test_role_toggle_without_javascript_redirects(client, desk, database):
    compound, waiting, _ = desk
    url = f"/staff/c/{compound.slug}/people/{waiting.id}/roles"
    assert client.post(url, data={"role": "volunteer", "action": "grant", "confirm": "y"}).status_code == 303
    assert client.post(url, data={"role": "volunteer", "action": "remove"}).status_code == 303
    assert database.session.scalar(sa.select(Membership).filter_by(person_id=waiting.id, role=Role.volunteer)) is None


@pytest.mark.parametrize("role", ["owner", "admin", "nonsense"])
def test_owner_role_is_not_toggled_by_hand(client, desk, role):
    compound, waiting, _ = desk
    url = f"/staff/c/{compound.slug}/people/{waiting.id}/roles"
    assert client.post(url, data={"role": role, "action": "remove"}).status_code == 400


def test_person_of_another_compound_is_not_found(client, desk, make):
    compound, *_ = desk
    stranger = make.person()
    make.member(stranger, make.compound())
    url = f"/staff/c/{compound.slug}/people/{stranger.id}/roles"
    assert client.post(url, data={"role": "volunteer"}).status_code == 404


def _codes(body: str) -> list[str]:
    return re.findall(r'<dd class="code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</dd>', body)


def test_letters_for_chosen_people_have_code_and_qr(client, desk, database):
    compound, waiting, active = desk
    response = client.post(f"/staff/c/{compound.slug}/letters", data={"person_id": [str(waiting.id), str(active.id)]})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert body.count('class="letter"') == 1  # the activated owner gets no letter
    [code] = _codes(body)
    assert "<svg" in body and 'role="img"' in body
    assert "http://localhost/activate" in body
    assert "1栋 1单元 101" in body and waiting.account_no in body
    client.post("/logout")
    data = {"code": code, "password": "a-good-password", "confirm": "a-good-password"}
    assert client.post("/activate", data=data).status_code == 303


def test_letters_for_everyone_not_activated(client, desk, database):
    compound, waiting, _ = desk
    body = client.post(f"/staff/c/{compound.slug}/letters", data={"scope": "all_inactive"}).get_data(as_text=True)
    assert len(_codes(body)) == 1
    rows = database.session.scalars(sa.select(ActivationCode).filter_by(person_id=waiting.id)).all()
    assert len(rows) == 1


def test_revoke_from_the_people_page(client, desk, database):
    compound, waiting, _ = desk
    client.post(f"/staff/c/{compound.slug}/letters", data={"person_id": str(waiting.id)})
    response = client.post(f"/staff/c/{compound.slug}/codes/{waiting.id}/revoke")
    assert response.status_code == 303
    row = database.session.scalar(sa.select(ActivationCode).filter_by(person_id=waiting.id))
    assert row.revoked_at is not None


def test_invite_a_resident_prints_a_letter(client, desk, database):
    compound, *_ = desk
    response = client.post(
        f"/staff/c/{compound.slug}/invite", data={"name": "租户陈晓", "phone": "13700000001", "role": "resident"}
    )
    assert response.status_code == 200 and len(_codes(response.get_data(as_text=True))) == 1
    person = database.session.scalar(sa.select(Person).filter_by(name="租户陈晓"))
    roles = database.session.scalars(sa.select(Membership.role).filter_by(person_id=person.id)).all()
    assert roles == [Role.resident]


def test_invite_with_bad_input_is_shown_again(client, desk):
    compound, *_ = desk
    response = client.post(f"/staff/c/{compound.slug}/invite", data={"name": "", "phone": "123", "role": "resident"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="name-error"' in body and 'id="phone-error"' in body


def test_compound_overview_shows_register_totals(client, desk):
    compound, *_ = desk
    body = client.get(f"/staff/c/{compound.slug}/").get_data(as_text=True)
    assert "177.00 ㎡" in body  # two units of 88.50


def test_qr_code_opens_the_activation_page_with_the_code(app):
    from portal.staff.letters import activation_url, qr_svg

    with app.test_request_context(base_url="https://linli.example"):
        assert activation_url("AB12-CD34-EF56") == "https://linli.example/activate#code=AB12-CD34-EF56"
        app.config["PORTAL_BASE_URL"] = "https://portal.example/"
        try:
            assert activation_url("AB12-CD34-EF56") == "https://portal.example/activate#code=AB12-CD34-EF56"
        finally:
            app.config["PORTAL_BASE_URL"] = None
        svg = qr_svg("https://linli.example/activate#code=X", 'QR "label"')
        assert svg.startswith('<svg role="img" aria-label="QR &#34;label&#34;"') and "style=" not in svg


def test_revoke_returns_to_the_filtered_list(client, desk):
    compound, waiting, _ = desk
    client.post(f"/staff/c/{compound.slug}/letters", data={"person_id": str(waiting.id)})
    page = client.get(f"/staff/c/{compound.slug}/people?state=valid").get_data(as_text=True)
    back = re.search(r'name="next" value="([^"]+)"', page).group(1)
    assert back == f"/staff/c/{compound.slug}/people?state=valid"
    response = client.post(f"/staff/c/{compound.slug}/codes/{waiting.id}/revoke", data={"next": back})
    assert response.headers["Location"] == back
    evil = client.post(f"/staff/c/{compound.slug}/codes/{waiting.id}/revoke", data={"next": "https://evil.example/"})
    assert evil.headers["Location"] == f"/staff/c/{compound.slug}/people?state=valid"


def test_the_letters_qr_code_carries_the_code_only_after_the_hash(client, desk, app):
    """The QR code on the letter is exactly the one for /activate#code=…: browsers never send a fragment, so the code
    reaches no server, proxy or access log; the printed address has no code at all."""
    from portal.staff.letters import qr_svg

    compound, waiting, _ = desk
    body = client.post(f"/staff/c/{compound.slug}/letters", data={"person_id": str(waiting.id)}).get_data(as_text=True)
    [code] = _codes(body)
    url = f"http://localhost/activate#code={code}"
    base, _hash, fragment = url.partition("#")
    assert code not in base and fragment == f"code={code}"
    with app.test_request_context():
        assert str(qr_svg(url, "x")).split(">", 1)[1] in body  # the letter embeds this very QR code
    assert "?code=" not in body and "<small>http://localhost/activate</small>" in body


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_unknown_committee_post_is_shown_at_the_post_field(client, desk, database, htmx):
    compound, waiting, _ = desk
    url = f"/staff/c/{compound.slug}/people/{waiting.id}/roles"
    client.post(url, data={"role": "committee", "action": "grant", "confirm": "y"})
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url, data={"role": "committee", "post": "emperor"}, headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("<html" in body) is not htmx
    if htmx:
        assert body.lstrip().startswith(f'<div id="roles-{waiting.id}"')
    select = re.search(rf'<select id="post-{waiting.id}"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in select and f'aria-describedby="post-{waiting.id}-error"' in select
    assert f'id="post-{waiting.id}-error"' in body
    membership = database.session.scalar(sa.select(Membership).filter_by(person_id=waiting.id, role=Role.committee))
    assert membership.post.value == "member"  # nothing changed


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_role_that_is_not_toggled_by_hand_is_shown_at_the_roles(client, desk, database, htmx):
    compound, waiting, _ = desk
    url = f"/staff/c/{compound.slug}/people/{waiting.id}/roles"
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url, data={"role": "owner", "action": "remove"}, headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and ("<html" in body) is not htmx
    group = re.search(r'<div class="chips" role="group"[^>]*>', body[body.index(f'id="roles-{waiting.id}"') :])
    assert f'aria-describedby="roles-{waiting.id}-error"' in group.group(0)
    assert f'id="roles-{waiting.id}-error"' in body
    assert database.session.scalar(sa.select(Membership).filter_by(person_id=waiting.id, role=Role.owner))


def test_letters_for_nobody_are_refused_at_the_choice(client, desk, database):
    compound, waiting, _ = desk
    response = client.post(f"/staff/c/{compound.slug}/letters", data={})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "<html" in body
    assert 'id="person_id-error"' in body and "请至少选择一项。" in body
    assert database.session.scalar(sa.select(ActivationCode).filter_by(person_id=waiting.id)) is None


def test_letters_with_a_nonsense_choice_keep_what_was_chosen(client, desk, database):
    compound, waiting, _ = desk
    response = client.post(f"/staff/c/{compound.slug}/letters", data={"person_id": [str(waiting.id), "9" * 30]})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="person_id-error"' in body
    box = re.search(rf'<input type="checkbox"[^>]*id="choose-{waiting.id}"[^>]*>', body).group(0)
    assert "checked" in box and 'aria-describedby="person_id-error"' in box
    assert database.session.scalar(sa.select(ActivationCode).filter_by(person_id=waiting.id)) is None


def test_letters_for_people_who_all_activated_say_so(client, desk, database):
    compound, _, active = desk
    response = client.post(f"/staff/c/{compound.slug}/letters", data={"person_id": str(active.id)})
    assert response.status_code == 303 and response.headers["Location"] == f"/staff/c/{compound.slug}/people"


# Issue 13: giving a role is never one stray tap. The chip brings a confirmation into the row (400, nothing given);
# the box, checked by the server, gives it. Taking a role away stays one tap.
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_role_is_given_only_once_confirmed(client, desk, database, htmx):
    from portal.audit import AuditEvent

    compound, waiting, _ = desk
    url = f"/staff/c/{compound.slug}/people/{waiting.id}/roles"
    headers = {"HX-Request": "true"} if htmx else {}
    audited = database.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    asked = client.post(url, data={"role": "volunteer", "action": "grant"}, headers=headers)
    body = asked.get_data(as_text=True)
    assert asked.status_code == 400 and ("<html" in body) is not htmx
    confirm = re.search(rf'<input type="checkbox" name="confirm"[^>]*id="confirm-{waiting.id}"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in confirm and f'id="confirm-{waiting.id}-error"' in body
    assert database.session.scalar(sa.select(Membership).filter_by(person_id=waiting.id, role=Role.volunteer)) is None
    assert database.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == audited

    given = client.post(url, data={"role": "volunteer", "action": "grant", "confirm": "y"}, headers=headers)
    assert given.status_code == (200 if htmx else 303)
    assert database.session.scalar(sa.select(Membership).filter_by(person_id=waiting.id, role=Role.volunteer))
    assert client.post(url, data={"role": "volunteer", "action": "remove"}, headers=headers).status_code in (200, 303)
    assert database.session.scalar(sa.select(Membership).filter_by(person_id=waiting.id, role=Role.volunteer)) is None


def test_compound_overview_links_to_everything_staff_run(client, desk, database):
    from datetime import timedelta

    from portal.db import utcnow
    from portal.voting.models import Secrecy, Vote, VoteKind, VoteStatus

    compound, *_ = desk
    now = utcnow()
    running = {}
    for status in (VoteStatus.open, VoteStatus.draft, VoteStatus.archived):
        vote = Vote(
            compound_id=compound.id,
            kind=VoteKind.resolution,
            title=f"表决 {status.value}",
            secrecy=Secrecy.named,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=6),
            status=status,
        )
        database.session.add(vote)
        database.session.flush()
        running[status] = vote.id
    database.session.commit()
    body = client.get(f"/staff/c/{compound.slug}/").get_data(as_text=True)
    c = f"/c/{compound.slug}"
    for href in (
        f"{c}/votes/",
        f"{c}/meetings/",
        f"{c}/board/",
        f"{c}/lists/",
        f"{c}/needs/",
        f"/staff/c/{compound.slug}/register/",
        f"/staff/c/{compound.slug}/people",
        f"{c}/votes/{running[VoteStatus.open]}/desk",
        f"{c}/votes/{running[VoteStatus.open]}/edit",
        f"{c}/votes/{running[VoteStatus.draft]}/edit",
    ):
        assert f'href="{href}"' in body, href
    assert f"{c}/votes/{running[VoteStatus.draft]}/desk" not in body  # a desk only while voting is open
    assert f"{c}/votes/{running[VoteStatus.archived]}/" not in body  # nothing left to run
