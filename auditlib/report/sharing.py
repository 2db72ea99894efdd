"""A month's sections shared with a second process, when a CPU would otherwise sit idle.

A month's report runs its sections one after another in its kernel, on one CPU. When the
runner builds fewer months than there are CPUs (``report --month``, or a warm ``--all``
with one new month), a *section helper* runs beside the kernel: a process forked from the
same pre-imported process as the kernel (:mod:`auditlib.publish.kernelpool`), as soon as
that process has the helper's modules and the data (before the modules only a kernel
needs). It prepares the same month's context, works out the month's statistics (the
tests, models and protected figures the key messages and later sections state) while the
kernel is still starting, then builds the report's sections in the notebook's order,
ahead of the kernel. A second helper, forked with it, builds meanwhile the sections that
need the month's figures but not its statistics (:func:`shareable` with
``statistics=False``), and exits. The month's figures themselves are worked out by the
runner, which has the data loaded and a CPU to spare while the kernels' process imports
(:func:`runner_figures`); both helpers and the kernel start from them. Each section is
done once, by whichever process reaches it first.
The kernel takes the helper's statistics before it builds its first section and shows the
helper's sections as if it had built them; when it reaches a section the helper is still
building, it builds sections from the last one back meanwhile (rather than wait), and
shows them in their turn.

Nothing changes in what the report says: the helper runs the same code on the same data
(the sections are pure functions of the month's context, and each chart is rendered the
way the kernel renders it), and the kernel shows and records every section in the
notebook's order. A section the helper could not build (an error, a helper that died) is
built by the kernel itself, so its error, if any, is reported as usual, in its own cell.

How they agree, without any message between them: the runner gives both a folder. For
each section there is a claim file, locked (``flock``) by whoever writes its claim and,
for the helper, for as long as it builds the section. The kernel locks it when it
reaches the section: an empty file is unclaimed (the kernel claims it and builds it
itself); a file the helper claimed holds the helper's result beside it once the lock is
free (or none, when the helper failed or died, and the kernel builds it). The helper
passes over the sections the kernel has claimed. A notebook run any other way (plain
papermill, JupyterLab) has no folder and builds every section itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, TypeVar

#: The kernel's environment variable naming the folder it shares with a section helper.
SHARE_ENV: Final = "AUDITLIB_SECTION_SHARE"
#: The month the folder is for, written by the runner: the kernel shares only when its own
#: ``prepare`` arguments are the same.
SPEC_FILE: Final = "spec.json"
#: The claim of the month's figures and trend (what ``prepare`` works out).
FIGURES: Final = "figures"
#: The claim of the month's statistics (the context's values that ``published_figures``
#: works out: tests, case mix, re-audit expectation, auditor effects, protected figures).
STATISTICS: Final = "statistics"
#: Set in a kernel's context once it has taken (or given up) the helper's statistics.
_STATISTICS_TAKEN: Final = "_section_share_statistics_taken"
_HELPER: Final = b"helper"
_KERNEL: Final = b"kernel"
_RUNNER: Final = b"runner"
#: How long a second helper waits for someone to claim the month's figures before it
#: works them out itself (they are claimed within milliseconds of the helpers' start).
FIGURES_WAIT_SECONDS: Final = 5.0

F = TypeVar("F", bound=Callable[..., Any])


def spec(
    report_month: str, data_dir: str | os.PathLike[str] | None, disclosure: str | None
) -> dict:
    """What identifies a month's context: the arguments of ``prepare``, normalised."""
    from auditlib.paths import DEMO_DATA_DIR

    folder = Path(data_dir) if data_dir else DEMO_DATA_DIR
    return {
        "report_month": str(report_month),
        "data_dir": str(folder.resolve()),
        "disclosure": disclosure or "",
    }


def write_spec(folder: Path, month_spec: dict) -> None:
    (folder / SPEC_FILE).write_text(json.dumps(month_spec, sort_keys=True), encoding="utf-8")


def section_key(function: Callable[..., Any]) -> str:
    """A section function's name in the shared folder (module and function)."""
    return f"{function.__module__}.{function.__qualname__}"


