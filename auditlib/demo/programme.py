"""The demo programme as a data folder: programme.yml, the tables, recommendations, names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from auditlib.data import schema
from auditlib.demo.audits import generate_audits
from auditlib.demo.calibration import (
    COMPLIANCE_FROM_MONTH,
    DEFAULT_SEED,
    DENYLIST_FILE,
    EXTRACT_DATE,
    MARKER,
    MONTH_LABELS,
    PAUSES,
    START_MONTH,
    THEMES,
)
from auditlib.demo.identifiers import PLANTED_NAMES
from auditlib.demo.recommendations import build_recommendations
from auditlib.demo.voices import generate_free_text
from auditlib.errors import AuditlibError


# ================================================================ programme
def build_programme_yaml(seed: int = DEFAULT_SEED, scale: int = 1) -> str:
    """The text of programme.yml: the keys of docs/data-contract.md, commented."""
    pauses = "\n".join(f'  - {{from: "{a}", to: "{b}", reason: "{why}"}}' for a, b, why in PAUSES)
    labels = "\n".join(f'  "{m}": "{label}"' for m, label in MONTH_LABELS.items())
    themes = "\n".join(f'  "{m}": [{", ".join(keys)}]' for m, keys in THEMES.items())
    cohorts = "\n".join(_cohort_yaml(entry) for entry in schema.DEFAULT_COHORTS)
    scaled = "" if scale == 1 else f" ×{scale} (one copy per region)"
    return f"""{MARKER} (seed {seed}{scaled}).
# No real child, worker or council: see docs/demo-data.md. Regenerate with
#   auditlib demo-data --out DIR --seed {seed} --scale {scale}
organisation: Example Council
programme: Children's Services case audit programme
start_month: "{START_MONTH}"
compliance_from_month: "{COMPLIANCE_FROM_MONTH}"   # headline compliance counts from here
extract_date: "{EXTRACT_DATE}"            # the day the export was taken (for overdue audits)
pauses:
{pauses}
date_format: day-first                  # numbers-only dates such as 03/04/2020 are 3 April
month_labels:
{labels}
cohorts:                                # practice-theme cohorts: name, short label, what marks them
{cohorts}
themes:                                 # each month's themed cohort(s): keys of cohorts above
{themes}
disclosure: internal
contact: Audit & Practice Standards Manager, Example Council
denylist: {DENYLIST_FILE}                    # personal names to redact from free text
"""


def _cohort_yaml(entry: dict) -> str:
    """One cohort as programme.yml writes it: key, then name, label and where (its tests)."""
    tests = ", ".join(f"{column}: {_yaml_test(test)}" for column, test in entry["where"].items())
    return (
        f"  {entry['key']}:\n"
        f'    name: "{entry["name"]}"\n'
        f'    label: "{entry["label"]}"\n'
        f"    where: {{{tests}}}"
    )


def _yaml_test(test: object) -> str:
    if isinstance(test, bool):
        return "yes" if test else "no"
    if isinstance(test, list | tuple):
        return "[" + ", ".join(map(str, test)) + "]"
    return f'"{test}"'


def build_denylist_text() -> str:
    """names.txt: the personal names planted in the demo's free text, one per line."""
    head = "# Personal names to redact from free text, one per line (synthetic: planted by auditlib.demo)\n"
    return head + "".join(f"{name}\n" for name in PLANTED_NAMES)


# ================================================================== top level
def generate_programme(seed: int = DEFAULT_SEED, scale: int = 1) -> dict[str, pd.DataFrame]:
    """The synthetic programme's tables: ``audits``, ``feedback`` and ``reflections``.

    Deterministic from ``seed``; ``scale`` copies multiply every count exactly
    and leave every percentage unchanged (free text stops at
    :data:`TEXT_COPIES_CAP` copies).

    >>> tables = generate_programme()
    >>> sorted(tables), len(tables["audits"])
    (['audits', 'feedback', 'reflections'], 2288)
    """
    audits, copy = generate_audits(seed, scale)
    feedback, reflections = generate_free_text(seed, audits, copy)
    return {"audits": audits, "feedback": feedback, "reflections": reflections}


def write_programme(
    out_dir: str | Path, seed: int = DEFAULT_SEED, scale: int = 1, fmt: str = "csv"
) -> dict[str, Path]:
    """Write the synthetic programme's data folder; return each file written by name.

    Writes programme.yml, audits.csv (or audits.parquet with ``fmt="parquet"``,
    for big scales), feedback.csv, reflections.csv, recommendations.yml and
    names.txt. Refuses to write over a folder whose programme.yml it did not
    write, so it cannot clobber a council's real data.
    """
    import yaml

    if fmt not in ("csv", "parquet"):
        raise AuditlibError(f"format must be 'csv' or 'parquet', got {fmt!r}")
    out = Path(out_dir)
    existing = out / "programme.yml"
    if existing.is_file() and not existing.read_text(encoding="utf-8").startswith(MARKER):
        raise AuditlibError(
            f"{existing} was not written by auditlib demo-data: refusing to overwrite it "
            "(choose an empty folder with --out)"
        )
    out.mkdir(parents=True, exist_ok=True)
    tables = generate_programme(seed, scale)
    files: dict[str, Path] = {}
    other = out / ("audits.parquet" if fmt == "csv" else "audits.csv")
    other.unlink(missing_ok=True)  # the loader refuses a folder with two audits files
    files["audits"] = out / f"audits.{fmt}"
    if fmt == "csv":
        _write_csv(tables["audits"], files["audits"])
    else:
        tables["audits"].to_parquet(files["audits"], index=False)
    for name in ("feedback", "reflections"):
        files[name] = out / f"{name}.csv"
        _write_csv(tables[name], files[name])
    files["programme"] = existing
    existing.write_text(build_programme_yaml(seed, scale), encoding="utf-8")
    files["recommendations"] = out / "recommendations.yml"
    files["recommendations"].write_text(
        "# Each month's practice recommendations (synthetic; August and September 2020 from the seed report)\n"
        + yaml.safe_dump(build_recommendations(), sort_keys=False, allow_unicode=True, width=120),
        encoding="utf-8",
    )
    files["denylist"] = out / DENYLIST_FILE
    files["denylist"].write_text(build_denylist_text(), encoding="utf-8")
    return files


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n", encoding="utf-8")
