"""Each definition of docs/data-contract.md pinned on small hand-made frames, answers worked out here."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditlib.analysis import metrics
from auditlib.data import schema
from auditlib.data.cleaning import clean_audits
from auditlib.data.programme import programme_from_dict

PROGRAMME = programme_from_dict(
    {
        "organisation": "Test",
        "start_month": "2020-01",
        "compliance_from_month": "2020-02",
        "pauses": [{"from": "2020-03", "to": "2020-04", "reason": "COVID-19"}],
        "month_labels": {"2020-06": "June/July 2020"},
    }
)


def audits(rows: list[tuple]) -> pd.DataFrame:
    """rows: (month, type, status, overall, moderated[, due])"""
    records = []
    for i, row in enumerate(rows):
        month, kind, status, overall, moderated, *rest = row
        records.append(
            {
                "audit_id": f"A{i}",
                "child_id": f"C{i}",
                "audit_type": kind,
                "original_audit_id": "A0" if kind == "re-audit" else None,
                "audit_month": month,
                "allocated_date": f"{month}-01",
                "due_date": rest[0] if rest else f"{month}-28",
                "status": status,
                "team": "T" + str(i % 2),
                "overall_judgement": overall,
                "moderated_judgement": moderated,
            }
        )
    cleaned = clean_audits(pd.DataFrame(records), PROGRAMME)
    assert not cleaned.errors, cleaned.errors
    return cleaned.frame


def test_exempt_and_cancelled_are_outside_the_denominator():
    frame = audits(
        [
            ("2020-02", "audit", "completed", "Good", None),
            ("2020-02", "audit", "completed", "Inadequate", None),
            ("2020-02", "audit", "allocated", None, None),
            ("2020-02", "audit", "exempt", None, None),
            ("2020-02", "audit", "cancelled", None, None),
        ]
    )
    c = metrics.compute_compliance(frame, "2020-02")
    # 5 rows − exempt − cancelled = 3 allocated, 2 completed: 66.67 %
    assert (c.allocated, c.completed, c.exempt, c.cancelled, c.outstanding) == (3, 2, 1, 1, 1)
    assert c.compliance_pct == pytest.approx(200 / 3)


def test_extension_counts_as_allocated_not_completed_and_can_be_overdue():
    frame = audits(
        [
            ("2020-02", "audit", "completed", "Good", None, "2020-02-28"),
            ("2020-02", "audit", "extension", None, None, "2020-03-10"),
            ("2020-02", "audit", "allocated", None, None, "2020-02-20"),
        ]
    )
    c = metrics.compute_compliance(frame, "2020-02", as_at=dt.date(2020, 3, 1))
    assert (c.allocated, c.completed, c.outstanding, c.overdue) == (3, 1, 2, 1)
    assert c.compliance_pct == pytest.approx(100 / 3)


def test_moderated_judgement_wins_over_overall():
    frame = audits(
        [
            ("2020-02", "audit", "completed", "Good", "Inadequate"),
            ("2020-02", "audit", "completed", "Requires Improvement", None),
            ("2020-02", "audit", "completed", None, None),
        ]
    )
    dist = metrics.judgement_distribution(frame, "2020-02")
    assert dist["n"].to_dict() == {
        "Outstanding": 0,
        "Good": 0,
        "Requires Improvement": 1,
        "Inadequate": 1,
        "Not recorded": 1,
    }
    # denominator is every completed audit, Not recorded included: 1/3 each
    assert dist.loc["Inadequate", "pct"] == pytest.approx(100 / 3)


def test_reaudits_are_not_in_the_judgement_distribution_or_audit_compliance():
    frame = audits(
        [
            ("2020-02", "audit", "completed", "Good", None),
            ("2020-02", "re-audit", "completed", "Inadequate", None),
            ("2020-02", "re-audit", "allocated", None, None),
        ]
    )
    assert metrics.judgement_distribution(frame, "2020-02")["n"].sum() == 1
    assert metrics.compute_compliance(frame, "2020-02").allocated == 1
    re = metrics.compute_compliance(frame, "2020-02", schema.REAUDIT)
    assert (re.allocated, re.completed) == (2, 1)


def test_programme_to_date_starts_at_compliance_from_month_and_first_reaudit_month():
    frame = audits(
        [
            ("2020-01", "audit", "completed", "Good", None),  # before compliance_from_month
            ("2020-02", "audit", "completed", "Good", None),
            ("2020-02", "audit", "allocated", None, None),
            ("2020-05", "audit", "completed", "Good", None),
            ("2020-05", "re-audit", "completed", "Good", None),
            ("2020-06", "re-audit", "allocated", None, None),
            ("2020-07", "audit", "completed", "Good", None),  # after the report month
        ]
    )
    ptd = metrics.programme_to_date(frame, PROGRAMME, "2020-06")
    assert (ptd[schema.AUDIT].allocated, ptd[schema.AUDIT].completed) == (3, 2)
    assert (ptd[schema.REAUDIT].allocated, ptd[schema.REAUDIT].completed) == (2, 1)
    assert ptd[schema.REAUDIT].compliance_pct == 50


def test_paused_month_is_shown_as_paused_not_zero_and_folded_month_is_absent():
    frame = audits(
        [
            ("2020-01", "audit", "completed", "Good", None),
            ("2020-02", "audit", "completed", "Inadequate", None),
            ("2020-05", "audit", "completed", "Good", None),
            ("2020-06", "audit", "completed", "Good", None),
            ("2020-09", "audit", "completed", "Good", None),
        ]
    )
    trend = metrics.judgement_trend(frame, PROGRAMME, "2020-09")
    # 2020-07 is folded into "June/July 2020"; 2020-08 had no round
    assert trend.index.tolist() == [
        "2020-01",
        "2020-02",
        "2020-03",
        "2020-04",
        "2020-05",
        "2020-06",
        "2020-08",
        "2020-09",
    ]
    assert trend.loc["2020-03", "state"] == "paused"
    assert trend.loc["2020-03", "note"] == "COVID-19"
    assert trend.loc["2020-08", "state"] == "no audits"
    assert trend.loc["2020-06", "month_label"] == "June/July 2020"
    assert trend.loc["2020-02", "Inadequate"] == 1
    shares = metrics.judgement_shares(trend)
    assert np.isnan(shares.loc["2020-03", "Good"])  # no denominator: not a zero


def test_month_on_month_skips_the_pause():
    frame = audits(
        [
            ("2020-02", "audit", "completed", "Good", None),
            ("2020-02", "audit", "completed", "Inadequate", None),
            ("2020-05", "audit", "completed", "Good", None),
            ("2020-05", "audit", "completed", "Good", None),
            ("2020-05", "audit", "completed", "Good", None),
            ("2020-05", "audit", "completed", "Inadequate", None),
        ]
    )
    trend = metrics.judgement_trend(frame, PROGRAMME, "2020-05")
    change = metrics.month_on_month(trend, "2020-05")
    assert change.loc["Good", "previous_month"] == "2020-02"
    assert change.loc["Good", "change_pp"] == pytest.approx(75 - 50)
    assert change.loc["Inadequate", "change_pp"] == pytest.approx(25 - 50)


def test_judgements_by_cohort_counts_an_audit_in_several_cohorts():
    frame = audits([("2020-02", "audit", "completed", "Good", None)] * 2)
    frame = frame.assign(
        cohort_missing=[True, False], cohort_cse=[True, True], cohort_missing_cse=[True, False]
    )
    table = metrics.judgements_by_cohort(frame, "2020-02")
    assert table.loc[schema.COHORTS["missing"], "completed"] == 1
    assert table.loc[schema.COHORTS["cse"], "completed"] == 2
    assert table.loc[schema.COHORTS["cin"], "completed"] == 0


def test_judgements_by_cohort_takes_the_programmes_own_cohorts_in_their_order():
    programme = programme_from_dict(
        {
            "organisation": "Test",
            "start_month": "2020-01",
            "cohorts": {
                "neglect": {"name": "Neglect", "label": "Neg", "where": {"cp_category": "neglect"}},
                "teen": {"name": "Teenagers", "where": {"age_at_audit": ">= 13"}},
            },
        }
    )
    frame = audits(
        [
            ("2020-02", "audit", "completed", "Good", None),
            ("2020-02", "audit", "completed", "Inadequate", None),
            ("2020-02", "audit", "completed", "Inadequate", None),
        ]
    ).assign(cohort_neglect=[True, True, False], cohort_teen=[False, True, True])
    table = metrics.judgements_by_cohort(frame, "2020-02", programme.cohorts)
    assert table.index.tolist() == ["Neglect", "Teenagers"]
    assert table.loc["Neglect", ["Good", "Inadequate", "completed"]].tolist() == [1, 1, 2]
    assert table.loc["Teenagers", ["Good", "Inadequate", "completed"]].tolist() == [0, 2, 2]
    short = metrics.judgements_by_cohort(frame, "2020-02", programme.cohorts, short=True)
    assert short.index.tolist() == ["Neg", "Teenagers"]  # no label: the name


def test_judgements_by_domain_treats_blank_domain_as_not_recorded():
    frame = audits([("2020-02", "audit", "completed", "Good", None)] * 3)
    frame["judgement_planning"] = pd.Categorical(
        ["Good", None, "Inadequate"], categories=schema.JUDGEMENT_LABELS
    )
    table = metrics.judgements_by_domain(frame, "2020-02")
    assert table.loc["Planning", ["Good", "Inadequate", "Not recorded", "completed"]].tolist() == [
        1,
        1,
        1,
        3,
    ]


def test_compliance_by_team():
    frame = audits(
        [
            ("2020-02", "audit", "completed", "Good", None),  # T0
            ("2020-02", "audit", "allocated", None, None),  # T1
            ("2020-02", "audit", "completed", "Good", None),  # T0
            ("2020-02", "audit", "completed", "Good", None),  # T1
        ]
    )
    table = metrics.compliance_by(frame, "team", "2020-02")
    assert table.loc["T0", "compliance_pct"] == 100
    assert table.loc["T1", "compliance_pct"] == 50


# ------------------------------------------------------------------ properties

JUDGEMENT_VALUES = st.sampled_from(["Outstanding", "Good", "RI", "Inadequate", "4", None, "g"])
STATUS_VALUES = st.sampled_from(
    ["completed", "allocated", "extension", "exempt", "cancelled", "Complete"]
)
MONTHS = st.sampled_from(["2020-01", "2020-02", "2020-05", "2020-06"])


@st.composite
def programmes(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    rows = []
    for i in range(n):
        rows.append(
            {
                "audit_id": f"A{i}",
                "child_id": f"C{draw(st.integers(0, 9))}",
                "audit_type": "audit",
                "audit_month": draw(MONTHS),
                "allocated_date": "01/01/2020",
                "status": draw(STATUS_VALUES),
                "team": draw(st.sampled_from(["North", "north ", "South"])),
                "overall_judgement": draw(JUDGEMENT_VALUES),
                "moderated_judgement": draw(JUDGEMENT_VALUES),
            }
        )
    frame = pd.DataFrame(rows)
    # sometimes repeat rows exactly, and add a blank row
    repeats = draw(st.lists(st.integers(0, n - 1), max_size=5))
    frame = pd.concat([frame, frame.iloc[repeats]], ignore_index=True)
    if draw(st.booleans()):
        frame.loc[len(frame)] = [None] * frame.shape[1]
    return frame


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programmes())
def test_properties_of_random_programmes(raw):
    before = raw.copy(deep=True)
    cleaned = clean_audits(raw, PROGRAMME)
    pd.testing.assert_frame_equal(raw, before)  # input not mutated
    rec = cleaned.reconciliation
    assert (
        rec.rows_read
        == len(raw)
        == rec.rows_used + rec.rows_excluded
        == len(cleaned.frame) + rec.rows_excluded
    )

    frame = cleaned.frame
    for month in ["2020-01", "2020-02", "2020-05", "2020-06"]:
        table = metrics.count_judgements(frame, month)
        if table["completed"].iloc[0]:
            assert metrics.judgement_shares(table).iloc[0].sum() == pytest.approx(100)
        c = metrics.compute_compliance(frame, month)
        assert 0 <= c.completed <= c.allocated
    snapshot = frame.copy(deep=True)
    metrics.judgement_trend(frame, PROGRAMME, "2020-06")
    metrics.judgements_by_cohort(frame, "2020-02")
    pd.testing.assert_frame_equal(frame, snapshot)  # metrics do not mutate

    again = clean_audits(frame, PROGRAMME)  # idempotent
    pd.testing.assert_frame_equal(again.frame, frame)
    assert again.reconciliation.rows_excluded == 0


def test_select_gives_the_rows_and_columns_loc_gives():
    """select takes the columns before the rows (it is faster); the frame is .loc's."""
    from auditlib.data.pipeline import load_audit_data
    from auditlib.paths import DEMO_DATA_DIR

    data = load_audit_data(DEMO_DATA_DIR).audits
    for months, audit_type, columns in [
        (["2020-09"], schema.AUDIT, [schema.STATUS, schema.FINAL_JUDGEMENT]),
        (["2019-06", "2020-02", "2030-01"], schema.REAUDIT, [schema.TEAM, "no such column"]),
        ("2020-09", None, [schema.TEAM, schema.TEAM, schema.AUDIT_MONTH]),
        (None, schema.AUDIT, [schema.DUE_DATE]),
        (["2020-09"], schema.AUDIT, [c for c in data.columns if c.startswith("cohort_")]),
        (None, None, [schema.CHILD_ID, schema.AGE_AT_AUDIT, schema.CIN, schema.SOURCE_ROW]),
    ]:
        mask = np.ones(len(data), dtype=bool)
        if audit_type is not None:
            mask &= (data[schema.AUDIT_TYPE] == audit_type).to_numpy(dtype=bool, na_value=False)
        if months is not None:
            wanted_months = [months] if isinstance(months, str) else months
            mask &= data[schema.AUDIT_MONTH].isin(wanted_months).to_numpy(dtype=bool)
        wanted = [c for c in dict.fromkeys(columns) if c in data]
        chosen = metrics.select(data, months, audit_type, columns)
        assert len(chosen) > 0
        expected = data.loc[mask, wanted]
        pd.testing.assert_frame_equal(
            chosen, expected, check_exact=True, check_index_type=True, check_column_type=True
        )
        assert type(chosen.index) is type(expected.index)
        pd.testing.assert_frame_equal(
            metrics.select(data, months, audit_type), data.loc[mask], check_exact=True
        )


# "Other" is not a count column: pandas warns it will refuse such values one day.
@pytest.mark.filterwarnings("ignore:Constructing a Categorical with a dtype")
def test_count_codes_are_the_codes_of_the_count_columns_category():
    """A categorical column's judgements are coded through its categories; the codes are
    those astype(CategoricalDtype(COUNT_COLUMNS)) gives, blanks and other labels -1."""
    values = ["Good", None, "Inadequate", "Not recorded", "Outstanding", "Good", "Other"]
    for series in (
        pd.Series(pd.Categorical(values, categories=["Other", *reversed(metrics.COUNT_COLUMNS)])),
        pd.Series(pd.Categorical(values)),
        pd.Series(values, dtype="string"),
        pd.Series(values, dtype=object),
        pd.Series(pd.Categorical([None, None], categories=["Good"])),
    ):
        expected = series.astype(
            pd.CategoricalDtype(metrics.COUNT_COLUMNS, ordered=True)
        ).cat.codes.to_numpy()
        got = metrics._count_codes(series)
        assert np.array_equal(got, expected) and got.dtype == expected.dtype
