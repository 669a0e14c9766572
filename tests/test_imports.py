"""The import graph (issue 12): no cycle, core modules never import a feature, no feature imports another's views.

The contracts are in .importlinter, checked here with import-linter on grimp's graph of `portal`; imports inside
functions count, so a late import that only dodges a cycle at load time is still a cycle.
"""

from __future__ import annotations

import configparser
import importlib
from copy import deepcopy
from pathlib import Path

import importlinter.api  # noqa: F401  (configures import-linter, as its command line does)
import pytest
from importlinter.application.use_cases import SUCCESS, create_report, lint_imports, read_user_options

import portal

ROOT = Path(__file__).resolve().parent.parent
# The modules that assemble the features (create_app, the command group, the demo data, every state's label, the
# models' registry).
COMPOSITION = {"portal", "portal.cli", "portal.demo", "portal.labels", "portal.models"}


@pytest.fixture(scope="module")
def linted():
    """lint-imports' own run (its report is printed, so a failure shows the chain that breaks a contract)."""
    return lint_imports(str(ROOT / ".importlinter"), cache_dir=None, no_logo=True)


@pytest.fixture(scope="module")
def report(linted):
    """The contracts and their checks, to break on purpose (the run above registered the contract types)."""
    return create_report(read_user_options(str(ROOT / ".importlinter")), cache_dir=None)


@pytest.fixture(scope="module")
def contracts():
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter")
    return parser


def _broken(report) -> dict[str, object]:
    return {contract.name: check.metadata for contract, check in report.get_contracts_and_checks() if not check.kept}


def test_every_import_contract_is_kept(linted, report):
    assert linted == SUCCESS
    assert not report.could_not_run and not report.invalid_contract_options
    assert report.kept_count == len(list(report.get_contracts_and_checks())) >= 3
    assert _broken(report) == {}


def test_the_contracts_cover_every_core_module_and_every_route_module(contracts):
    core = {line.strip() for line in contracts["importlinter:contract:core"]["source_modules"].split()}
    top = {f"portal.{path.stem}" for path in (ROOT / "portal").glob("*.py") if path.stem != "__init__"}
    assert core == top - COMPOSITION  # a new top-level module is core, or named as composition here
    for feature in portal.FEATURES:
        section = contracts[f"importlinter:contract:views-{feature}"]
        routes = getattr(importlib.import_module(f"portal.{feature}"), "ROUTES", ("views",))
        assert set(section["protected_modules"].split()) == {f"portal.{feature}.{module}" for module in routes}
        assert section["allowed_importers"].split() == [f"portal.{feature}"]


@pytest.mark.parametrize(
    ("importer", "imported", "contract"),
    [
        ("portal.db", "portal.voting.models", "Core modules never import a feature"),
        ("portal.markup", "portal.boards.services", "Core modules never import a feature"),
        ("portal.voting.models", "portal.voting.views", "No module imports itself"),
        ("portal.boards.services", "portal.lists.views", "Only lists itself imports its route modules"),
        ("portal.public.views", "portal.meetings.minutes_views", "Only meetings itself imports its route modules"),
    ],
)
def test_each_kind_of_bad_import_breaks_its_contract(report, importer, imported, contract):
    graph = deepcopy(report.graph)
    graph.add_import(importer=importer, imported=imported)
    broken = [
        found.name
        for found, _check in report.get_contracts_and_checks()
        if not found.check(deepcopy(graph), verbose=False).kept
    ]
    assert any(name.startswith(contract) for name in broken), broken
