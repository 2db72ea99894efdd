"""The synthetic programme reproduces the seed report, exactly, from its rows.

Every figure is computed here with plain pandas from the CSV files, following
the data contract's definitions (docs/data-contract.md) directly (independently of auditlib's own metrics code), and
compared with data/seed_figures.yml, which was written from the seed report.
"""

from __future__ import annotations

import itertools
import os
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from statsmodels.miscmodels.ordinal_model import OrderedModel

from auditlib import demo
from auditlib.data import schema
from auditlib.demo import audits as demo_audits
from auditlib.errors import AuditlibError

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "data" / "demo"
SEED_FIGURES = yaml.safe_load((ROOT / "data" / "seed_figures.yml").read_text(encoding="utf-8"))
FREE_TEXT = {"feedback": [schema.TEXT], "reflections": [schema.TEXT]}
DEMO_FILES = (
    "programme.yml",
    "audits.csv",
    "feedback.csv",
    "reflections.csv",
    "recommendations.yml",
    "names.txt",
)


# ------------------------------------------------------------ plain-pandas figures
def read_folder(folder: Path) -> dict:
    """The data folder as plain strings, blanks as ''."""
    tables = {
        name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("audits", "feedback", "reflections")
        if (folder / f"{name}.csv").exists()
    }
    if "audits" not in tables:
        tables["audits"] = pd.read_parquet(folder / "audits.parquet")
    tables["programme"] = yaml.safe_load((folder / "programme.yml").read_text(encoding="utf-8"))
    tables["recommendations"] = yaml.safe_load(
        (folder / "recommendations.yml").read_text(encoding="utf-8")
    )
    return tables


