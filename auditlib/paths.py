"""Where things are, from the package (never from the working directory)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
DEMO_DATA_DIR = PROJECT_ROOT / "data" / "demo"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
THEMES_FILE = PROJECT_ROOT / "data" / "themes.yml"
