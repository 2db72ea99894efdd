"""The disclosure audit (auditlib.disclosure.audit): can a suppressed count be worked out?

The engine on small hand-made tables first (each case says what a reader would do), then
the whole published report of every demo month, alone and with every earlier month's
published report, and the attack cases of issue #15.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from auditlib.analysis import metrics
from auditlib.data import schema
from auditlib.disclosure import audit, published, queries
from auditlib.disclosure.audit import (
    AuditDefinitionError,
    Computed,
    Equals,
    Suppressed,
    Within,
    count,
    exact_share,
    rounded_share,
    run_audit,
)

OUT, G, RI, INAD, NR = schema.JUDGEMENT_LABELS


# ---------------------------------------------------------------- a small universe
def audits_frame(cells: dict[tuple[str, str], int]) -> pd.DataFrame:
    """Completed audits: (month, final judgement) → how many."""
    rows = [
        {
            schema.AUDIT_TYPE: schema.AUDIT,
            schema.AUDIT_MONTH: month,
            schema.STATUS: schema.COMPLETED,
            schema.FINAL_JUDGEMENT: label,
        }
        for (month, label), n in cells.items()
        for _ in range(n)
    ]
    return pd.DataFrame(rows)


def frames(cells: dict[tuple[str, str], int]) -> dict[str, queries.Table]:
    return {queries.AUDITS: queries.Table(audits_frame(cells))}


def cell(month: str, label: str | None = None) -> queries.Audits:
    return queries.completed(month, judgements=None if label is None else (label,))


ROW = {("2020-09", G): 3, ("2020-09", RI): 20, ("2020-09", INAD): 7}


def shown_row(hidden: set[str]) -> list:
    """The 2020-09 row as a table shows it: each label, [c] where hidden, and its total."""
    facts = [count("total", cell("2020-09"), 30)]
    for (month, label), n in ROW.items():
        facts.append(count(label, cell(month, label), "[c]" if label in hidden else n))
    return facts


def by_label(result: audit.AuditResult) -> dict[str, audit.Cell]:
    return {c.query.judgements[0]: c for c in result.cells}


# ---------------------------------------------------------------- the rule
def test_one_hidden_cell_beside_a_shown_total_is_pinned_by_subtraction():
    result = run_audit(shown_row({G}), frames(ROW), exact=True)
    good = by_label(result)[G]
    assert good.pinned and (good.low, good.high, good.value) == (3, 3, 3)
    assert not result.passed
    assert "exactly 3" in result.summary()


def test_two_hidden_cells_leave_a_range():
    result = run_audit(shown_row({G, INAD}), frames(ROW), exact=True)
    cells = by_label(result)
    # G + I = 30 - 20 = 10, each at least 1: G is 1 to 9, and so is I.
    assert (cells[G].low, cells[G].high) == (1, 9) and (cells[INAD].low, cells[INAD].high) == (1, 9)
    assert result.passed and not result.pinned


def test_hidden_cells_that_must_all_be_one_are_pinned():
    # G + I = 2 and each [c] is at least 1 (0 is always shown): both are 1.
    data = {("2020-09", G): 1, ("2020-09", RI): 20, ("2020-09", INAD): 1}
    facts = [count("total", cell("2020-09"), 22)]
    facts += [count(label, cell(m, label), "[c]" if label != RI else 20) for (m, label) in data]
    result = run_audit(facts, frames(data), exact=True)
    assert {c.query.judgements[0] for c in result.pinned} == {G, INAD}


def test_a_rounded_percentage_is_two_inequalities_that_can_pin_a_count():
    # "14%" of 7 audits: 13.5 <= 100 k / 7 < 14.5 leaves k = 1 only.
    data = {("2020-09", G): 1, ("2020-09", RI): 6}
    facts = [count("n", cell("2020-09"), 7), count("G", cell("2020-09", G), "[c]")]
    facts += rounded_share("G %", cell("2020-09", G), cell("2020-09"), 14)
    assert run_audit(facts, frames(data)).pinned[0].value == 1
    # 7 is too few for whole percentages to tell 1 from 2 only when the share is hidden.
    assert run_audit(facts[:2], frames(data)).passed


def test_half_up_rounding_includes_the_half_and_excludes_the_next():
    # 1 of 8 is 12.5%, shown half up as 13%: the facts must hold for it…
    data = {("2020-09", G): 1, ("2020-09", RI): 7}
    facts = rounded_share("G %", cell("2020-09", G), cell("2020-09"), 13)
    run_audit(facts, frames(data))
    # …and 12% would be false for it.
    with pytest.raises(AuditDefinitionError, match="outside the published bounds"):
        run_audit(rounded_share("G %", cell("2020-09", G), cell("2020-09"), 12), frames(data))


def test_an_unrounded_share_is_an_exact_equation():
    data = {("2020-09", G): 3, ("2020-09", RI): 20, ("2020-09", INAD): 7}
    share = exact_share("G %", cell("2020-09", G), cell("2020-09"), 100 * 3 / 30)
    facts = [*shown_row({G, INAD}), share]
    assert {c.query.judgements[0] for c in run_audit(facts, frames(data)).pinned} == {G, INAD}


def test_a_printed_statistic_can_pin_the_counts_it_rests_on():
    # Two hidden counts with a shown sum of 10; the printed statistic (G² + I, a stand-in
    # for a p-value) is 16 only for G = 3 and I = 7.
    data = {("2020-09", G): 3, ("2020-09", INAD): 7}
    g, i = cell("2020-09", G), cell("2020-09", INAD)
    facts = [
        Equals("sum", {g: 1, i: 1}, 10),
        Suppressed("G", g),
        Suppressed("I", i),
        Computed("statistic", (g, i), lambda v: v[0] ** 2 + v[1] == 16),
    ]
    result = run_audit(facts, frames(data))
    assert {c.value for c in result.pinned} == {3, 7}
    # The same statistic banded ("16 or more") leaves G anywhere from 3 to 9.
    banded = [*facts[:3], Computed("band", (g, i), lambda v: v[0] ** 2 + v[1] >= 16)]
    cells = by_label(run_audit(banded, frames(data), exact=True))
    assert (cells[G].low, cells[G].high) == (3, 9)


def test_a_statistic_with_too_many_combinations_is_reported_not_checked(monkeypatch):
    monkeypatch.setattr(audit, "MAX_COMBINATIONS", 5)
    data = {("2020-09", G): 3, ("2020-09", INAD): 7}
    g, i = cell("2020-09", G), cell("2020-09", INAD)
    facts = [Equals("sum", {g: 1, i: 1}, 10), Suppressed("G", g), Computed("p", (g, i), bool)]
    result = run_audit(facts, frames(data))
    assert result.unresolved == ["p"] and not result.passed


def test_a_fact_that_is_false_for_the_data_is_an_error_naming_it():
    with pytest.raises(AuditDefinitionError, match=r"total: published 31, but the query"):
        run_audit([count("total", cell("2020-09"), 31)], frames(ROW))


def test_a_suppressed_zero_is_not_a_disclosure():
    # A report may hide a true 0 (a whole row hidden): the audit does not assume 1 for it,
    # and working out that nobody is in a cell discloses nobody.
    data = {("2020-09", RI): 30}
    facts = [count("total", cell("2020-09"), 30), count("G", cell("2020-09", G), "[c]")]
    result = run_audit(facts, frames(data), exact=True)
    assert result.cells[0].value == 0 and result.passed


def test_decide_mode_finds_the_same_pinned_cells_as_exact_ranges():
    data = {
        ("2020-08", G): 1,
        ("2020-08", RI): 9,
        ("2020-08", INAD): 1,
        ("2020-09", G): 3,
        ("2020-09", RI): 20,
        ("2020-09", INAD): 7,
    }
    facts = [
        count("Aug n", cell("2020-08"), 11),
        count("Aug G", cell("2020-08", G), "[c]"),
        count("Aug RI", cell("2020-08", RI), 9),
        count("Aug I", cell("2020-08", INAD), "[c]"),
        count("Sep n", cell("2020-09"), 30),
        count("Sep G", cell("2020-09", G), "[c]"),
        count("Sep RI", cell("2020-09", RI), 20),
        count("Sep I", cell("2020-09", INAD), "[c]"),
    ]
    # August's two hidden cells add up to 2: both are 1. September's add up to 10.
    exact = run_audit(facts, frames(data), exact=True)
    quick = run_audit(facts, frames(data))
    assert {c.query for c in exact.pinned} == {c.query for c in quick.pinned}
    assert {str(c.query.months) for c in exact.pinned} == {"('2020-08',)"}


def test_within_with_fine_fractions_keeps_its_bounds():
    # A mean of shares (coefficients 100 / (n x points)) too fine to make whole.
    data = {("2020-08", G): 2, ("2020-08", RI): 5, ("2020-09", G): 3, ("2020-09", RI): 8}
    expr = {
        cell("2020-08", G): Fraction(100, 7 * 2),
        cell("2020-09", G): Fraction(100, 11 * 2),
    }
    truth = Fraction(100 * 2, 7 * 2) + Fraction(100 * 3, 11 * 2)
    facts = [Within("mean", expr, low=truth - Fraction(1, 100), high=truth + Fraction(1, 100))]
    facts += [count("n8", cell("2020-08"), 7), count("n9", cell("2020-09"), 11)]
    facts += [Suppressed("G8", cell("2020-08", G)), Suppressed("G9", cell("2020-09", G))]
    result = run_audit(facts, frames(data), exact=True)
    assert all(c.pinned for c in result.cells)
    assert np.isclose(float(truth), 100 * 2 / 14 + 100 * 3 / 22)


# ---------------------------------------------------------------- the demo programme
@pytest.fixture(scope="module")
def demo():
    from auditlib.data.pipeline import load_audit_data
    from auditlib.paths import DEMO_DATA_DIR

    return load_audit_data(DEMO_DATA_DIR)


@pytest.fixture(scope="module")
def demo_figures(demo) -> dict[str, published.PublishedMonth]:
    """Every demo month's figures.json as the published profile writes it."""
    return {
        month: published.from_context(published.month_context(demo, month, "published"), page=False)
        for month in metrics.audited_months(demo.audits)
    }