def pct(part: int, whole: int) -> int:
    """Half-up rounding, by Decimal (not the generator's integer formula)."""
    return int((Decimal(100) * part / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


def allocated_rows(audits: pd.DataFrame, audit_type: str, first: str, last: str) -> pd.DataFrame:
    rows = audits[
        (audits["audit_type"] == audit_type)
        & audits["audit_month"].between(first, last)
        & ~audits["status"].isin(["exempt", "cancelled"])
    ]
    return rows


def final_judgements(audits: pd.DataFrame, month: str) -> pd.Series:
    done = audits[
        (audits["audit_type"] == "audit")
        & (audits["audit_month"] == month)
        & (audits["status"] == "completed")
    ]
    final = done["moderated_judgement"].where(
        done["moderated_judgement"] != "", done["overall_judgement"]
    )
    return final.where(final != "", "Not recorded")


def compute_figure(figure: dict, data: dict):
    """One seed figure, computed from the data folder's rows (docs/data-contract.md)."""
    key = figure["key"]
    audits, programme = data["audits"], data["programme"]
    last = audits["audit_month"].max()
    first = programme["compliance_from_month"]
    first_reaudit = audits.loc[audits["audit_type"] == "re-audit", "audit_month"].min()
    programme_rows = allocated_rows(audits, "audit", first, last)
    reaudit_rows = allocated_rows(audits, "re-audit", first_reaudit, last)
    simple = {
        "programme.from_month": first,
        "programme.to_month": last,
        "programme.allocated": len(programme_rows),
        "programme.completed": int((programme_rows["status"] == "completed").sum()),
        "programme.compliance_pct": pct(
            (programme_rows["status"] == "completed").sum(), len(programme_rows)
        ),
        "programme.reaudits_from_month": first_reaudit,
        "programme.reaudits_allocated": len(reaudit_rows),
        "programme.reaudits_completed": int((reaudit_rows["status"] == "completed").sum()),
        "programme.reaudit_compliance_pct": pct(
            (reaudit_rows["status"] == "completed").sum(), len(reaudit_rows)
        ),
        "reflections.questions": data["reflections"]["question"].nunique(),
    }
    if key in simple:
        return simple[key]
    if key == "pause.resumed_month":
        covid = next(p for p in programme["pauses"] if p["from"] <= "2020-03" <= p["to"])
        return audits.loc[audits["audit_month"] > covid["to"], "audit_month"].min()
    parts = key.split(".")
    if parts[0] == "trend":
        month, what = parts[1], parts[2]
        if what == "state":
            paused = any(p["from"] <= month <= p["to"] for p in programme["pauses"])
            empty = not (audits["audit_month"] == month).any()
            return "paused" if paused and empty else "audited"
        if what == "month_label":
            return programme["month_labels"][month]
        final = final_judgements(audits, month)
        return pct((final == what).sum(), len(final))
    if parts[0] == "recommendations":
        items = data["recommendations"][parts[1]][parts[2]]
        if len(parts) == 3:
            return len(items)
        return len(items[int(parts[3]) - 1][parts[4]])
    raise KeyError(f"no rule to compute {key}")


def computable_figures() -> list[dict]:
    return [f for f in SEED_FIGURES["figures"] if not f.get("narrative")]


@pytest.fixture(scope="module")
def committed() -> dict:
    return read_folder(DEMO_DIR)


@pytest.mark.parametrize("figure", computable_figures(), ids=lambda f: f["key"])
def test_every_seed_figure_comes_out_as_published(committed, figure):
    assert compute_figure(figure, committed) == figure["value"], figure["seed_text"]


def test_seed_figures_file_quotes_the_seed_verbatim():
    # The hand-written seed report is not part of the project; point AUDITLIB_SEED_REPORT at
    # its text to check that every figure quoted in data/seed_figures.yml is quoted verbatim.
    seed = os.environ.get("AUDITLIB_SEED_REPORT")
    if not seed or not Path(seed).is_file():
        pytest.skip("set AUDITLIB_SEED_REPORT to the seed report's text file to run this check")
    seed_file = Path(seed)
    lines = seed_file.read_text(encoding="utf-8").split("\n")
    for figure in SEED_FIGURES["figures"]:
        assert figure["seed_text"] in lines[figure["seed_line"] - 1], figure["key"]


def test_only_prose_figures_are_left_uncomputed():
    narrative = {f["key"] for f in SEED_FIGURES["figures"] if f.get("narrative")}
    assert narrative == {"pause.decided_on", "pause.resume_decided"}
    assert len(computable_figures()) == 65


def test_published_months_have_no_outstanding_and_rest_not_recorded(committed):
    audits = committed["audits"]
    published = {f["month"] for f in SEED_FIGURES["figures"] if f.get("label") == "Good"}
    for month in published:
        final = final_judgements(audits, month)
        assert (final == "Outstanding").sum() == 0, month
        shown = [
            f["value"] for f in SEED_FIGURES["figures"] if f.get("month") == month and "label" in f
        ]
        has_rest = (final == "Not recorded").any()
        assert has_rest == (sum(shown) < 99), month


# ------------------------------------------------------------------ determinism
def test_committed_demo_equals_a_fresh_write(tmp_path):
    files = demo.write_programme(tmp_path)
    assert sorted(p.name for p in files.values()) == sorted(DEMO_FILES)
    for name in DEMO_FILES:
        assert (tmp_path / name).read_bytes() == (DEMO_DIR / name).read_bytes(), name


def test_same_seed_gives_identical_bytes_and_another_seed_other_rows(tmp_path):
    demo.write_programme(tmp_path / "a", seed=7)
    demo.write_programme(tmp_path / "b", seed=7)
    demo.write_programme(tmp_path / "c", seed=8)
    for name in DEMO_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    a, c = (pd.read_csv(tmp_path / x / "audits.csv", dtype=str) for x in "ac")
    assert not a[schema.CHILD_ID].equals(c[schema.CHILD_ID])
    # … and the calibration holds for any seed
    data = read_folder(tmp_path / "c")
    for figure in computable_figures():
        assert compute_figure(figure, data) == figure["value"], figure["key"]


def test_scale_multiplies_counts_and_keeps_every_percentage(tmp_path):
    demo.write_programme(tmp_path, scale=3)
    data = read_folder(tmp_path)
    for figure in computable_figures():
        value = compute_figure(figure, data)
        if figure["key"].endswith(("allocated", "completed")):
            assert value == 3 * figure["value"], figure["key"]
        else:
            assert value == figure["value"], figure["key"]
    audits = data["audits"]
    assert audits[schema.AUDIT_ID].is_unique
    assert audits.loc[audits[schema.AUDIT_TYPE] == "audit", schema.CHILD_ID].is_unique
    clean = audits[schema.TEAM].str.strip().str.split().str.join(" ").str.casefold()
    assert clean.nunique() == 3 * len(demo.TEAMS)
    assert audits[schema.AREA].nunique() == 3 * 4


def test_parquet_output_holds_the_same_rows(tmp_path):
    demo.write_programme(tmp_path / "csv")
    demo.write_programme(tmp_path / "pq", fmt="parquet")
    assert not (tmp_path / "pq" / "audits.csv").exists()
    from_csv = pd.read_csv(tmp_path / "csv" / "audits.csv", dtype=str, keep_default_na=False)
    from_parquet = pd.read_parquet(tmp_path / "pq" / "audits.parquet")
    assert len(from_parquet) == len(from_csv) == 2288
    assert from_parquet[schema.AUDIT_ID].tolist() == from_csv[schema.AUDIT_ID].tolist()
    done = from_parquet[schema.STATUS] == "completed"
    assert from_parquet.loc[done, schema.COMPLETED_DATE].dt.strftime("%Y-%m-%d").tolist() == (
        from_csv.loc[done.to_numpy(), schema.COMPLETED_DATE].tolist()
    )


def test_refuses_to_overwrite_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "programme.yml").write_text("organisation: A real council\n", encoding="utf-8")
    with pytest.raises(AuditlibError, match="refusing to overwrite"):
        demo.write_programme(tmp_path)
    assert (tmp_path / "programme.yml").read_text(
        encoding="utf-8"
    ) == "organisation: A real council\n"
    with pytest.raises(AuditlibError, match="scale"):
        demo.generate_programme(scale=0)


@pytest.mark.slow
def test_large_scale_is_exact():
    tables = demo.generate_programme(scale=100)
    audits = tables["audits"]
    allocated = audits[
        (audits[schema.AUDIT_TYPE] == schema.AUDIT)
        & (audits[schema.AUDIT_MONTH] >= demo.COMPLIANCE_FROM_MONTH)
        & ~audits[schema.STATUS].isin(schema.NOT_ALLOCATED_STATUSES)
    ]
    assert len(allocated) == 163_200
    assert (allocated[schema.STATUS] == schema.COMPLETED).sum() == 129_800
    assert audits[schema.AUDIT_ID].is_unique
    # text stops at the cap
    assert tables["feedback"][schema.AUDIT_ID].isin(audits[schema.AUDIT_ID]).all()
    assert len(tables["reflections"]) == demo.TEXT_COPIES_CAP * 18 * 4 * 7


# --------------------------------------------------------------------- privacy
IDENTIFIER_PATTERNS = {
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "phone": re.compile(r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\+44"),
    "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"),
    "date": re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    "nhs_number": re.compile(r"\b\d{3}\s?\d{3}\s?\d{4}\b"),
}


def test_no_identifier_in_any_structured_column(committed):
    names = [n for n in (DEMO_DIR / "names.txt").read_text().splitlines() if not n.startswith("#")]
    name_pattern = re.compile(r"\b(?:" + "|".join(names) + r")\b", re.IGNORECASE)
    for table in ("audits", "feedback", "reflections"):
        frame = committed[table]
        for column in frame.columns.difference(FREE_TEXT.get(table, [])):
            values = frame[column].astype(str)
            for kind, pattern in {**IDENTIFIER_PATTERNS, "name": name_pattern}.items():
                hits = values[values.str.contains(pattern)]
                assert hits.empty, f"{kind} in {table}.{column}: {hits.iloc[:3].tolist()}"


def test_ids_are_pseudonymous_codes(committed):
    audits = committed["audits"]
    assert audits[schema.CHILD_ID].str.fullmatch(r"C\d{7}").all()
    assert audits[schema.AUDITOR_ID].str.fullmatch(r"TM\d{3}").all()
    assert audits[schema.SOCIAL_WORKER_ID].str.fullmatch(r"SW\d{4}").all()
    assert audits[schema.AUDIT_ID].str.fullmatch(r"A\d{7}").all()


def test_every_planted_identifier_is_in_the_free_text(committed):
    text = "\n".join(
        pd.concat(
            [committed["feedback"][schema.TEXT], committed["reflections"][schema.TEXT]]
        ).tolist()
    )
    planted = demo.list_planted_identifiers()
    assert set(planted) == {"name", "email", "phone", "postcode", "date_of_birth", "nhs_number"}
    for kind, values in planted.items():
        for value in values:
            assert value in text, f"planted {kind} {value!r} missing"
            if kind != "name":
                assert IDENTIFIER_PATTERNS[{"date_of_birth": "date"}.get(kind, kind)].search(
                    value
                ), value
    for name in planted["name"]:
        assert re.search(rf"\b{name}\b", text), name
    listed = [n for n in (DEMO_DIR / "names.txt").read_text().splitlines() if not n.startswith("#")]
    assert listed == list(planted["name"])


def test_planted_nhs_number_is_valid_and_in_the_test_range():
    (number,) = demo.list_planted_identifiers()["nhs_number"]
    digits = number.replace(" ", "")
    assert digits.startswith("999") and len(digits) == 10
    weights = range(10, 1, -1)
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], weights, strict=True)) % 11
    assert int(digits[9]) == (0 if check == 11 else check)


