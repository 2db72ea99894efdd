"""Audit a programme's published reports: can any suppressed count (``[c]``) be worked out?

    python scripts/disclosure_audit.py                       # the demo programme, built here
    python scripts/disclosure_audit.py --data DIR --reports outputs --months 2020-08 2020-09
    python scripts/disclosure_audit.py --figures-only       # figures.json only: fast

For each month, the audit of its own report (figures.json and the page) alone, then of every
month's together, up to and including each month (a reader with every earlier report too,
so differences between months count). Reports are read from ``--reports`` (a folder written
by ``auditlib report --disclosure published``) or built from the data (published profile:
about ten seconds a month). Prints the cells audited and any pinned one, with where it was
published and the one value everything published leaves it; ``--exact`` also prints every
suppressed cell's smallest and largest value. Exit status 1 when a cell is pinned.
See docs/disclosure.md for the rule.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from auditlib.analysis import metrics
from auditlib.data.pipeline import load_audit_data
from auditlib.disclosure import DisclosureProfile
from auditlib.disclosure.audit import MILP_TIME_LIMIT
from auditlib.disclosure.published import (
    PublishedMonth,
    audit_months,
    from_context,
    read_output_folder,
)
from auditlib.paths import DEMO_DATA_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEMO_DATA_DIR, help="the data folder")
    parser.add_argument("--reports", type=Path, help="a folder of published reports to read")
    parser.add_argument("--months", nargs="*", help="months to audit (default: every month)")
    parser.add_argument("--exact", action="store_true", help="every cell's smallest and largest")
    parser.add_argument(
        "--alone-only", action="store_true", help="skip the audits of months together"
    )
    parser.add_argument(
        "--figures-only",
        action="store_true",
        help="audit figures.json alone, not the page (seconds, not minutes, a month)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=MILP_TIME_LIMIT,
        metavar="SECONDS",
        help="seconds the solver may spend on each integer programme before a cell is "
        f"'not decided', which counts as a failure (default {MILP_TIME_LIMIT:g})",
    )
    args = parser.parse_args(argv)

    data = load_audit_data(args.data)
    months = args.months or metrics.audited_months(data.audits)
    every = metrics.audited_months(data.audits)
    # A month's reader also holds every earlier month's report.
    needed = sorted({m for m in every if m <= max(months)})
    published = _published(data, needed, args.reports, page=not args.figures_only)
    pinned = 0
    print(
        f"{'month':8} {'alone: cells':>13} {'pinned':>7} {'seconds':>8}   "
        f"{'with earlier months: cells':>27} {'pinned':>7} {'seconds':>8}"
    )
    for month in months:
        alone, alone_time = _timed(data, [published[month]], args.exact, args.time_limit)
        line = f"{month:8} {len(alone.cells):>13} {len(alone.pinned):>7} {alone_time:>8.1f}"
        together = None
        if not args.alone_only:
            history = [published[m] for m in needed if m <= month]
            together, together_time = _timed(data, history, False, args.time_limit)
            line += f"   {len(together.cells):>27} {len(together.pinned):>7} {together_time:>8.1f}"
        print(line, flush=True)
        for result in filter(None, (alone, together)):
            for cell in result.pinned:
                print(f"    pinned: {cell.describe()}")
            for cell in result.undecided:
                print(
                    f"    not decided (the solver gave up; counted as a failure): {cell.describe()}"
                )
            for source in result.unresolved:
                print(f"    not checked: {source}")
            pinned += len(result.pinned) + len(result.unresolved) + len(result.undecided)
        if args.exact:
            for cell in alone.cells:
                print(f"    {cell.describe()}")
    return 1 if pinned else 0


def _published(
    data, months: list[str], reports: Path | None, page: bool
) -> dict[str, PublishedMonth]:
    if reports is not None:
        read = {p.month: p for p in read_output_folder(reports, months)}
        return read if page else {m: PublishedMonth(m, p.figures) for m, p in read.items()}
    from auditlib.disclosure.published import month_context

    out = {}
    for month in months:
        ctx = month_context(data, month, DisclosureProfile.PUBLISHED)
        out[month] = from_context(ctx, page=page)
    return out


def _timed(data, published: list[PublishedMonth], exact: bool, time_limit: float):
    start = time.perf_counter()
    result = audit_months(data, published, exact=exact, time_limit=time_limit)
    return result, time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
