"""What every form shares (portal.forms): the required-field message from the label, in both languages, used by
every form; and the error summary's links."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import validators

import portal
from portal import forms as shared


def _all_forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_form_says_which_field_is_missing(app):
    """No form falls back to wtforms' "This field is required." (该字段是必填字段): ours, or its own message."""
    plain = []
    with app.test_request_context():
        for cls in _all_forms():
            for name, unbound in vars(cls).items():
                for check in getattr(unbound, "kwargs", {}).get("validators", None) or ():
                    required = isinstance(check, validators.InputRequired | validators.DataRequired)
                    if (
                        required
                        and check.message is None
                        and not isinstance(check, shared.InputRequired | shared.DataRequired)
                    ):
                        plain.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert plain == []


@pytest.mark.parametrize(
    ("locale", "typed", "chosen"),
    [("zh_Hans", "请填写标题", "请选择类别"), ("en", "Enter title", "Choose category")],
)
def test_required_messages_from_the_label(app, locale, typed, chosen):
    from portal.boards.forms import CommitmentForm

    with app.test_request_context(method="POST", data={}), force_locale(locale):
        form = CommitmentForm(meta={"csrf": False})
        form.validate()
        assert form.title.errors == [typed]
        assert form.category.errors != []  # the category keeps its own, fuller message
        assert shared.required_message(form.category) == chosen


def test_label_words_cut_at_a_colon_or_bracket_and_keep_acronyms(app):
    from portal.register.forms import UploadForm
    from portal.voting.desk_views import ProxyForm

    with app.test_request_context(), force_locale("en"):
        proxy = ProxyForm(meta={"csrf": False}, prefix="proxy")
        assert shared.label_words(proxy.owner) == "owner"
        assert shared.label_words(UploadForm(meta={"csrf": False}).file) == "register file"


def test_links_go_to_the_first_choice_of_a_list_and_skip_hidden_fields(app):
    from portal.needs.forms import NeedForm

    with app.test_request_context(method="POST", data={"kind": "nonsense"}), force_locale("en"):
        form = NeedForm(meta={"csrf": False})
        form.validate()
        links = {link.control: link.message for link in shared.error_links(form)}
        assert "kind-0" in links and "title" in links and "description" in links
        assert shared.error_links(None, NeedForm(meta={"csrf": False}, formdata=None)) == []
