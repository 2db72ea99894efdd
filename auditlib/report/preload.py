"""What a report's kernel can have ready before it starts, done once for all of them.

The report runner's pre-imported kernel process (:mod:`auditlib.publish.kernelpool`)
calls :func:`preload` after its imports; every month's kernel is a fork of it, so each
starts with this work done. Only work that does not depend on the month is done here,
and only into caches of pure functions (a cached result is the one the kernel would have
worked out itself), so no kernel's report depends on what was done ahead.
"""

from __future__ import annotations

from pathlib import Path

from auditlib.analysis import voices
from auditlib.data import schema
from auditlib.data.pipeline import (
    AuditData,
    adopt_audit_data,
    load_audit_data,
    preload_audit_data,
)
from auditlib.data.programme import iter_months
from auditlib.report.charts import judgements, layout, statistical, style
from auditlib.report.monthly.context import report_themes

#: Sizes (points) the charts write percentages at: segment labels (shrunk to fit), tick
#: labels, and the SPC and funnel charts' axes.
PERCENT_SIZES = (6.5, 7.0, style.TICK_SIZE, 10.0)
#: Sizes whose line height matplotlib measures (as the text "lp") for every text it draws.
TEXT_SIZES = (6.5, style.SMALL_SIZE, style.ANNOTATION_SIZE, style.TICK_SIZE, style.LABEL_SIZE)
TEXT_SIZES += (10.0, style.TITLE_SIZE, 12.0)


def preload(data_dir: str | Path, handed_over: str | Path | None = None) -> None:
    """Load and clean the data folder (:func:`auditlib.data.pipeline.preload_audit_data`),
    then redact and tag with themes every feedback comment and reflection, as every
    month's report does with the whole feedback table (the results are remembered by
    :mod:`auditlib.analysis.redaction` and :mod:`auditlib.analysis.voices`).

    ``handed_over`` is a file where the runner may have left the folder as it loaded it
    (:func:`auditlib.publish.kernelpool.hand_over`): taken instead of loading the folder
    again when it is there and the folder's files are still the ones it was loaded from.
    """
    if not (handed_over and adopt_handed_over(data_dir, Path(handed_over))):
        preload_audit_data(data_dir)
    data = load_audit_data(data_dir)
    themes = report_themes(data)
    for frame in (data.feedback, data.reflections):
        if frame is not None and schema.TEXT in frame.columns:
            voices.tag_themes(frame, themes, denylist=data.denylist)
    premeasure_chart_texts(data)


def premeasure_chart_texts(data: AuditData) -> int:
    """Measure ahead the texts every month's charts write (see
    :func:`auditlib.report.charts.layout.premeasure`): percentages, the programme's months
    as the charts label them, the judgements and the SPC legend; returns how many.

    What a month's charts measure afresh otherwise, chart after chart in every kernel;
    none of it depends on the month reported.
    """
    audited = data.audits[schema.AUDIT_MONTH].dropna()
    last = max([str(m) for m in audited.unique()], default=data.programme.start_month)
    months = list(iter_months(data.programme.start_month, last))
    short = [judgements._short_month(data.programme.label_for(m)) for m in months]
    percents = [f"{p}%" for p in range(101)]
    count = layout.premeasure(percents, PERCENT_SIZES)
    count += layout.premeasure(["lp"], TEXT_SIZES)
    count += layout.premeasure(
        [
            *months,
            *short,
            *(judgements._YEAR_RE.sub(r"\n\1", label) for label in short),  # two lines
            *schema.JUDGEMENT_LABELS,
            *statistical._POINT_NAMES.values(),
            "Mean",
            "Process limits",
            "Paused",
        ],
        [style.TICK_SIZE],
    )
    return count


def adopt_handed_over(data_dir: str | Path, path: Path) -> bool:
    """Take the data folder as another process loaded and left it in ``path``, if it is
    there, is that folder, and the folder's files are byte for byte the ones it was
    loaded from (:func:`auditlib.data.pipeline.adopt_audit_data`)."""
    import pickle

    try:
        data = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return False
    return adopt_audit_data(data_dir, data)
