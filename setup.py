"""Build configuration that pyproject.toml cannot express: the top-level ``notebooks/`` and
``data/demo/`` folders ship inside the wheel as ``auditlib/resources/notebooks`` and
``auditlib/resources/demo``, so an installed auditlib runs from any folder while the
repository keeps a single copy of each (everything else is in pyproject.toml)."""

from setuptools import find_namespace_packages, setup

MAPPED = {
    "auditlib.resources.notebooks": "notebooks",
    "auditlib.resources.demo": "data/demo",
}
#: Files other than Python that the packages carry (templates, themes, notebooks, demo data).
DATA = ["*.yml", "*.json", "*.j2", "*.css", "*.ipynb", "*.csv", "*.txt"]

setup(
    packages=[
        *find_namespace_packages(include=["auditlib", "auditlib.*"], exclude=["*.__pycache__"]),
        *MAPPED,
    ],
    package_dir=MAPPED,
    package_data={"": DATA},
)
