"""auditlib.report.sharing: a section helper beside the kernel changes nothing in the report.

The helper and the "kernel" here are processes forked from this one, as the runner forks
both from its pre-imported process; the report they make together is compared with the
report built alone, block by block (charts by their rendered SVG).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from auditlib.paths import DEMO_DATA_DIR
from auditlib.publish import runner
from auditlib.report import display, monthly, sharing
from auditlib.report.blocks import Chart, Table

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the runner shares sections on Linux only"
)

MONTH = "2020-09"
#: The page's footer line that says when it was produced.
PRODUCED = re.compile(rb"Produced by auditlib \S+ on \d{1,2} \w+ \d{4} at \d\d:\d\d [^.<]*\.")
#: A child that has not finished by then is stuck.
CHILD_SECONDS = 120
SHAREABLE = [name for name, section in monthly.SECTIONS if sharing.is_shareable(section)]


def comparable(blocks: list) -> list:
    """Blocks as the reader gets them: charts as their rendered bundles, tables as text."""
    out = []
    for block in blocks:
        if isinstance(block, Chart):
            data, metadata = display.render_figure(block.figure, block.alt, block.caption)
            if not isinstance(block.figure, display.RenderedFigure):
                display._close(block.figure)
            out.append(("chart", data, metadata))
        elif isinstance(block, Table):
            out.append(("table", block.caption, block.note, block.frame.to_csv(), block.name))
        else:
            out.append(block)
    return out


def whole_report(ctx: monthly.MonthContext) -> list:
    return [comparable(section(ctx)) for _, section in monthly.SECTIONS]


def in_child(work) -> None:
    """Run ``work`` in a forked child and wait for it (it must exit 0)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + CHILD_SECONDS
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:  # e.g. a helper waiting on a claim it holds itself
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"the child did not finish in {CHILD_SECONDS} s")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.fixture(scope="module")
def alone() -> list:
    return whole_report(monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal"))


@pytest.fixture
def folder(tmp_path, monkeypatch):
    sharing.write_spec(tmp_path, sharing.spec(MONTH, str(DEMO_DATA_DIR), "internal"))
    monkeypatch.setenv(sharing.SHARE_ENV, str(tmp_path))
    return tmp_path


def claims(folder: Path) -> dict[str, bytes]:
    """Who claimed each section: ``{"themes.section": b"helper", ...}``."""
    prefix = "auditlib.report.monthly."
    return {
        p.name.removeprefix(prefix).removesuffix(".claim"): p.read_bytes()
        for p in folder.glob("*.claim")
    }


def test_every_section_but_the_title_can_be_shared():
    assert [name for name, _ in monthly.SECTIONS[1:]] == SHAREABLE


def test_a_helper_that_built_every_shareable_section_gives_the_same_report(folder, alone):
    # The helper runs to the end first (in its own process): the kernel then takes every
    # shareable section from it.
    in_child(lambda: monthly.run_section_helper(str(folder)))
    assert set(claims(folder).values()) == {b"helper"}
    assert len(claims(folder)) == len(SHAREABLE) + 2  # and the figures and statistics
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    assert ctx.section_share is not None
    shared = whole_report(ctx)
    assert shared == alone
    # and the kernel really showed the helper's charts, not charts of its own
    judgements = dict(monthly.SECTIONS)["judgements"](ctx)
    assert any(
        isinstance(b, Chart) and isinstance(b.figure, display.RenderedFigure) for b in judgements
    )


def test_sections_the_kernel_reached_first_are_left_to_it(folder, alone):
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    built_first = whole_report(ctx)

    def helper() -> None:
        count = monthly.run_section_helper(str(folder))
        (folder / "count").write_text(str(count))

    in_child(helper)
    helper_built = int((folder / "count").read_text())
    assert helper_built == 0
    assert set(claims(folder).values()) == {b"kernel"}
    assert built_first == alone


def test_the_kernel_takes_the_helpers_statistics_and_states_the_same_figures(folder, alone):
    # The helper works out the statistics, then the kernel builds every section itself.
    def statistics_only() -> None:
        for _, section in monthly.SECTIONS[1:]:
            sharing._claim(folder, sharing.section_key(section.__wrapped__))  # the kernel's
        assert monthly.run_section_helper(str(folder)) == 0

    in_child(statistics_only)
    assert claims(folder)["statistics"] == b"helper"
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    assert whole_report(ctx) == alone
    assert "casemix" in ctx.__dict__ and "test_family" in ctx.__dict__  # taken, not worked out
    plain = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "published")  # no share: its own
    assert plain.section_share is None
    again = monthly.MonthContext(ctx.month, ctx.data, dict(ctx.figures), ctx.profile)
    again.trend = ctx.trend
    assert json.dumps(ctx.published_figures, sort_keys=True, default=str) == json.dumps(
        again.published_figures, sort_keys=True, default=str
    )


