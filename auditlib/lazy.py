"""Heavy scientific modules imported on first use, not when auditlib is imported.

``auditlib report`` reads the data, works out what changed and hands the months to their
kernels; it never fits a model or computes a p-value itself, yet importing scipy.stats and
statsmodels costs it most of a second before it can start. Modules that use them name them
through :class:`LazyModule` (``sps = LazyModule("scipy.stats")``) and the import happens at
the first attribute looked up. The report kernels import them ahead with everything else
(:data:`auditlib.publish.kernelpool.DEFAULT_PRELOAD`), so no month pays for them.
"""

from __future__ import annotations

import importlib
import types
from typing import Any


class LazyModule:
    """A stand-in for the module ``name`` that imports it when first used."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: types.ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not yet imported"
        return f"<LazyModule {self._name!r} ({state})>"


#: The modules this package loads lazily; the report kernels preload them.
LAZY_MODULES = (
    "scipy.stats",
    "scipy.special",
    "scipy.sparse",
    "scipy.sparse.linalg",
    "scipy.optimize",
    "statsmodels.discrete.discrete_model",
    "statsmodels.tools.tools",
    "statsmodels.miscmodels.ordinal_model",
    "statsmodels.stats.contingency_tables",
    "statsmodels.stats.inter_rater",
)
