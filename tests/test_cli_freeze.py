"""``auditlib freeze``: freezing, listing and unfreezing approved months, with plain messages."""

from __future__ import annotations

import json
from pathlib import Path

from auditlib import cli
from auditlib.publish import builds


def _report(out: Path, month: str) -> Path:
    folder = out / month
    folder.mkdir(parents=True)
    (folder / f"audit-highlights-{month}.html").write_text("<html></html>\n")
    (folder / f"audit-highlights-{month}.ipynb").write_text("{}")
    (folder / "figures.json").write_text(json.dumps({"report_month": month}))
    return folder


def test_freeze_list_and_unfreeze(tmp_path, capsys):
    out = tmp_path / "outputs"
    folder = _report(out, "2021-12")
    code = cli.main(["freeze", "--month", "2021-12", "--out", str(out), "--note", "Board, 3 Feb"])
    said = capsys.readouterr().out
    assert code == 0
    assert "2021-12 is frozen since " in said and "— Board, 3 Feb" in said
    assert "report --month 2021-12 --force" in said and "--unfreeze" in said
    assert json.loads((folder / builds.FROZEN_FILE).read_text())["note"] == "Board, 3 Feb"

    assert cli.main(["freeze", "--list", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("2021-12: frozen since ")

    assert cli.main(["freeze", "--unfreeze", "--month", "2021-12", "--out", str(out)]) == 0
    assert "no longer frozen" in capsys.readouterr().out
    assert not (folder / builds.FROZEN_FILE).exists()
    assert cli.main(["freeze", "--list", "--out", str(out)]) == 0
    assert "No month is frozen" in capsys.readouterr().out


def test_list_includes_months_frozen_in_programme_yml(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "programme.yml").write_text(
        'organisation: Tiny Council\nstart_month: "2021-03"\n'
        'frozen: {"2021-04": "approved in May"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "outputs"
    _report(out, "2021-04")
    assert cli.main(["freeze", "--list", "--out", str(out), "--data", str(data)]) == 0
    assert capsys.readouterr().out.strip() == "2021-04: frozen in programme.yml — approved in May"
    # Unfreezing with the command cannot undo programme.yml: it says where the freeze is.
    assert cli.main(["freeze", "--unfreeze", "--month", "2021-04", "--out", str(out)]) == 0
    assert "programme.yml" in capsys.readouterr().out


def test_freezing_what_is_not_a_whole_report_is_a_plain_error(tmp_path, capsys):
    out = tmp_path / "outputs"
    assert cli.main(["freeze", "--month", "2021-12", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "no complete report to freeze (it has no report yet)" in err
    assert "auditlib report --month 2021-12" in err and "Traceback" not in err
    folder = _report(out, "2021-12")
    (folder / "figures.json").write_text('{"report_month": "2021-1')
    assert cli.main(["freeze", "--month", "2021-12", "--out", str(out)]) == 1
    assert "figures.json is unreadable" in capsys.readouterr().err
    assert cli.main(["freeze", "--month", "Dec 2021", "--out", str(out)]) == 1
    assert "is not a month" in capsys.readouterr().err
    assert cli.main(["freeze", "--out", str(out)]) == 1
    assert "say which month" in capsys.readouterr().err
