"""Benchmark: the monthly routine, auditlib against the hand-scripted loop, side by side.

    python3 tasks.py bench routine              # or: .venv/bin/python bench/bench_routine.py
    python bench/bench_routine.py --quick       # the hand loop on 4 months, scaled (an estimate)

Everything runs in one go, each step a fresh command as a person runs it (wall-clock
time), on the demo programme generated afresh (``auditlib demo-data``):

1. **cold --all**: ``auditlib report --all`` into an empty folder, against the hand loop
   (for each month, ``papermill`` then ``jupyter nbconvert --to html --no-input``, one
   month after another) over the same months;
2. **warm --all**: one month of new rows appended (:func:`auditlib.demo.next_month.append_month`),
   ``auditlib report --all`` again into the same folder, against the hand loop
   rebuilding every month of the new data; and ``report --all`` once more with nothing
   changed;
3. **one month**: the month's report built into an empty folder (what ``report --month``
   does), against the same run of a notebook that only does the same imports (and
   writes the figures file the runner needs), alternating, median of ``--repeats``;
   with the hand loop's month for scale;
4. **section rendering**: CPU seconds a month's report spends after its imports and
   the data loaded ahead, as in its kernel (``bench/profile_month.py``, each month in a
   fresh process), and the size of the month's HTML.

The hand loop's months are timed once: the first months' times serve the cold
comparison (the same months and notebook; the data file has one month more), all of
them the warm one. Run it on a quiet machine: the figures are only as steady as the
CPUs are idle.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "bench"))

#: The targets of issue 11, printed beside each ratio.
TARGETS = {"cold": 10.0, "warm": 50.0, "one_month": 1.3, "sections_cpu": 1.5, "html_kb": 400}


# ---------------------------------------------------------------- running things
#: CPU seconds (user + system) of every command timed, by what :func:`timed` was told it is.
CPU: dict[str, float] = {}


def timed(cmd: list[str | Path], *, cpu_key: str = "", **kwargs) -> float:
    """Wall seconds of a command; its output is shown only when it fails.

    Its CPU seconds, with those of every process it waited for (kernels included), are
    added to ``CPU[cpu_key]``: unlike wall time, they hardly change with what else the
    machine is doing.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{done.stdout}\n{done.stderr}")
    if cpu_key:
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        CPU[cpu_key] = CPU.get(cpu_key, 0.0) + used
    return seconds


def auditlib(*args: str | Path) -> list[str | Path]:
    return [sys.executable, "-m", "auditlib", *args]


def hand_month(notebook: Path, data: Path, month: str, folder: Path, key: str = "") -> float:
    """One month the hand-scripted way: the papermill command, then nbconvert's."""
    folder.mkdir(parents=True, exist_ok=True)
    executed = folder / f"audit-highlights-{month}.ipynb"
    seconds = timed(
        [
            BIN / "papermill",
            notebook,
            executed,
            "-k",
            "python3",
            "-p",
            "report_month",
            month,
            "-p",
            "data_dir",
            data,
            "-p",
            "output_dir",
            folder,
        ],
        cpu_key=key,
    )
    return seconds + timed(
        [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed], cpu_key=key
    )


# ---------------------------------------------------------------- one month, the same way
def bare_notebook(notebook: Path, folder: Path) -> Path:
    """The report notebook's parameters cell and imports, and nothing else but writing the
    figures file every report must leave (so that it runs through the same runner)."""
    import nbformat

    from auditlib.publish.kernelpool import notebook_imports

    source = nbformat.read(notebook, as_version=4)
    parameters = next(c for c in source.cells if "parameters" in c.metadata.get("tags", []))
    modules = notebook_imports(notebook)
    imports = (
        "import importlib\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError:\n"
        "        pass\n"
        "from auditlib.publish.export import write_figures_json\n"
        "if output_dir:\n"
        "    write_figures_json({'report_month': report_month}, output_dir)\n"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(parameters.source, metadata={"tags": ["parameters"]})]
    nb.cells.append(nbformat.v4.new_code_cell(imports))
    nb.metadata["kernelspec"] = source.metadata.get("kernelspec", {"name": "python3"})
    path = folder / "imports_only.ipynb"
    nbformat.write(nb, path)
    return path