def audited(result: audit.AuditResult, query: queries.Audits) -> audit.Cell:
    (found,) = [c for c in result.cells if c.query == query]
    return found


@pytest.mark.slow
def test_every_demo_months_figures_json_alone_and_together_pins_nothing(demo, demo_figures):
    # Together: a reader holding every month's figures.json, differences across months too.
    together = published.audit_months(demo, list(demo_figures.values()))
    assert together.passed, together.summary()
    assert len(together.cells) > 50
    for month, figures in demo_figures.items():
        alone = published.audit_months(demo, [figures])
        assert alone.passed, f"{month}: {alone.summary()}"


@pytest.mark.slow
def test_attack_programme_to_date_differences_august_to_september(demo, demo_figures):
    # Issue #15: exempt to date 79 (August) → 82 (September) gave September's [c] as 3, and
    # cancelled 19 → 20 gave 1. Both reports' figures.json together pin nothing.
    august, september = demo_figures["2020-08"], demo_figures["2020-09"]
    assert september.figures["month"]["exempt"] == "[c]"
    assert september.figures["month"]["cancelled"] == "[c]"
    result = published.audit_months(demo, [august, september], exact=True)
    assert result.passed, result.summary()
    for status in (schema.EXEMPT, schema.CANCELLED):
        cell = audited(result, queries.Audits(months=("2020-09",), statuses=(status,)))
        assert cell.high is None or cell.high > cell.low


