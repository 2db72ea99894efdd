#!/usr/bin/env python3
"""Check that a change leaves every report's figures unchanged.

Builds every demo month's report in both disclosure profiles, and two judgement-shift
reports, once from a git revision (default ``HEAD``, i.e. before your uncommitted
change; or e.g. ``main``) and once from the working tree, then compares them:
figures.json and shift-figures.json must be identical; the HTML must be identical
once the lines that name the auditlib version or the time of writing are set aside.

    .venv/bin/python scripts/compare_outputs.py [--rev REV] [--keep DIR] [--html]

Prints each difference and exits 1 when there is one. Runs both sides with this
virtual environment's packages (the revision's code comes first on ``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIFTS = (
    ("2019-09:2020-02", "2020-06:2020-09", "team", "internal"),
    ("2019-09:2020-02", "2020-06:2020-09", "cohort", "published"),
)
#: Lines that may differ between two builds of the same report.
VOLATILE = re.compile(
    r"auditlib \d[\w.+-]*|written by auditlib|Index written|\d{1,2} \w+ \d{4}, \d\d:\d\d"
)
#: Parts of a line that name a notebook cell by its position (not content): set aside.
POSITIONAL = re.compile(r' id="cell-id=[^"]*"')


def build(code_root: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    python = sys.executable
    data = code_root / "data" / "demo"
    for profile in ("internal", "published"):
        cmd = [python, "-m", "auditlib", "report", "--all", "--no-progress", "--data", str(data)]
        cmd += ["--out", str(out / profile), "--disclosure", profile]
        subprocess.run(cmd, env=env, check=True, cwd=code_root, stdout=subprocess.DEVNULL)
    for a, b, by, profile in SHIFTS:
        cmd = [python, "-m", "auditlib", "shifts", "--a", a, "--b", b, "--by", by]
        cmd += ["--data", str(data), "--out", str(out / profile), "--disclosure", profile]
        subprocess.run(cmd, env=env, check=True, cwd=code_root, stdout=subprocess.DEVNULL)


def compare(before: Path, after: Path, html: bool) -> list[str]:
    problems = []
    names = ["figures.json", "shift-figures.json"] + (["*.html"] if html else [])
    files = sorted({p.relative_to(before) for n in names for p in before.rglob(n)})
    files = [f for f in files if f.name != "index.html"]
    if not files:
        return ["no reports were built from the revision"]
    for rel in files:
        a, b = before / rel, after / rel
        if not b.is_file():
            problems.append(f"{rel}: missing after the change")
            continue
        if rel.suffix == ".json":
            if json.loads(a.read_text()) != json.loads(b.read_text()):
                diff = difflib.unified_diff(
                    json.dumps(json.loads(a.read_text()), indent=1).splitlines(),
                    json.dumps(json.loads(b.read_text()), indent=1).splitlines(),
                    lineterm="",
                    n=1,
                )
                problems.append(f"{rel} differs:\n" + "\n".join(list(diff)[:40]))
        else:
            la = [
                POSITIONAL.sub("", x) for x in a.read_text().splitlines() if not VOLATILE.search(x)
            ]
            lb = [
                POSITIONAL.sub("", x) for x in b.read_text().splitlines() if not VOLATILE.search(x)
            ]
            if la != lb:
                diff = difflib.unified_diff(la, lb, lineterm="", n=0)
                problems.append(f"{rel} differs:\n" + "\n".join(x[:300] for x in list(diff)[:20]))
    extra = sorted({p.relative_to(after) for n in names for p in after.rglob(n)} - set(files))
    problems += [f"{rel}: new after the change" for rel in extra if rel.name != "index.html"]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD", help="git revision to compare with (default HEAD)")
    parser.add_argument("--keep", type=Path, help="keep both sets of reports in this folder")
    parser.add_argument("--html", action="store_true", help="compare the HTML too")
    parser.add_argument("--before", type=Path, help="reuse reports already built from the revision")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="auditlib-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    before = args.before or work / "before"
    if not args.before:
        tree = work / "tree"
        if tree.exists():
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), args.rev],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            print(f"building the reports of {args.rev} …", flush=True)
            build(tree, before)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
    print("building the reports of the working tree …", flush=True)
    build(ROOT, work / "after")
    problems = compare(before, work / "after", args.html)
    for p in problems:
        print(p)
    n = len(list(before.rglob("*figures.json")))
    print(
        f"{n} figures files compared: "
        + ("identical" if not problems else f"{len(problems)} differences")
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