def test_nothing_of_the_seed_authors_or_council(committed):
    blob = "\n".join((DEMO_DIR / name).read_text(encoding="utf-8") for name in DEMO_FILES)
    blob += (ROOT / "data" / "seed_figures.yml").read_text(encoding="utf-8")
    for needle in (
        "Kasey",
        "Mike Hall",
        "surreycc",
        "Surrey",
        "SSCP",
        "832491",
        "081145",
        "Sporting Chances",
    ):
        assert needle.casefold() not in blob.casefold(), needle
    assert committed["programme"]["organisation"] == "Example Council"


# ----------------------------------------------------------------- plausibility
def test_dates_are_consistent(committed):
    audits = committed["audits"]
    allocated = pd.to_datetime(audits[schema.ALLOCATED_DATE])
    due = pd.to_datetime(audits[schema.DUE_DATE])
    done = audits[schema.STATUS] == "completed"
    completed = pd.to_datetime(audits.loc[done, schema.COMPLETED_DATE])
    assert (completed > allocated[done]).all()
    assert completed.max() <= pd.Timestamp(committed["programme"]["extract_date"])
    assert (audits.loc[~done, schema.COMPLETED_DATE] == "").all()
    assert (allocated.dt.strftime("%Y-%m") == audits[schema.AUDIT_MONTH]).all()
    window = (due - allocated).dt.days
    assert set(window[audits[schema.AUDIT_MONTH] == "2019-07"]) == {56}
    assert set(window[audits[schema.AUDIT_MONTH] != "2019-07"]) == {28}
    open_ = audits[schema.STATUS].isin(["allocated", "extension"])
    extract = pd.Timestamp(committed["programme"]["extract_date"])
    overdue = open_ & (due < extract)
    assert overdue.sum() > 100 and (open_ & (due >= extract)).sum() > 0
    assert {"allocated", "completed", "extension", "exempt", "cancelled"} == set(
        audits[schema.STATUS]
    )


