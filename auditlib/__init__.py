"""auditlib: children's social care case-audit data → monthly Audit Highlights Reports."""

from __future__ import annotations

from typing import Any

from auditlib.errors import AuditlibError, ConfigError, DataError, Problem, ReportError


def __getattr__(name: str) -> Any:
    # The version is read from the installed package's metadata when first asked for:
    # importlib.metadata costs every process that imports auditlib a thirtieth of a
    # second, and `auditlib report` starts its kernels' process before it needs it.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("auditlib")
        except PackageNotFoundError:  # running from a source tree without installing
            found = "0.0.0+unknown"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module 'auditlib' has no attribute {name!r}")


__all__ = [
    "AuditlibError",
    "ConfigError",
    "DataError",
    "Problem",
    "ReportError",
    "__version__",
]