# ---------------------------------------------------------------- the kernel's side
@dataclass(frozen=True)
class SectionShare:
    """The kernel's view of a folder shared with a section helper."""

    folder: Path
    #: The shareable sections in the notebook's order (key, section function): what the
    #: kernel may build ahead while the helper is busy with the one it has reached.
    sections: tuple[tuple[str, Callable[..., Any]], ...] = ()
    #: Sections the kernel built ahead, by key, until it reaches them.
    ahead: dict[str, list[Any]] = field(default_factory=dict, repr=False, compare=False)

    def take(self, key: str, ctx: Any, build: Callable[[], list[Any]]) -> list[Any]:
        """The section ``key``'s blocks: built ahead, or the helper's when it built them;
        else built here (with the month's statistics the helper worked out, when it did)."""
        if key in self.ahead:
            return self.ahead.pop(key)
        claimed_by = _claim(self.folder, key, wait=False)
        while claimed_by is None:  # the helper is building it: build others meanwhile
            if not self._build_one_ahead(key, ctx):
                claimed_by = _claim(self.folder, key)  # nothing else to do: wait for it
                break
            claimed_by = _claim(self.folder, key, wait=False)
        if claimed_by == _HELPER:
            blocks = _load(self.folder, key)
            if blocks is not None:
                return blocks
        self.take_statistics(ctx)
        return build()

    def _build_one_ahead(self, reached: str, ctx: Any) -> bool:
        """Build the last section after ``reached`` that no one has claimed, for the kernel
        to show in its turn; returns whether there was one. A section that fails is left:
        the kernel builds it again when it reaches it, and says what went wrong there."""
        keys = [key for key, _ in self.sections]
        later = self.sections[keys.index(reached) + 1 :] if reached in keys else ()
        for key, section in reversed(later):
            if key in self.ahead or _claim(self.folder, key, wait=False) != b"":
                continue  # built, being built, or claimed (by the helper, or done here)
            self.take_statistics(ctx)
            with contextlib.suppress(Exception):
                self.ahead[key] = rendered(getattr(section, "__wrapped__", section)(ctx))
            return True
        return False

    def take_figures(self) -> Figures | None:
        """The month's figures and trend as the runner or a helper worked them out (a copy
        each), or None if the kernel got there first."""
        if _claim(self.folder, FIGURES) in (_HELPER, _RUNNER):
            return _load(self.folder, FIGURES)
        return None

    def take_statistics(self, ctx: Any) -> None:
        """Give ``ctx`` the month's statistics as the helper worked them out (see
        :func:`run_helper`), once; if the kernel got there first, it works them out itself
        as they are needed."""
        if ctx.__dict__.get(_STATISTICS_TAKEN):
            return
        ctx.__dict__[_STATISTICS_TAKEN] = True
        if _claim(self.folder, STATISTICS) == _HELPER:
            values = _load(self.folder, STATISTICS)
            for name, value in (values or {}).items():
                ctx.__dict__.setdefault(name, value)  # what the kernel has is its own