def test_months_match_the_seed_calendar(committed):
    months = set(committed["audits"][schema.AUDIT_MONTH])
    assert {"2019-08", "2019-12", "2020-03", "2020-04", "2020-05"}.isdisjoint(months)
    assert min(months) == "2018-11" and max(months) == "2020-09"
    assert len(months) == 18
    audits = allocated_rows(committed["audits"], "audit", "2018-11", "2020-09")
    per_month = audits.groupby(schema.AUDIT_MONTH).size()
    assert per_month.between(80, 110).all()
    assert per_month.std() > 5  # months vary


def test_reaudits_follow_earlier_completed_originals_and_improve(committed):
    audits = committed["audits"]
    by_id = audits.set_index(schema.AUDIT_ID)
    re = audits[audits[schema.AUDIT_TYPE] == "re-audit"]
    assert (audits.loc[audits[schema.AUDIT_TYPE] == "audit", schema.ORIGINAL_AUDIT_ID] == "").all()
    assert re[schema.ORIGINAL_AUDIT_ID].is_unique and re[schema.AUDIT_MONTH].min() == "2019-03"
    original = by_id.loc[re[schema.ORIGINAL_AUDIT_ID]]
    assert (original[schema.AUDIT_TYPE] == "audit").all()
    assert (original[schema.STATUS] == "completed").all()
    assert (original[schema.CHILD_ID].to_numpy() == re[schema.CHILD_ID].to_numpy()).all()
    assert (original[schema.AUDIT_MONTH].to_numpy() < re[schema.AUDIT_MONTH].to_numpy()).all()
    assert (
        pd.to_datetime(original[schema.COMPLETED_DATE]).to_numpy()
        < pd.to_datetime(re[schema.ALLOCATED_DATE]).to_numpy()
    ).all()

    def score(frame: pd.DataFrame) -> pd.Series:
        final = frame[schema.MODERATED_JUDGEMENT].where(
            frame[schema.MODERATED_JUDGEMENT] != "", frame[schema.OVERALL_JUDGEMENT]
        )
        return final.map(schema.JUDGEMENT_SCORE).astype(float)

    done = re[re[schema.STATUS] == "completed"]
    change = score(done).to_numpy() - score(by_id.loc[done[schema.ORIGINAL_AUDIT_ID]]).to_numpy()
    change = change[~np.isnan(change)]
    assert change.mean() > 0.2  # a real improvement overall …
    assert (change < 0).sum() > 10  # … with some worse
    assert (np.abs(change) <= 2).all()