@pytest.mark.slow
def test_attack_not_recorded_across_months(demo, demo_figures):
    # Issue #15: November 2019's report showed 8 Not recorded, so July and August 2020 (both
    # [c]) were exactly 1 each. With every report a reader has, both keep a range.
    result = published.audit_months(demo, list(demo_figures.values()))
    for month in ("2020-07", "2020-08"):
        cell = audited(result, queries.completed(month, judgements=(NR,)))
        assert not cell.pinned and cell.value >= 1


def test_attack_a_one_audit_programme(tmp_path):
    # Issue #15: a one-audit programme's figures.json showed Good [c] beside rows_read: 1.
    import shutil

    from auditlib.data.pipeline import load_audit_data
    from auditlib.paths import DEMO_DATA_DIR

    folder = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, folder)
    for name in ("audits.csv", "feedback.csv", "reflections.csv"):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        keep = lines[:2] if name == "audits.csv" else lines[:1]
        (folder / name).write_text("\n".join(keep) + "\n", encoding="utf-8")
    data = load_audit_data(folder)
    month = metrics.audited_months(data.audits)[-1]
    ctx = published.month_context(data, month, "published")
    shown = published.from_context(ctx)
    result = published.audit_months(data, [shown], exact=True)
    assert result.cells, "the one audit's judgement is suppressed"
    assert result.passed, result.summary()
