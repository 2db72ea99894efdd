"""Profile one month's report in one process: where the CPU goes after the imports.

    python bench/profile_month.py [--month 2020-09] [--data data/demo] [--disclosure internal]
                                  [--repeats 3] [--cprofile 25]

Runs what the monthly notebook runs, without a kernel: the imports (the kernel's: those of
the pre-imported kernel process, IPython among them, and the notebook's own), then
``monthly.prepare`` and every section of ``monthly.SECTIONS``, each section's blocks
rendered the way the notebook shows them (tables to HTML, charts to images), and the
figures file written. Prints CPU seconds per
step: the first run (what a month's fresh kernel pays) and the median of ``--repeats``
later runs; with ``--cprofile N``, the N functions with the most cumulative time over
one more run.

As in a month's kernel, the data folder is loaded and cleaned ahead, with the imports,
and what exists by then is kept out of the garbage collector (:func:`preload`, what the
runner's pre-imported kernel process does); ``--no-preload`` counts reading and cleaning
the data in ``prepare``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def render_blocks(blocks: list[Any]) -> int:
    """Render blocks as the notebook shows them; returns the bytes of output produced."""
    from auditlib.report import display
    from auditlib.report.blocks import Callout, Chart, Heading, Markdown, Table

    size = 0
    for block in blocks:
        if isinstance(block, Heading):
            size += len(display.render_heading(block.text, block.level)["text/markdown"])
        elif isinstance(block, Markdown):
            size += len(block.text)
        elif isinstance(block, Table):
            size += len(
                display.render_table(
                    block.frame,
                    block.caption,
                    note=block.note,
                    index=block.index,
                    numeric=block.numeric,
                )
            )
        elif isinstance(block, Chart):
            data, _ = display.render_figure(block.figure, block.alt, block.caption)
            display._close(block.figure)
            size += sum(len(v) for k, v in data.items() if k != "text/plain")
        elif isinstance(block, Callout):
            size += len(display.render_callout(block.text, block.kind, block.title))
    return size


def kernel_imports() -> None:
    """Import what a month's kernel has imported before the notebook's first cell: the
    pre-imported kernel process's modules (IPython among them) and the notebook's own."""
    import importlib
    import os

    from auditlib.publish import kernelpool

    for name, value in kernelpool.KERNEL_THREADS_ENV.items():
        os.environ.setdefault(name, value)  # before numpy loads, as in the kernel process
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # as the kernel process does
    notebook = ROOT / "notebooks" / "monthly_highlights.ipynb"
    for name in [*kernelpool.DEFAULT_PRELOAD, *kernelpool.notebook_imports(notebook)]:
        try:
            importlib.import_module(name)
        except ImportError:  # "from module import name" lists the name too; as the kernel pool
            continue


def preload(data_dir: str) -> None:
    """What the pre-imported kernel process does after its imports, before it forks a
    month's kernel: the data loaded ahead and month-independent work done
    (:func:`auditlib.report.preload.preload`), and every object so far kept out of the
    garbage collector (gc.freeze), whose full collections a kernel then does not pay."""
    import gc

    from auditlib.report.preload import preload as preload_for_kernels

    preload_for_kernels(data_dir)
    gc.collect()
    gc.freeze()


def cpu(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.process_time()
    result = step()
    return time.process_time() - started, result


def one_run(month: str, data_dir: str, disclosure: str) -> dict[str, float]:
    """CPU seconds of prepare, of each section (blocks built and rendered), and of writing
    the figures file."""
    import tempfile

    from auditlib.report import monthly

    times: dict[str, float] = {}
    times["prepare"], ctx = cpu(lambda: monthly.prepare(month, data_dir, disclosure))
    for name, section in monthly.SECTIONS:
        times[name], _ = cpu(lambda section=section: render_blocks(section(ctx)))
    with tempfile.TemporaryDirectory() as folder:
        times["figures file"], _ = cpu(lambda: ctx.save_figures(folder))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--month", default="2020-09")
    parser.add_argument("--data", default=str(ROOT / "data" / "demo"))
    parser.add_argument("--disclosure", default="internal")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument("--no-preload", action="store_true", help="load the data in prepare")
    args = parser.parse_args(argv)

    import_cpu, _ = cpu(kernel_imports)
    print(f"imports: {import_cpu:.2f} s CPU", flush=True)
    if not args.no_preload:
        seconds, _ = cpu(lambda: preload(args.data))
        print(f"data loaded and cleaned ahead: {seconds:.2f} s CPU", flush=True)
    # The first run is what a month's fresh kernel pays (fonts, caches, first draw);
    # later runs in the same process show the steady cost.
    first = one_run(args.month, args.data, args.disclosure)
    runs = [one_run(args.month, args.data, args.disclosure) for _ in range(args.repeats)]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    width = max(len(k) for k in median)
    print(f"  {'CPU seconds':<{width}}  first  steady (median of {args.repeats})")
    for key, seconds in median.items():
        print(f"  {key:<{width}}  {first[key]:6.3f} {seconds:6.3f}")
    print(
        f"  {'after the imports':<{width}}  {sum(first.values()):6.3f} {sum(median.values()):6.3f}"
    )
    if args.cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
        one_run(args.month, args.data, args.disclosure)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.cprofile)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