def report_month_with(notebook: Path, data: Path, month: str, out: Path) -> None:
    """What ``auditlib report --month`` does, with any notebook (run in a fresh process):
    the kernels' pre-imported process started first, so that its imports run while this
    process reads the data, and the data left for it, as the command does (the driver
    then leaves as the command does, without tearing its modules down)."""
    from auditlib.publish import kernelpool

    kernelpool.start(notebook, data_dir=data)

    from auditlib.data.pipeline import load_audit_data
    from auditlib.publish.fingerprint import month_fingerprints
    from auditlib.publish.runner import run_months
    from auditlib.report.figures import check_report_month

    loaded = load_audit_data(data)
    kernelpool.hand_over(loaded)
    check_report_month(loaded, month)
    fingerprints = month_fingerprints(loaded, [month], notebook=notebook)
    summary = run_months(
        [month],
        notebook,
        data,
        out,
        progress=False,
        fingerprints=fingerprints,
        named=[month],
        frozen=loaded.programme.frozen,
    )
    if summary.exit_code:
        raise SystemExit(summary.describe())


def driver(notebook: Path, data: Path, month: str, out: Path) -> list[str | Path]:
    return [sys.executable, __file__, "--drive", notebook, data, month, out]


# ---------------------------------------------------------------- section rendering
def sections_cpu(month: str, data: Path) -> dict[str, float]:
    """CPU seconds of a month's report after its imports, in a fresh process."""
    code = (
        "import json, profile_month\n"
        "profile_month.kernel_imports()\n"
        f"profile_month.preload({str(data)!r})  # as the month's kernel has it\n"
        f"times = profile_month.one_run({month!r}, {str(data)!r}, 'internal')\n"
        "print(json.dumps(times))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT / "bench",
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the run
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=None, help="auditlib's --jobs (default: CPUs)")
    parser.add_argument("--repeats", type=int, default=3, help="one-month runs of each kind")
    parser.add_argument("--month", default="2020-09", help="the month of the one-month figures")
    parser.add_argument(
        "--hand-months",
        type=int,
        default=0,
        help="time the hand loop on this many months and scale up (0: all, the default)",
    )
    parser.add_argument("--quick", action="store_true", help="--hand-months 4 --repeats 2")
    parser.add_argument(
        "--section-months", default="2018-11,2019-09,2020-09", help="months to profile, or 'all'"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--drive", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        from auditlib.cli.main import leave

        notebook, data, month, out = args.drive
        report_month_with(Path(notebook), Path(data), month, Path(out))
        leave(0)  # as the command leaves

    if args.quick:
        args.hand_months, args.repeats = args.hand_months or 4, min(args.repeats, 2)

    from auditlib.analysis import metrics
    from auditlib.data.pipeline import load_audit_data
    from auditlib.demo.next_month import append_month
    from auditlib.paths import NOTEBOOKS_DIR
    from auditlib.publish.layout import MONTHLY_NOTEBOOK

    notebook = NOTEBOOKS_DIR / MONTHLY_NOTEBOOK
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    results: dict[str, float | str | list] = {"cpus": os.cpu_count() or 0}
    print(f"auditlib monthly-routine benchmark: {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="auditlib-routine-") as tmp:
        work = Path(tmp)
        data, out = work / "data", work / "outputs"
        timed(auditlib("demo-data", "--out", data))
        months = metrics.audited_months(load_audit_data(data).audits)
        print(f"  demo programme: {len(months)} months ({months[0]} to {months[-1]})", flush=True)

        # 1. cold --all
        cold = timed(
            auditlib("report", "--all", "--no-progress", "--data", data, "--out", out, *jobs),
            cpu_key="cold",
        )
        print(f"  cold report --all: {cold:.1f} s", flush=True)

        # 2. a month of new rows, then warm --all (and once more with nothing new)
        new_month = append_month(data)
        warm = timed(
            auditlib("report", "--all", "--no-progress", "--data", data, "--out", out, *jobs),
            cpu_key="warm",
        )
        print(f"  warm report --all after adding {new_month}: {warm:.1f} s", flush=True)
        unchanged = timed(
            auditlib("report", "--all", "--no-progress", "--data", data, "--out", out, *jobs)
        )
        print(f"  report --all with nothing changed: {unchanged:.1f} s", flush=True)

        # The hand loop over every month of the new data (the first ones are the cold months).
        all_months = [*months, new_month]
        timed_months = all_months[-args.hand_months :] if args.hand_months else all_months
        hand: dict[str, float] = {}
        for month in timed_months:
            key = "hand_cold" if month in months else "hand_new"
            hand[month] = hand_month(notebook, data, month, work / "hand" / month, key)
            print(f"    hand loop {month}: {hand[month]:.1f} s", flush=True)
        per_month = statistics.mean(hand.values())
        estimated = len(timed_months) < len(all_months)
        hand_cold = per_month * len(months) if estimated else sum(hand[m] for m in months)
        hand_warm = per_month * len(all_months) if estimated else sum(hand.values())

        # 3. one month, the same way, with the report notebook and with imports only
        bare = bare_notebook(notebook, work)
        one, imports_only = [], []
        for i in range(args.repeats):
            one.append(timed(driver(notebook, data, args.month, work / f"one-{i}"), cpu_key="one"))
            imports_only.append(
                timed(driver(bare, data, args.month, work / f"bare-{i}"), cpu_key="bare")
            )
        cli_month = timed(
            auditlib(
                "report",
                "--month",
                args.month,
                "--no-progress",
                "--data",
                data,
                "--out",
                work / "cli-month",
            )
        )
        one_month, bare_month = statistics.median(one), statistics.median(imports_only)

        # 4. section rendering CPU, and the size of a month's report
        wanted = months if args.section_months == "all" else args.section_months.split(",")
        sections = {m: sum(sections_cpu(m, data).values()) for m in wanted if m in months}
        html = out / args.month / f"audit-highlights-{args.month}.html"
        html_kb = html.stat().st_size / 1000

    scale = len(all_months) / len(timed_months)
    hand_cpu_all = (CPU.get("hand_cold", 0.0) + CPU.get("hand_new", 0.0)) * scale
    hand_cpu_cold = (
        hand_cpu_all * len(months) / len(all_months) if estimated else CPU.get("hand_cold", 0.0)
    )
    results.update(
        cpu={
            "cold_all": CPU.get("cold", 0.0),
            "hand_cold": hand_cpu_cold,
            "warm_all": CPU.get("warm", 0.0),
            "hand_warm": hand_cpu_all,
            "one_month": CPU.get("one", 0.0) / args.repeats,
            "imports_only": CPU.get("bare", 0.0) / args.repeats,
        },
        cold_all=cold,
        hand_cold=hand_cold,
        warm_all=warm,
        unchanged_all=unchanged,
        hand_warm=hand_warm,
        hand_estimated=estimated,
        one_month=one_month,
        imports_only=bare_month,
        one_month_cli=cli_month,
        hand_one_month=hand.get(args.month, per_month),
        sections_cpu=sections,
        html_kb=html_kb,
    )
    _print(results, len(months), new_month, args.month)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def _print(r: dict, n_months: int, new_month: str, month: str) -> None:
    est = " (estimated from the months timed)" if r["hand_estimated"] else ""
    cold_ratio = r["hand_cold"] / r["cold_all"]
    warm_ratio = r["hand_warm"] / r["warm_all"]
    one_ratio = r["one_month"] / r["imports_only"]
    worst = max(r["sections_cpu"].values()) if r["sections_cpu"] else float("nan")
    rows = [
        (
            f"cold --all, {n_months} months",
            f"{r['cold_all']:.1f} s",
            f"hand loop {r['hand_cold']:.1f} s{est}",
            f"{cold_ratio:.1f}× faster",
            f"≥ {TARGETS['cold']:.0f}×",
        ),
        (
            f"warm --all after adding {new_month}",
            f"{r['warm_all']:.1f} s",
            f"hand loop, all {n_months + 1} months {r['hand_warm']:.1f} s{est}",
            f"{warm_ratio:.1f}× faster",
            f"≥ {TARGETS['warm']:.0f}×",
        ),
        (
            f"one month ({month})",
            f"{r['one_month']:.2f} s",
            f"imports-only notebook, same run {r['imports_only']:.2f} s",
            f"{one_ratio:.2f}×",
            f"≤ {TARGETS['one_month']}×",
        ),
        (
            "section rendering (CPU after imports)",
            f"{worst:.2f} s",
            ", ".join(f"{m} {s:.2f} s" for m, s in r["sections_cpu"].items()),
            "worst month",
            f"≤ {TARGETS['sections_cpu']} s",
        ),
        (
            f"HTML of {month}",
            f"{r['html_kb']:.0f} KB",
            "every chart included",
            "",
            f"< {TARGETS['html_kb']} KB",
        ),
    ]
    print("\nresults")
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    cpu = r["cpu"]
    print(
        "  CPU seconds (user + system, every process): "
        f"cold {cpu['cold_all']:.1f} against {cpu['hand_cold']:.1f} "
        f"({cpu['hand_cold'] / cpu['cold_all']:.1f}×); "
        f"warm {cpu['warm_all']:.1f} against {cpu['hand_warm']:.1f} "
        f"({cpu['hand_warm'] / cpu['warm_all']:.1f}×); "
        f"one month {cpu['one_month']:.2f} against imports only {cpu['imports_only']:.2f} "
        f"({cpu['one_month'] / cpu['imports_only']:.2f}×)"
    )
    print(
        f"  (report --all with nothing changed: {r['unchanged_all']:.1f} s; "
        f"auditlib report --month {month}: {r['one_month_cli']:.2f} s; "
        f"the hand loop's month: {r['hand_one_month']:.2f} s)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