def test_moderation_changes_a_minority_by_one_grade(committed):
    audits = committed["audits"]
    done = audits[(audits[schema.STATUS] == "completed") & (audits[schema.OVERALL_JUDGEMENT] != "")]
    moderated = done[done[schema.MODERATED_JUDGEMENT] != ""]
    assert 0.1 < 1 - len(moderated) / len(done) < 0.3
    gap = moderated[schema.OVERALL_JUDGEMENT].map(schema.JUDGEMENT_SCORE) - moderated[
        schema.MODERATED_JUDGEMENT
    ].map(schema.JUDGEMENT_SCORE)
    assert 0.08 < (gap != 0).mean() < 0.2
    assert set(gap.unique()) == {-1, 0, 1}
    assert (gap == 1).sum() > (gap == -1).sum()  # moderation more often down


def test_domains_follow_the_final_judgement(committed):
    audits = committed["audits"]
    done = audits[
        (audits[schema.STATUS] == "completed") & (audits[schema.MODERATED_JUDGEMENT] != "")
    ]
    final = done[schema.MODERATED_JUDGEMENT].map(schema.JUDGEMENT_SCORE)
    for column in demo.DOMAIN_COLUMNS:
        domain = done[column].map(schema.JUDGEMENT_SCORE)
        both = domain.notna()
        assert np.corrcoef(final[both], domain[both])[0, 1] > 0.6, column
        assert (domain[both] - final[both]).abs().max() <= 1, column
    supervision = done[schema.DOMAIN_PREFIX + "supervision"].map(schema.JUDGEMENT_SCORE)
    voice = done[schema.DOMAIN_PREFIX + "voice_of_child"].map(schema.JUDGEMENT_SCORE)
    assert supervision.mean() < voice.mean()


def cohort_flags(audits: pd.DataFrame) -> pd.DataFrame:
    age = audits[schema.AGE_AT_AUDIT].astype(int)
    cp = audits[schema.CP_PLAN] == "True"
    cse = audits[schema.CSE_RISK].isin(schema.CSE_AT_RISK)
    missing = audits[schema.MISSING_EPISODES_6M].astype(int) > 0
    return pd.DataFrame(
        {
            "cin": audits[schema.CIN] == "True",
            "under5_cp": cp & (age < 5),
            "cp_sexual": cp & (audits[schema.CP_CATEGORY] == "sexual"),
            "cse": cse,
            "missing": missing,
            "missing_cse": missing & cse,
        }
    )


