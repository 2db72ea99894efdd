"""auditlib.lazy: heavy modules are imported on first use, and the report kernels preload them."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from auditlib import lazy
from auditlib.publish import kernelpool

#: What ``auditlib report`` imports before it hands months to their kernels.
REPORT_COMMAND_MODULES = (
    "auditlib.cli.report",
    "auditlib.analysis.metrics",
    "auditlib.data.pipeline",
    "auditlib.data.validation",
    "auditlib.publish.fingerprint",
    "auditlib.publish.runner",
    "auditlib.report.figures",
)


def test_a_lazy_module_is_imported_at_its_first_use_and_is_the_real_module() -> None:
    code = (
        "import sys\n"
        "from auditlib.lazy import LazyModule\n"
        "m = LazyModule('colorsys')\n"
        "before = 'colorsys' in sys.modules\n"
        "value = m.rgb_to_hsv(1.0, 0.0, 0.0)\n"
        "print(before, 'colorsys' in sys.modules, value)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split(maxsplit=2) == ["False", "True", "(0.0, 1.0, 1.0)\n"]


def test_a_missing_attribute_is_the_modules_own_error() -> None:
    with pytest.raises(AttributeError, match="no_such_function"):
        _ = lazy.LazyModule("colorsys").no_such_function


def test_the_report_command_imports_neither_scipy_stats_nor_statsmodels() -> None:
    """They cost the command most of a second before any month could start."""
    code = (
        "import sys\n"
        f"for name in {REPORT_COMMAND_MODULES!r}:\n"
        "    __import__(name)\n"
        "print(sorted(m for m in sys.modules if m in ('scipy.stats', 'scipy.optimize') "
        "or m.split('.')[0] == 'statsmodels'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", lazy.LAZY_MODULES)
def test_every_lazy_module_exists_and_the_kernels_preload_it(name: str) -> None:
    importlib.import_module(name)
    assert name in kernelpool.DEFAULT_PRELOAD


def test_the_casemix_model_class_is_still_reachable_by_its_name() -> None:
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    from auditlib.analysis import casemix

    assert issubclass(casemix._LogitOrderedModel, OrderedModel)
    assert casemix._LogitOrderedModel is casemix._logit_ordered_model()
