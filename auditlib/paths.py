"""Where things are, found from the package (never from the working directory).

The package carries what it needs to run anywhere: the notebooks, the nbconvert
template, the theme dictionary and the demo programme are under
``auditlib/resources/`` in an installed wheel. In a source checkout the same files
are read from the repository (``notebooks/``, ``data/demo/``), so there is one copy of
each; the wheel build maps those folders into the package (see ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES_DIR = PACKAGE_DIR / "resources"
#: The repository root when running from a source checkout (``pip install -e .``).
PROJECT_ROOT = PACKAGE_DIR.parent


def _source_checkout() -> bool:
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "notebooks").is_dir()


SOURCE_CHECKOUT = _source_checkout()


def _first(*candidates: Path) -> Path:
    """The first folder that exists (the last one when none does, for a clear message)."""
    return next((c for c in candidates if c.exists()), candidates[-1])


#: The notebooks the reports run.
NOTEBOOKS_DIR = _first(RESOURCES_DIR / "notebooks", PROJECT_ROOT / "notebooks")
#: The embedded synthetic programme, the default data folder.
DEMO_DATA_DIR = _first(RESOURCES_DIR / "demo", PROJECT_ROOT / "data" / "demo")
#: The nbconvert template of the HTML reports.
TEMPLATES_DIR = RESOURCES_DIR / "templates"
#: The default theme dictionary for feedback and reflections.
THEMES_FILE = RESOURCES_DIR / "themes.yml"
#: Where ``auditlib demo-data`` writes by default: the repository's ``data/demo`` in a source
#: checkout, otherwise ``data/demo`` in the folder the command is run from.
DEMO_OUT_DIR = PROJECT_ROOT / "data" / "demo" if SOURCE_CHECKOUT else Path("data") / "demo"
#: Default output folder: the repository's ``outputs/`` in a source checkout, otherwise
#: ``outputs/`` in the folder the command is run from.
OUTPUTS_DIR = PROJECT_ROOT / "outputs" if SOURCE_CHECKOUT else Path("outputs")