def join(
    report_month: str,
    data_dir: str | os.PathLike[str] | None,
    disclosure: str | None,
    sections: Sequence[Callable[..., Any]] = (),
) -> SectionShare | None:
    """The folder shared with this kernel's section helper, if it has one for this month;
    ``sections`` are the report's sections in order (those not shareable are left out)."""
    folder = os.environ.get(SHARE_ENV, "")
    if not folder:
        return None
    try:
        written = json.loads((Path(folder) / SPEC_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if written != spec(report_month, data_dir, disclosure):
        return None  # a different month (or data, or profile): build everything here
    shared = tuple((section_key(f), f) for f in sections if is_shareable(f))
    return SectionShare(Path(folder), shared)


@dataclass(frozen=True)
class Figures:
    """The month's figures and trend as :func:`auditlib.report.figures.figures_and_trend`
    worked them out, for the data whose input hash is ``input_hash``."""

    figures: dict[str, Any]
    trend: Any
    input_hash: str

    def for_data(self, data: Any) -> tuple[dict[str, Any], Any] | None:
        """(figures, trend) if they were worked out from ``data``'s files, else None."""
        if getattr(data, "input_hash", None) != self.input_hash:
            return None
        return self.figures, self.trend


def shareable(function: F | None = None, *, statistics: bool = True) -> F | Callable[[F], F]:
    """Mark a report section (``section(ctx) -> list[Block]``) as one a helper may build;
    ``statistics=False`` says it states none of the month's statistics (only its figures),
    so the second helper builds it while the first works them out.

    With no helper (``ctx.section_share`` is None) the section runs as it is.
    """
    if function is None:
        return functools.partial(shareable, statistics=statistics)  # type: ignore[return-value]
    key = section_key(function)

    @functools.wraps(function)
    def section(ctx: Any, *args: Any, **kwargs: Any) -> list[Any]:
        share = getattr(ctx, "section_share", None)
        if share is None or args or kwargs:
            return function(ctx, *args, **kwargs)
        return share.take(key, ctx, lambda: function(ctx))

    section.__wrapped_key__ = key  # type: ignore[attr-defined]
    section.__needs_statistics__ = statistics  # type: ignore[attr-defined]
    return section  # type: ignore[return-value]


def is_shareable(function: Callable[..., Any]) -> bool:
    return hasattr(function, "__wrapped_key__")


def needs_statistics(function: Callable[..., Any]) -> bool:
    """Whether a shareable section states any of the month's statistics."""
    return bool(getattr(function, "__needs_statistics__", True))


# ---------------------------------------------------------------- the runner's side
@contextlib.contextmanager
def runner_figures(folder: str | os.PathLike[str]) -> Iterator[Callable[[Any], None]]:
    """Hold the month's figures for the runner while the block runs: it yields ``store``;
    ``store(data)`` works them out from ``data`` (an
    :class:`~auditlib.data.pipeline.AuditData` of the month's data folder) and leaves
    them for the helpers and the kernel, which wait for them meanwhile. Left unstored,
    the first helper works them out itself."""
    from auditlib.report import figures as report_figures

    share = Path(folder)
    month = json.loads((share / SPEC_FILE).read_text(encoding="utf-8"))["report_month"]
    with _claim_file(share, FIGURES) as fd:

        def store(data: Any) -> None:
            figures, trend = report_figures.figures_and_trend(data, month)
            _store(share, FIGURES, Figures(figures, trend, str(data.input_hash)))
            os.pwrite(fd, _RUNNER, 0)

        yield store


# ---------------------------------------------------------------- the helper's side
def run_helper(
    folder: str | os.PathLike[str], sections: Sequence[Callable[..., Any]], *, second: bool = False
) -> int:
    """Take (or work out) the month's figures and work out its statistics, then build
    ``sections`` (shareable section functions) in that order into ``folder``, leaving
    those the kernel or the other helper has claimed; returns how many sections it built.

    The ``second`` helper takes the figures (waiting for them if need be) and builds only
    the sections that need no statistics (:func:`needs_statistics`)."""
    share = Path(folder)
    month_spec = json.loads((share / SPEC_FILE).read_text(encoding="utf-8"))
    if second:
        ctx = _context(month_spec, _wait_for_figures(share))
        return _build_sections(share, ctx, [f for f in sections if not needs_statistics(f)])
    # The month's figures first (the kernel's first cell needs them), while the kernel starts.
    with _helper_claim(share, FIGURES) as ours:
        ctx = _context(month_spec, None if ours else _load(share, FIGURES))
        if ours:
            _store(share, FIGURES, Figures(ctx.figures, ctx.trend, str(ctx.data.input_hash)))
    # Then the month's statistics, which the kernel's first section needs: worked out here
    # while the kernel starts, they are off its path.
    with _helper_claim(share, STATISTICS) as ours:
        if ours:
            before = set(ctx.__dict__)
            ctx.published_figures  # noqa: B018 - works out every statistic the report states
            _store(share, STATISTICS, {k: v for k, v in ctx.__dict__.items() if k not in before})
    return _build_sections(share, ctx, sections)


def _context(month_spec: dict, figures: Figures | None) -> Any:
    """The month's context (the context's own ``prepare``: a helper shares with no one),
    from ``figures`` when they were worked out from the same data."""
    from auditlib.report.monthly.context import prepare

    return prepare(
        month_spec["report_month"],
        month_spec["data_dir"],
        month_spec["disclosure"] or None,
        figures,
    )


def _wait_for_figures(share: Path) -> Figures | None:
    """The figures the runner or the first helper worked out (waiting while they are at
    it); None if the kernel claimed them first, or no one did in time."""
    import time

    deadline = time.monotonic() + FIGURES_WAIT_SECONDS
    while True:
        with _claim_file(share, FIGURES) as fd:  # waits while someone works them out
            claimed_by = os.pread(fd, 16, 0)
        if claimed_by or time.monotonic() > deadline:
            break
        time.sleep(0.005)  # not claimed yet: the first helper is about to
    return _load(share, FIGURES) if claimed_by in (_HELPER, _RUNNER) else None


def _build_sections(share: Path, ctx: Any, sections: Sequence[Callable[..., Any]]) -> int:
    built = 0
    for function in sections:
        original = getattr(function, "__wrapped__", function)
        key = section_key(original)
        with _helper_claim(share, key) as ours:
            if not ours:
                continue  # the kernel (or the other helper) has reached this section
            try:
                blocks = rendered(original(ctx))
            except Exception:  # the kernel builds it again, and says what went wrong
                continue
            _store(share, key, blocks)
            built += 1
    return built


def rendered(blocks: Sequence[Any]) -> list[Any]:
    """``blocks`` with every chart rendered as the kernel would show it (and closed)."""
    from auditlib.report import display
    from auditlib.report.blocks import Chart

    out = []
    for block in blocks:
        if isinstance(block, Chart) and not isinstance(block.figure, display.RenderedFigure):
            try:
                data, metadata = display.render_figure(block.figure, block.alt, block.caption)
            finally:
                display._close(block.figure)
            block = replace(block, figure=display.RenderedFigure(data, metadata))
        out.append(block)
    return out


# ---------------------------------------------------------------- the folder
def _path(folder: Path, key: str, suffix: str) -> Path:
    return folder / f"{key}{suffix}"


def _claim(folder: Path, key: str, *, wait: bool = True) -> bytes | None:
    """Claim ``key`` for the kernel unless it is claimed; returns who had claimed it
    (empty if no one). Waits while the helper holds it (it is building it); without
    ``wait``, returns None then."""
    with _claim_file(folder, key, wait=wait) as fd:
        if fd is None:
            return None
        claimed_by = os.pread(fd, 16, 0)
        if not claimed_by:
            os.pwrite(fd, _KERNEL, 0)
    return claimed_by


@contextlib.contextmanager
def _helper_claim(folder: Path, key: str) -> Iterator[bool]:
    """Claim ``key`` for the helper unless the kernel has: yields whether it is the
    helper's, holding the claim (the kernel waits on it) until the block ends."""
    with _claim_file(folder, key) as fd:
        ours = not os.pread(fd, 16, 0)
        if ours:
            os.pwrite(fd, _HELPER, 0)
        yield ours


def _picklable(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without any that cannot be pickled (the kernel works those out itself)."""
    kept = {}
    for name, value in values.items():
        try:
            pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            continue
        kept[name] = value
    return kept


@contextlib.contextmanager
def _claim_file(folder: Path, key: str, *, wait: bool = True) -> Iterator[int | None]:
    """The claim file of ``key``, locked, while the block runs (None, without ``wait``,
    when someone else holds it)."""
    fd = os.open(_path(folder, key, ".claim"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _store(folder: Path, key: str, value: Any) -> None:
    """Leave ``value`` for the kernel, whole or not at all (a mapping without what cannot
    be pickled, if need be: the kernel works that out itself)."""
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        if not isinstance(value, dict):
            raise
        data = pickle.dumps(_picklable(value), protocol=pickle.HIGHEST_PROTOCOL)
    path = _path(folder, key, ".pickle")
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def _load(folder: Path, key: str) -> Any:
    try:
        return pickle.loads(_path(folder, key, ".pickle").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
