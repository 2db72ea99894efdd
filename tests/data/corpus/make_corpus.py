"""Writes the broken / awkward input corpus used by tests/test_validation.py.

The files are committed; this script documents how each was made (some are
binary or in cp1252, which an editor would silently "fix"). Run it from the
repository root: ``python tests/data/corpus/make_corpus.py``.
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


if __name__ == "__main__":
    main()
