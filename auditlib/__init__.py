"""auditlib: children's social care case-audit data → monthly Audit Highlights Reports."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from auditlib.errors import AuditlibError, ConfigError, DataError, Problem, ReportError

try:
    __version__ = version("auditlib")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = [
    "AuditlibError",
    "ConfigError",
    "DataError",
    "Problem",
    "ReportError",
    "__version__",
]
