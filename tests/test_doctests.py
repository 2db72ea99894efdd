"""Every docstring example in the library runs and says what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import auditlib

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(auditlib.__path__, "auditlib.")
    if name not in ("auditlib.__main__",)
)


def test_every_module_is_checked():
    assert "auditlib.data.cleaning" in MODULES and "auditlib.report.charts.judgements" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
