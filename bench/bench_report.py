"""Benchmark: producing monthly reports, the naive way and auditlib's way.

Measures, each as a person would run it (a fresh command, wall-clock time):

1. naive: for each month in turn, the ``papermill`` command then
   ``jupyter nbconvert --to html --no-input`` (what an analyst's shell loop does);
2. ``run_months`` over the same months, ``--jobs`` workers, kernels forked from a
   pre-imported process (the default), and with a fresh kernel per month;
3. one month with ``run_month`` against a notebook that only does the same
   imports as the report notebook (the bare cost of a kernel plus imports),
   both in one warm Python process and as fresh commands.

Usage (the notebook is an argument, so the real report can be measured too)::

    python bench/bench_report.py                                   # the test fixture
    python bench/bench_report.py --notebook notebooks/monthly_highlights.ipynb \\
        --data data/demo --months 2018-12..2020-09 --param disclosure=internal

Run it on a quiet machine: the figures are only as steady as the CPU is idle.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "report_fixture.ipynb"
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "report_data"
BIN = Path(sys.executable).parent


def parse_months(text: str) -> list[str]:
    from auditlib.publish.runner import months_between

    if ".." in text:
        first, last = text.split("..", 1)
        return months_between(first.strip(), last.strip())
    return [m.strip() for m in text.split(",") if m.strip()]


def timed(cmd: list[str], **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - started


def naive(
    notebook: Path, data: Path, months: list[str], params: dict[str, str], work: Path
) -> float:
    """papermill CLI then nbconvert CLI, one month after another."""
    total = 0.0
    for month in months:
        folder = work / "naive" / month
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / f"audit-highlights-{month}.ipynb"
        args = [
            "-p",
            "report_month",
            month,
            "-p",
            "data_dir",
            str(data),
            "-p",
            "output_dir",
            str(folder),
        ]
        for key, value in params.items():
            args += ["-p", key, value]
        total += timed(
            [str(BIN / "papermill"), str(notebook), str(executed), "-k", "python3", *args]
        )
        total += timed(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]
        )
    return total


def python_command(code: str) -> float:
    return timed([sys.executable, "-c", code], cwd=ROOT)


def auditlib_all(
    notebook: Path, data: Path, months: list[str], params: dict, out: Path, jobs: int, prewarm: bool
) -> float:
    code = (
        "from auditlib.publish.runner import run_months\n"
        f"s = run_months({months!r}, {str(notebook)!r}, {str(data)!r}, {str(out)!r}, {params!r}, "
        f"jobs={jobs}, prewarm={prewarm}, progress=False)\n"
        "assert s.exit_code == 0, s.describe()\n"
    )
    return python_command(code)


def bare_notebook(notebook: Path, work: Path) -> Path:
    """A notebook whose only cell imports what ``notebook`` imports."""
    import nbformat

    from auditlib.publish.kernelpool import notebook_imports

    # "from x import y" lists x.y, which may be a function: import what is a module.
    modules = notebook_imports(notebook)
    source = (
        "import importlib\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError:\n"
        "        pass\n"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = work / "bare_imports.ipynb"
    nbformat.write(nb, path)
    return path


def one_month_in_process(
    notebook: Path, data: Path, month: str, params: dict, work: Path, bare: Path, repeats: int
) -> dict:
    """Kernel + imports vs a whole month (execute, export, publish), in one warm process."""
    import papermill as pm

    from auditlib.publish.export import warm_up
    from auditlib.publish.runner import run_month

    warm_up()

    def bare_run() -> float:
        started = time.perf_counter()
        pm.execute_notebook(
            str(bare),
            str(work / "bare_out.ipynb"),
            kernel_name="python3",
            progress_bar=False,
            request_save_on_cell_execute=False,
        )
        return time.perf_counter() - started

    def month_run(prewarm: bool) -> float:
        started = time.perf_counter()
        run_month(notebook, month, data, work / f"one-{prewarm}", params, prewarm=prewarm)
        return time.perf_counter() - started

    bare_times = [bare_run() for _ in range(repeats)]
    fresh_times = [month_run(False) for _ in range(repeats)]
    forked_first = month_run(True)  # includes starting the zygote, paid once per worker
    forked_times = [month_run(True) for _ in range(repeats)]
    return {
        "bare_imports_notebook": statistics.median(bare_times),
        "month_fresh_kernel": statistics.median(fresh_times),
        "month_forked_first": forked_first,
        "month_forked_kernel": statistics.median(forked_times),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notebook", type=Path, default=FIXTURE)
    parser.add_argument("--data", type=Path, default=FIXTURE_DATA)
    parser.add_argument("--months", default="2019-01..2020-08", help="FIRST..LAST or a comma list")
    parser.add_argument("--month", help="the month for the one-month figures (default: the last)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument(
        "--skip-fresh", action="store_true", help="skip run_months with fresh kernels"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    notebook, data = args.notebook.resolve(), args.data.resolve()
    months = parse_months(args.months)
    month = args.month or months[-1]
    params = dict(p.split("=", 1) for p in args.param)
    results: dict[str, float | int | str] = {
        "notebook": str(notebook),
        "months": len(months),
        "jobs": args.jobs,
    }
    print(
        f"notebook {notebook.name}, {len(months)} months, {args.jobs} jobs, {os.cpu_count()} CPUs",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="auditlib-bench-") as tmp:
        work = Path(tmp)
        one = one_month_in_process(
            notebook, data, month, params, work, bare_notebook(notebook, work), args.repeats
        )
        results.update(one)
        results["bare_imports_cli"] = timed(
            [
                str(BIN / "papermill"),
                str(work / "bare_imports.ipynb"),
                str(work / "b.ipynb"),
                "-k",
                "python3",
            ]
        )
        code = (
            "from auditlib.publish.runner import run_month\n"
            f"run_month({str(notebook)!r}, {month!r}, {str(data)!r}, {str(work / 'one-cli')!r}, {params!r})\n"
        )
        results["month_cli"] = python_command(code)
        print(
            f"one month, warm process: bare-imports notebook {one['bare_imports_notebook']:.2f} s; "
            f"run_month fresh kernel {one['month_fresh_kernel']:.2f} s "
            f"({one['month_fresh_kernel'] / one['bare_imports_notebook']:.2f}×); "
            f"forked kernel {one['month_forked_kernel']:.2f} s "
            f"({one['month_forked_kernel'] / one['bare_imports_notebook']:.2f}×; first {one['month_forked_first']:.2f} s)",
            flush=True,
        )
        print(
            f"one month, fresh command: papermill bare-imports {results['bare_imports_cli']:.2f} s; "
            f"run_month {results['month_cli']:.2f} s "
            f"({results['month_cli'] / results['bare_imports_cli']:.2f}×)",
            flush=True,
        )

        results["all_forked"] = auditlib_all(
            notebook, data, months, params, work / "forked", args.jobs, True
        )
        print(
            f"run_months, forked kernels: {results['all_forked']:.1f} s "
            f"({results['all_forked'] / len(months):.2f} s a month)",
            flush=True,
        )
        if not args.skip_fresh:
            results["all_fresh"] = auditlib_all(
                notebook, data, months, params, work / "fresh", args.jobs, False
            )
            print(f"run_months, fresh kernels:  {results['all_fresh']:.1f} s", flush=True)
        if not args.skip_naive:
            results["naive"] = naive(notebook, data, months, params, work)
            print(
                f"naive papermill + nbconvert CLI, sequential: {results['naive']:.1f} s "
                f"({results['naive'] / len(months):.2f} s a month)",
                flush=True,
            )
            print(
                f"speed-up over naive: forked {results['naive'] / results['all_forked']:.1f}×"
                + (
                    f", fresh {results['naive'] / results['all_fresh']:.1f}×"
                    if "all_fresh" in results
                    else ""
                )
            )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
