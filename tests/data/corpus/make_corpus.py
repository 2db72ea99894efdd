"""Writes the broken / awkward input corpus used by tests/test_validation.py.

The files are committed; this script documents how each was made (some are
binary or in cp1252, which an editor would silently "fix"). Run it from the
repository root: ``python tests/data/corpus/make_corpus.py``. Writing the .ods
and .xls files needs two packages auditlib itself does not (it only reads them):
``pip install odfpy xlwt``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
HEADER = "audit_id,child_id,audit_type,original_audit_id,audit_month,allocated_date,due_date,completed_date,status,team,overall_judgement,moderated_judgement"
ROWS = [
    "A1,C0000001,audit,,2020-09,01/09/2020,29/09/2020,20/09/2020,completed,Team North,Good,",
    "A2,C0000002,audit,,2020-09,01/09/2020,29/09/2020,21/09/2020,completed,Team North,Requires Improvement,Inadequate",
    "A3,C0000003,audit,,2020-09,02/09/2020,30/09/2020,,allocated,Team South,,",
]


#: January 2022 audits written month-first (US); 01/13/2022 can only be month-first.
US_ROWS_DAY_ABOVE_12 = [
    "A1,C0000001,audit,,2022-01,01/05/2022,02/02/2022,01/13/2022,completed,Team North,Good,",
    "A2,C0000002,audit,,2022-01,01/05/2022,02/02/2022,01/20/2022,completed,Team North,Inadequate,",
    "A3,C0000003,audit,,2022-01,01/06/2022,02/03/2022,,allocated,Team South,,",
]
#: The same, every part 12 or less: nothing in the values says which way round they are.
US_ROWS_NO_DAY_ABOVE_12 = [
    "A1,C0000001,audit,,2022-01,01/05/2022,02/02/2022,01/10/2022,completed,Team North,Good,",
    "A2,C0000002,audit,,2022-01,01/06/2022,02/03/2022,01/11/2022,completed,Team North,Inadequate,",
    "A3,C0000003,audit,,2022-01,01/07/2022,02/04/2022,,allocated,Team South,,",
]
#: Months of the judgement-jump file, and the judgements of each month's 12 audits.
JUMP_MONTHS = ("2020-01", "2020-02", "2020-03", "2020-04", "2020-05")
JUMP_JUDGEMENTS = ("Good",) * 5 + ("Requires Improvement",) * 5 + ("Inadequate",) * 2


def jump_rows() -> list[str]:
    """Four months of 12 graded audits, then a month where 10 of 12 have no grade."""
    rows = []
    for m, month in enumerate(JUMP_MONTHS):
        for i, judgement in enumerate(JUMP_JUDGEMENTS):
            number = m * 12 + i + 1
            grade = "" if month == JUMP_MONTHS[-1] and i < 10 else judgement
            mm = month[5:]
            rows.append(
                f"A{number},C{number:07d},audit,,{month},01/{mm}/2020,28/{mm}/2020,"
                f"15/{mm}/2020,completed,Team North,{grade},"
            )
    return rows


def mixed_order_rows() -> list[str]:
    """24 September audits: 12 allocated day-first (13/09/2020 …), 12 month-first (09/14/2020 …)."""
    rows = []
    for i in range(24):
        day = 13 + i % 12
        allocated = f"{day}/09/2020" if i % 2 == 0 else f"09/{day}/2020"
        rows.append(f"A{i + 1},C{i + 1:07d},audit,,2020-09,{allocated},,,allocated,Team North,,")
    return rows


def write(name: str, lines: list[str], encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(("\n".join(lines) + "\n").encode(encoding))


def main() -> None:
    write(
        "01_missing_required_column.csv",
        [
            HEADER.replace(",team", ""),
            *[",".join(r.split(",")[:9] + r.split(",")[10:]) for r in ROWS],
        ],
    )
    write(
        "02_unknown_judgement.csv",
        [HEADER, ROWS[0], ROWS[1].replace("Requires Improvement,Inadequate", "Adequate,"), ROWS[2]],
    )
    write(
        "03_unparseable_date.csv",
        [HEADER, ROWS[0].replace("01/09/2020", "31/02/2020", 1), ROWS[1], ROWS[2]],
    )
    write(
        "04_day_first_dates.csv",
        [
            HEADER,
            ROWS[0].replace("01/09/2020", "03/04/2020", 1).replace("2020-09", "2020-04"),
            ROWS[1],
            ROWS[2],
        ],
    )
    write(
        "05_completed_before_allocated.csv",
        [HEADER, ROWS[0].replace("20/09/2020", "01/03/2020"), ROWS[1], ROWS[2]],
    )
    write(
        "06_malformed_month.csv",
        [
            HEADER,
            ROWS[0].replace("2020-09", "2020-13"),
            ROWS[1].replace("2020-09", "Sept"),
            ROWS[2],
        ],
    )
    write(
        "07_duplicate_id_conflict.csv",
        [HEADER, ROWS[0], ROWS[1], ROWS[0].replace("Good", "Inadequate")],
    )
    write("08_exact_duplicate_rows.csv", [HEADER, ROWS[0], ROWS[1], ROWS[0], ROWS[2]])
    reaudit = "R1,C0000001,re-audit,A999,2020-09,01/09/2020,29/09/2020,25/09/2020,completed,Team North,Good,"
    write("09_unknown_original_audit.csv", [HEADER, ROWS[0], ROWS[1], reaudit])
    write(
        "10_completed_no_judgement.csv",
        [HEADER, ROWS[0], ROWS[1].replace("Requires Improvement,Inadequate", ","), ROWS[2]],
    )
    write(
        "11_unknown_status.csv",
        [HEADER, ROWS[0], ROWS[1], ROWS[2].replace("allocated", "finished")],
    )
    write(
        "12_cp1252_curly_quotes.csv",
        [HEADER, ROWS[0].replace("Team North", "Children’s Services – £ Team"), ROWS[1], ROWS[2]],
        encoding="cp1252",
    )
    (HERE / "13_utf8_bom.csv").write_bytes(
        ("\ufeff" + "\n".join([HEADER, *ROWS]) + "\n").encode("utf-8")
    )
    write_xlsx()
    (HERE / "15_empty.csv").write_bytes(b"")
    write("16_header_only.csv", [HEADER])
    write(
        "17_text_column_of_numbers.csv",
        [HEADER, ROWS[0].replace("A1,", "00123,", 1).replace("Team North", "42"), ROWS[1], ROWS[2]],
    )
    write("18_changes_shape.csv", [HEADER, ROWS[0], ROWS[1] + ",extra", ROWS[2]])
    write(
        "19_label_variants.csv",
        [
            HEADER,
            ROWS[0].replace(",Good,", ", good ,"),
            ROWS[1].replace("Requires Improvement,Inadequate", "req imp,4"),
            ROWS[2]
            .replace(",allocated,", ",Complete,")
            .replace("Team South,,", "Team South,Requires improvement to be good,"),
        ],
    )
    write("20_blank_rows.csv", [HEADER, ROWS[0], ",,,,,,,,,,,", ROWS[1], ROWS[2]])
    write(
        "21_audit_in_paused_month.csv",
        [HEADER, ROWS[0], ROWS[1].replace("2020-09", "2020-06"), ROWS[2]],
    )
    # Next month's export, as analysts meet it.
    write(
        "22_renamed_mapped_column.csv",
        [HEADER.replace("overall_judgement", "Final Grade"), *ROWS],
    )
    write("23_us_dates_day_above_12.csv", [HEADER, *US_ROWS_DAY_ABOVE_12])
    write("24_us_dates_no_day_above_12.csv", [HEADER, *US_ROWS_NO_DAY_ABOVE_12])
    # A comma inside a team name: only the semicolon splits every line alike.
    write(
        "25_semicolons.csv",
        [
            HEADER.replace(",", ";"),
            *[r.replace(",", ";").replace("Team North", "North, East") for r in ROWS],
        ],
    )
    write("26_tabs.tsv", [HEADER.replace(",", "\t"), *[r.replace(",", "\t") for r in ROWS]])
    write_ods()
    write_xls()
    write(
        "29_newer_export_2020-08.csv",
        [HEADER, *[r.replace("2020-09", "2020-08").replace("/09/", "/08/") for r in ROWS]],
    )
    write(
        "29_newer_export_2020-09.csv",
        [
            HEADER,
            *[r.replace("2020-09", "2020-08").replace("/09/", "/08/") for r in ROWS],
            *[r.replace("A", "B", 1) for r in ROWS],
        ],
    )
    write(
        "30_own_cohort.csv",
        [HEADER + ",DA Flag", ROWS[0] + ",Yes", ROWS[1] + ",No", ROWS[2] + ",yes"],
    )
    write(
        "31_broken_feedback.csv",
        [
            "feedback_id,audit_id,audit_month,source,kind,text",
            'F1,A1,2020-09,parent,strength,"The social worker listened, and came back when she said."',
            "F2,A2,2020-09,neighbour,strength,Kept us informed.",
            "F3,A2,2020-09,school,improvement,Invite us to the meetings.",
        ],
    )
    write("32_not_recorded_jump.csv", [HEADER, *jump_rows()])
    write("33_mixed_date_orders.csv", [HEADER, *mixed_order_rows()])
    write(
        "34_team_renamed.csv",
        [HEADER, ROWS[0], ROWS[1].replace("Team North", "North Locality Team"), ROWS[2]],
    )


def write_xlsx() -> None:
    """Local column names (mapped by programme.yml), Excel date cells, local labels, a title row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "LCS export"
    sheet.append([])  # Excel exports often start with a blank row above the header
    sheet.append(
        [
            "Audit Ref",
            "Child Ref",
            "Type",
            "Re-audit of",
            "Programme Month",
            "Date Allocated",
            "Due",
            "Date Completed",
            "Audit Status",
            "Team Name",
            "Auditor Grade",
            "Moderated Grade",
        ]
    )
    sheet.append(
        [
            "A1",
            "C0000001",
            "Audit",
            None,
            "Sep 2020",
            dt.datetime(2020, 9, 1),
            dt.datetime(2020, 9, 29),
            dt.datetime(2020, 9, 20),
            "Complete",
            "Team North",
            "RI2G",
            None,
        ]
    )
    sheet.append(
        [
            "A2",
            "C0000002",
            "Audit",
            None,
            "Sep 2020",
            dt.datetime(2020, 9, 1),
            dt.datetime(2020, 9, 29),
            dt.datetime(2020, 9, 21),
            "Complete",
            "Team North",
            "G",
            "RI2G",
        ]
    )
    sheet.append(
        [
            "A3",
            "C0000003",
            "Audit",
            None,
            "Sep 2020",
            dt.datetime(2020, 9, 2),
            dt.datetime(2020, 9, 30),
            None,
            "Exemption agreed",
            "Team South",
            None,
            None,
        ]
    )
    book.save(HERE / "14_local_columns.xlsx")


def write_ods() -> None:
    """An OpenDocument spreadsheet (what gov.uk asks for): date cells, canonical headers."""
    import pandas as pd

    frame = pd.DataFrame([r.split(",") for r in ROWS], columns=HEADER.split(",")).replace("", None)
    for column in ("allocated_date", "due_date", "completed_date"):
        frame[column] = pd.to_datetime(frame[column], format="%d/%m/%Y")
    frame.to_excel(HERE / "27_ods_export.ods", engine="odf", index=False, sheet_name="Audits")


def write_xls() -> None:
    """An Excel 97–2003 workbook (.xls): a title row above the header, date cells."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Audits")
    dates = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    sheet.write(0, 0, "Case audits: September 2020 export")
    for column, header in enumerate(HEADER.split(",")):
        sheet.write(2, column, header)
    for row, line in enumerate(ROWS, start=3):
        for column, value in enumerate(line.split(",")):
            if not value:
                continue
            if HEADER.split(",")[column].endswith("_date"):
                sheet.write(row, column, dt.datetime.strptime(value, "%d/%m/%Y"), dates)
            else:
                sheet.write(row, column, value)
    book.save(HERE / "28_xls_export.xls")


if __name__ == "__main__":
    main()