def test_a_section_the_helper_could_not_store_is_built_by_the_kernel(folder, alone):
    in_child(lambda: monthly.run_section_helper(str(folder)))
    lost = next(folder.glob("*themes.section.pickle"))
    lost.unlink()  # as if the helper had died while building it
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    assert whole_report(ctx) == alone


class HeldByHelper:
    """The helper building ``section`` (its claim locked), until :meth:`finish` stores
    ``blocks`` as its result, or :meth:`die` lets go without one."""

    def __init__(self, folder: Path, section, blocks: list | None = None) -> None:
        import fcntl

        self.folder, self.key = folder, sharing.section_key(section.__wrapped__)
        self.blocks = blocks
        self.fd = os.open(folder / f"{self.key}.claim", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        os.pwrite(self.fd, b"helper", 0)

    def finish(self) -> None:
        if self.blocks is not None:
            sharing._store(self.folder, self.key, sharing.rendered(self.blocks))
        os.close(self.fd)


def release_when(condition, held: HeldByHelper, seconds: float = 60) -> dict:
    """In a thread: finish ``held`` once ``condition()`` holds (or after ``seconds``);
    returns a dict that says whether the condition held then."""
    import threading

    seen: dict = {}

    def wait() -> None:
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen["held"] = condition()
        held.finish()

    threading.Thread(target=wait, daemon=True).start()
    return seen


def test_while_the_helper_builds_the_section_reached_the_kernel_builds_later_ones(folder, alone):
    from auditlib.report.monthly.context import prepare

    # The helper's judgements, built beforehand (in this thread: charts are not thread-safe).
    helper_judgements = monthly.judgements.section.__wrapped__(
        prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    )
    held = HeldByHelper(folder, monthly.judgements.section, helper_judgements)
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    share = ctx.section_share
    later = SHAREABLE[SHAREABLE.index("judgements") + 1 :]
    seen = release_when(lambda: len(share.ahead) == len(later), held)
    shared = whole_report(ctx)
    # Every later section was built while the kernel waited, and each shown in its turn.
    assert seen["held"] is True
    assert share.ahead == {}
    assert claims(folder)["judgements.section"] == b"helper"
    assert {claims(folder)[f"{name}.section"] for name in later} == {b"kernel"}
    # and the report is the one built alone, the judgements being the helper's
    assert shared == alone


def test_the_kernel_builds_ahead_from_the_last_section_back(folder, monkeypatch):
    held = HeldByHelper(folder, monthly.judgements.section)
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    share = ctx.section_share
    order: list[str] = []
    for key, section in share.sections:
        name = key.split(".")[-2]

        def noted(ctx, _original=section.__wrapped__, _name=name):
            order.append(_name)  # built ahead (a section in its turn runs as written)
            return _original(ctx)

        monkeypatch.setattr(section, "__wrapped__", noted)
    reached = SHAREABLE.index("judgements")
    later = SHAREABLE[reached + 1 :]
    seen = release_when(lambda: len(share.ahead) == len(later), held)
    for name in SHAREABLE[: reached + 1]:
        dict(monthly.SECTIONS)[name](ctx)  # the helper leaves the judgements without blocks
    assert seen["held"] is True
    # the later ones from the back, while the helper held the judgements
    assert order == list(reversed(later))
    assert len(share.ahead) == len(later)


def test_a_section_that_failed_ahead_is_built_again_in_its_turn(folder, alone, monkeypatch):
    held = HeldByHelper(folder, monthly.shifts.section)
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    attempts: list[int] = []

    def failing(ctx):
        attempts.append(1)
        raise RuntimeError("ahead")

    # what the kernel builds ahead fails; the section in its turn runs as written
    monkeypatch.setattr(monthly.themes.section, "__wrapped__", failing)
    seen = release_when(lambda: bool(attempts), held)
    shared = whole_report(ctx)
    assert seen["held"] is True and attempts == [1]
    assert shared == alone  # the shifts built by the kernel (the helper left none), themes again


#: What works out the month's statistics: a section marked ``statistics=False`` must not.
STATISTICS = (
    "published_figures",
    "statistics_figures",
    "shifts",
    "test_family",
    "reaudit_expectation",
    "casemix",
    "auditor_effects",
)


@pytest.mark.parametrize("profile", ["internal", "published"])
def test_the_sections_said_to_need_no_statistics_work_none_out(profile, monkeypatch):
    from auditlib.report.monthly.context import prepare

    monkeypatch.delenv(sharing.SHARE_ENV, raising=False)
    without = [
        n
        for n, s in monthly.SECTIONS
        if sharing.is_shareable(s) and not sharing.needs_statistics(s)
    ]
    assert without == ["judgements", "themes", "feedback", "reflections"]
    for name in without:
        ctx = prepare(MONTH, str(DEMO_DATA_DIR), profile)
        comparable(dict(monthly.SECTIONS)[name](ctx))
        assert not set(STATISTICS) & set(ctx.__dict__), name
    # and one that does state them works them out (the check can fail)
    ctx = prepare(MONTH, str(DEMO_DATA_DIR), profile)
    comparable(monthly.shifts.section(ctx))
    assert set(STATISTICS) & set(ctx.__dict__)


def test_the_second_helper_builds_the_sections_that_need_no_statistics(folder, alone):
    def both() -> None:
        count = monthly.run_section_helper(str(folder), second=True)
        (folder / "second").write_text(str(count))
        monthly.run_section_helper(str(folder))

    in_child(both)
    assert int((folder / "second").read_text()) == 4
    assert set(claims(folder).values()) == {b"helper"}
    assert len(claims(folder)) == len(SHAREABLE) + 2  # and the figures and statistics
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    assert whole_report(ctx) == alone


def test_figures_the_runner_worked_out_are_taken_by_the_helpers_and_the_kernel(folder, alone):
    from auditlib.data.pipeline import load_audit_data

    with sharing.runner_figures(folder) as store:
        store(load_audit_data(DEMO_DATA_DIR))
    assert claims(folder)["figures"] == b"runner"
    stored = sharing._load(folder, sharing.FIGURES)
    assert isinstance(stored, sharing.Figures) and stored.figures["report_month"] == MONTH
    in_child(lambda: monthly.run_section_helper(str(folder), second=True))
    in_child(lambda: monthly.run_section_helper(str(folder)))
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    assert whole_report(ctx) == alone


def test_figures_worked_out_from_other_data_are_not_used(folder, alone, tmp_path):
    import shutil

    from auditlib.data.pipeline import load_audit_data
    from auditlib.report import figures as report_figures

    # Another folder, one row fewer: the runner's figures are of data the kernel does not have.
    other = tmp_path / "other"
    shutil.copytree(DEMO_DATA_DIR, other)
    audits = other / "audits.csv"
    lines = audits.read_text(encoding="utf-8").splitlines(keepends=True)
    audits.write_text("".join(lines[:-1]), encoding="utf-8")
    with sharing.runner_figures(folder) as store:
        store(load_audit_data(other))
    stored = sharing._load(folder, sharing.FIGURES)
    assert stored.for_data(load_audit_data(other)) is not None
    assert stored.for_data(load_audit_data(DEMO_DATA_DIR)) is None
    # (figures that would have changed the report)
    assert (
        stored.figures != report_figures.figures_and_trend(load_audit_data(DEMO_DATA_DIR), MONTH)[0]
    )
    in_child(lambda: monthly.run_section_helper(str(folder)))
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    assert whole_report(ctx) == alone


def test_unstored_runner_figures_are_worked_out_by_the_first_helper(folder, alone):
    with sharing.runner_figures(folder):
        pass  # the runner had no data to work them out from
    assert claims(folder)["figures"] == b""
    in_child(lambda: monthly.run_section_helper(str(folder)))
    assert claims(folder)["figures"] == b"helper"
    assert isinstance(sharing._load(folder, sharing.FIGURES), sharing.Figures)
    ctx = monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal")
    assert whole_report(ctx) == alone


def test_a_kernel_for_another_month_or_profile_does_not_share(folder):
    assert monthly.prepare("2020-08", str(DEMO_DATA_DIR), "internal").section_share is None
    assert monthly.prepare(MONTH, str(DEMO_DATA_DIR), "published").section_share is None
    assert monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal").section_share is not None


def test_without_the_runners_folder_nothing_is_shared(monkeypatch):
    monkeypatch.delenv(sharing.SHARE_ENV, raising=False)
    assert monthly.prepare(MONTH, str(DEMO_DATA_DIR), "internal").section_share is None


@pytest.mark.parametrize(
    ("to_build", "jobs", "cpus", "shared"),
    [(1, 1, 2, True), (1, 1, 1, False), (2, 2, 4, True), (3, 3, 4, False), (18, 3, 2, False)],
)
def test_sections_are_shared_only_when_a_cpu_would_be_idle(to_build, jobs, cpus, shared):
    assert runner.share_sections_when(to_build, jobs, cpus) is shared


@pytest.mark.slow
def test_a_month_built_with_a_helper_is_the_month_built_without(tmp_path, monkeypatch):
    from auditlib.paths import NOTEBOOKS_DIR
    from auditlib.publish import kernelpool
    from auditlib.publish.layout import MONTHLY_NOTEBOOK

    notebook = NOTEBOOKS_DIR / MONTHLY_NOTEBOOK
    folders: list[Path] = []
    original = runner.section_helper

    def watched(*args, **kwargs):
        manager = original(*args, **kwargs)

        class Watch:
            def __enter__(self):
                env = manager.__enter__()
                folders.append(Path(env[sharing.SHARE_ENV]))
                return env

            def __exit__(self, *exc):
                folder = folders[-1]
                (tmp_path / "claims.json").write_text(
                    json.dumps({k: v.decode() for k, v in claims(folder).items()})
                )
                return manager.__exit__(*exc)

        return Watch()

    monkeypatch.setattr(runner, "section_helper", watched)
    monkeypatch.setattr(runner, "_cpus", lambda: 2)
    kernelpool.stop()
    try:
        # as `auditlib report` does: the kernels' process started for the data, which this
        # process reads and hands over (and works out the month's figures from)
        from auditlib.data.pipeline import load_audit_data

        kernelpool.start(notebook, data_dir=DEMO_DATA_DIR)
        assert kernelpool.hand_over(load_audit_data(DEMO_DATA_DIR))
        shared = runner.run_months(
            [MONTH], notebook, DEMO_DATA_DIR, tmp_path / "shared", progress=False
        )
        monkeypatch.setattr(runner, "_cpus", lambda: 1)
        single = runner.run_months(
            [MONTH], notebook, DEMO_DATA_DIR, tmp_path / "single", progress=False
        )
    finally:
        kernelpool.stop()
    assert shared.exit_code == 0 and single.exit_code == 0
    assert len(folders) == 1  # the helper was used once, for the shared run only
    assert not folders[0].exists()  # and its folder removed
    said = json.loads((tmp_path / "claims.json").read_text())
    assert "helper" in said.values()
    assert said["figures"] == "runner"
    for name in ("figures.json", f"audit-highlights-{MONTH}.html"):
        # (the page says when it was produced, to the minute: the two runs may straddle one)
        shared_bytes, single_bytes = (
            PRODUCED.subn(b"", (tmp_path / run / MONTH / name).read_bytes())
            for run in ("shared", "single")
        )
        assert shared_bytes == single_bytes, name
        assert shared_bytes[1] == (name.endswith(".html"))  # the footer line, once
    tables = sorted(p.name for p in (tmp_path / "shared" / MONTH / "tables").iterdir())
    assert tables == sorted(p.name for p in (tmp_path / "single" / MONTH / "tables").iterdir())
    for name in tables:
        assert (tmp_path / "shared" / MONTH / "tables" / name).read_bytes() == (
            tmp_path / "single" / MONTH / "tables" / name
        ).read_bytes()
