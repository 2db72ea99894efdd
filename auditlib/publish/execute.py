"""Running a report notebook with papermill: one runner for every report.

:func:`execute_notebook` runs the notebook in a fresh kernel (forked from a
pre-imported process when ``prewarm`` is set, see :mod:`auditlib.publish.kernelpool`)
and turns every way it can fail into a :class:`ReportError` whose message says
where (the cell, by its section heading or first line) and why, never with a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditlib.errors import ReportError


def execute_notebook(
    notebook: Path,
    executed: Path,
    params: dict[str, Any],
    *,
    what: str,
    previous: str = "",
    kernel_name: str = "python3",
    timeout: int | None = 600,
    prewarm: bool = False,
    kernel_env: dict[str, str] | None = None,
) -> Any:
    """Execute ``notebook`` into ``executed`` with ``params``; ``kernel_env`` is added to
    the kernel's environment. Returns the executed notebook (what was written).

    ``what`` names the report in messages ("The report for 2020-09"); ``previous`` is
    appended to them (e.g. that the previous report is unchanged). A kernel that dies
    (killed from outside, e.g. out of memory) is given one more try.
    """
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from auditlib.publish import kernelpool

    tail = f" {previous}" if previous else ""
    for attempt in (1, 2):
        try:
            return pm.execute_notebook(
                str(notebook),
                str(executed),
                parameters=params,
                kernel_name=kernel_name,
                progress_bar=False,
                request_save_on_cell_execute=False,
                log_output=False,
                # The kernel starts in the notebook's folder, as in JupyterLab, without
                # papermill's cwd= (an os.chdir of the whole process).
                resources={"metadata": {"path": str(notebook.parent)}},
                timeout=timeout,
                kernel_manager_class=kernelpool.kernel_manager_class(
                    notebook, fork=prewarm, env=kernel_env
                ),
            )
        except PapermillExecutionError as exc:
            where, reason = describe_failure(exc, executed)
            raise ReportError(
                f"{what} was not produced: {notebook.name} stopped at {where} "
                f"with {exc.ename}: {reason}.{tail}"
            ) from None
        except DeadKernelError:
            if attempt == 2:
                raise ReportError(
                    f"{what} was not produced: its kernel died twice while running the notebook "
                    f"(is the machine out of memory?).{tail}"
                ) from None
        except CellTimeoutError:
            raise ReportError(
                f"{what} was not produced: a cell of {notebook.name} ran for longer than "
                f"{timeout} s.{tail}"
            ) from None


def describe_failure(exc: Any, executed: Path) -> tuple[str, str]:
    """Where a papermill run stopped (the cell, by its section heading or first line) and
    why (the exception's message, plain text): never the traceback."""
    from auditlib.publish.export import describe_cell, plain_text

    where = f"cell {exc.cell_index}"
    try:
        import nbformat

        nb = nbformat.read(str(executed), as_version=4)
        index = next(
            (
                i
                for i, cell in enumerate(nb.cells)
                if any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            ),
            None,
        )
        if index is not None:
            where = describe_cell(nb, index)
    except Exception:  # the executed notebook is best-effort context only
        pass
    return where, plain_text(exc.evalue) or "no message"