def test_themed_months_draw_mostly_from_their_theme(committed):
    audits = committed["audits"]
    originals = audits[audits[schema.AUDIT_TYPE] == "audit"]
    flags = cohort_flags(originals)
    themes = committed["programme"]["themes"]
    assert len(themes) >= 5
    for month, cohorts in themes.items():
        in_month = (originals[schema.AUDIT_MONTH] == month).to_numpy()
        share = flags.loc[in_month, cohorts].any(axis=1).mean()
        assert share > 0.75, month
    unthemed = ~originals[schema.AUDIT_MONTH].isin(list(themes)).to_numpy()
    base = flags[unthemed].mean()
    assert 0.3 < base["cin"] < 0.55 and base["cp_sexual"] < 0.05 and 0.03 < base["missing"] < 0.2
    assert flags["missing_cse"].sum() > 20


def test_planted_harder_cases_and_harsh_auditor_are_recovered(committed):
    # An ordinal (proportional-odds) model with a cut-point shift per month — the months'
    # splits are the seed's — recovers both planted effects within their 95% intervals.
    audits = committed["audits"]
    done = audits[(audits[schema.AUDIT_TYPE] == "audit") & (audits[schema.STATUS] == "completed")]
    final = done[schema.MODERATED_JUDGEMENT].where(
        done[schema.MODERATED_JUDGEMENT] != "", done[schema.OVERALL_JUDGEMENT]
    )
    graded = final.isin(schema.JUDGEMENTS).to_numpy()
    done, score = done[graded], final[graded].map(schema.JUDGEMENT_SCORE)
    flags = cohort_flags(done)
    x = pd.get_dummies(done[schema.AUDIT_MONTH], drop_first=True, dtype=float)
    x["hard"] = (flags["cse"] | flags["missing"]).astype(float).to_numpy()
    x["harsh"] = (done[schema.AUDITOR_ID] == "TM007").astype(float).to_numpy()
    assert demo_audits.HARSH_AUDITOR == 6  # TM007 in copy 0
    fit = OrderedModel(
        pd.Categorical(score, ordered=True), x.set_index(score.index), distr="logit"
    ).fit(method="bfgs", disp=False, maxiter=2000)
    for term, planted in (
        ("hard", -demo_audits.HARD_CASE_DIFFICULTY),
        ("harsh", -demo_audits.HARSH_AUDITOR_SHIFT),
    ):
        low, high = fit.params[term] - 1.96 * fit.bse[term], fit.params[term] + 1.96 * fit.bse[term]
        assert low < planted < high < 0, (term, fit.params[term], fit.bse[term])
    # the harsh auditor's cases are graded lower on the 1–4 scale, by most of a grade
    harsh = x["harsh"].to_numpy() == 1
    assert score[~harsh].mean() - score[harsh].mean() > 0.5


def test_cohort_fields_are_coherent(committed):
    audits = committed["audits"]
    cp = audits[schema.CP_PLAN] == "True"
    assert ((audits[schema.CP_CATEGORY] != "") == cp).all()
    assert not ((audits[schema.CIN] == "True") & cp).any()
    assert audits[schema.AGE_AT_AUDIT].astype(int).between(0, 17).all()
    young = audits[schema.AGE_AT_AUDIT].astype(int) < 10
    assert (audits.loc[young, schema.CSE_RISK] == "none").all()
    # looked-after and care-leaver teams hold neither CiN nor CP cases (re-audits included)
    looked_after = audits[schema.TEAM].str.contains("Looked After|Care Leavers", case=False)
    assert looked_after.sum() > 50
    assert not ((audits[schema.CIN] == "True") | cp)[looked_after].any()


def test_team_spellings_vary_but_merge(committed):
    teams = committed["audits"][schema.TEAM]
    clean = teams.str.strip().str.split().str.join(" ").str.casefold()
    assert clean.nunique() == len(demo.TEAMS)
    assert teams.nunique() > len(demo.TEAMS) + 5
    assert (teams != teams.str.strip().str.split().str.join(" ")).mean() < 0.03
    assert committed["audits"][schema.SERVICE].nunique() == 3


def test_feedback_and_reflections_read_like_the_seed(committed):
    feedback, reflections = committed["feedback"], committed["reflections"]
    per_month = feedback.groupby(schema.AUDIT_MONTH).size()
    assert per_month.between(5, 16).all() and len(per_month) == 18
    assert set(feedback[schema.SOURCE]) <= set(schema.FEEDBACK_SOURCES)
    assert set(feedback[schema.KIND]) == set(schema.FEEDBACK_KINDS)
    assert feedback[schema.FEEDBACK_ID].is_unique
    audits = committed["audits"].set_index(schema.AUDIT_ID)
    for table in (feedback, reflections):
        linked = audits.loc[table[schema.AUDIT_ID]]
        assert (linked[schema.STATUS] == "completed").all()
        assert (linked[schema.AUDIT_MONTH].to_numpy() == table[schema.AUDIT_MONTH].to_numpy()).all()
    assert set(reflections[schema.QUESTION].astype(int)) == set(schema.REFLECTION_QUESTIONS)
    september = reflections[reflections[schema.AUDIT_MONTH] == "2020-09"][schema.TEXT]
    assert "A clear and consistent transfer process." in set(september)
    # a reflection theme recurs across consecutive months
    transfer = reflections[reflections[schema.TEXT].str.contains("transfer", case=False)]
    assert {"2020-07", "2020-08", "2020-09"} <= set(transfer[schema.AUDIT_MONTH])
    chasing = feedback[feedback[schema.TEXT].str.contains("chase", case=False)]
    assert chasing[schema.AUDIT_MONTH].nunique() >= 5


def test_recommendations_repeat_and_keep_the_seeds_shape(committed):
    recs = committed["recommendations"]
    assert set(recs) == set(committed["audits"][schema.AUDIT_MONTH])
    for month, entry in recs.items():
        assert set(entry) == {"high_priority", "practice_standards"}, month
        for item in entry["high_priority"] + entry["practice_standards"]:
            assert isinstance(item, str) or (set(item) == {"text", "items"}), month
    months = sorted(recs)
    repeats = sum(
        bool(
            set(map(str, recs[a]["practice_standards"]))
            & set(map(str, recs[b]["practice_standards"]))
        )
        for a, b in itertools.pairwise(months)
    )
    assert repeats >= 12
    assert recs["2020-09"]["high_priority"][:3] == recs["2020-08"]["high_priority"]


# ------------------------------------------------------------------ the search
def test_round_half_up_matches_decimal_everywhere():
    for whole in range(1, 130):
        for part in range(whole + 1):
            assert demo.round_half_up_pct(part, whole) == pct(part, whole)


def test_counts_rounding_to_a_percentage_are_all_found():
    for whole in (3, 8, 45, 81, 99, 120):
        for target in range(101):
            brute = [k for k in range(whole + 1) if pct(k, whole) == target]
            assert list(demo.list_counts_rounding_to(target, whole)) == brute


def test_infeasible_month_sizes_are_rejected():
    february = next(p for p in demo.MONTH_PLANS if p.month == "2019-02")
    assert demo.find_judgement_counts(february, 70) is None  # 29/51/19 cannot be made of 70
    counts = demo.find_judgement_counts(february, 72)
    assert sum(counts.values()) == 72 and counts[schema.NOT_RECORDED] == 0


def test_dynamic_programme_hits_the_total_or_says_why():
    assert demo.choose_counts_with_total([5, 5, 5], [[4, 6], [5], [3, 4, 9]], 15) == [6, 5, 4]
    with pytest.raises(AuditlibError):
        demo.choose_counts_with_total([5, 5], [[4, 6], [5]], 12)


def test_calibration_adds_up():
    cal = demo.build_calibration()
    window = cal.loc[demo.COMPLIANCE_FROM_MONTH :]
    assert window["allocated"].sum() == demo.PROGRAMME_ALLOCATED
    assert window["completed"].sum() == demo.PROGRAMME_COMPLETED
    assert cal["reaudit_allocated"].sum() == demo.REAUDITS_ALLOCATED
    assert cal["reaudit_completed"].sum() == demo.REAUDITS_COMPLETED
    labels = list(schema.JUDGEMENT_LABELS)
    assert (cal[labels].sum(axis=1) == cal["completed"]).all()
    assert (cal["completed"] + cal["extension"] + cal["open"] == cal["allocated"]).all()
