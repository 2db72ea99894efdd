"""The data contract in one place: canonical column names, scales and labels.

Every other module takes its column names and vocabularies from here, never
from string literals of its own (docs/data-contract.md describes them for users).
"""

from __future__ import annotations

import re
from typing import Final

# ---------------------------------------------------------------- judgements
OUTSTANDING: Final = "Outstanding"
GOOD: Final = "Good"
REQUIRES_IMPROVEMENT: Final = "Requires Improvement"
INADEQUATE: Final = "Inadequate"
NOT_RECORDED: Final = "Not recorded"

#: Ofsted's scale, best first.
JUDGEMENTS: Final = (OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE)
#: The labels a judgement distribution is reported over, in display order.
JUDGEMENT_LABELS: Final = (*JUDGEMENTS, NOT_RECORDED)
#: Ordinal score, higher is better (Not recorded has none).
JUDGEMENT_SCORE: Final = {OUTSTANDING: 4, GOOD: 3, REQUIRES_IMPROVEMENT: 2, INADEQUATE: 1}
GOOD_OR_BETTER: Final = (OUTSTANDING, GOOD)

#: Labels that real exports use, after lower-casing and collapsing spaces.
#: Grade numbers follow Ofsted: 1 Outstanding … 4 Inadequate.
JUDGEMENT_ALIASES: Final = {
    "outstanding": OUTSTANDING,
    "o": OUTSTANDING,
    "1": OUTSTANDING,
    "good": GOOD,
    "g": GOOD,
    "2": GOOD,
    "requires improvement": REQUIRES_IMPROVEMENT,
    "requires improvement to be good": REQUIRES_IMPROVEMENT,
    "requires improvement to be good (ri)": REQUIRES_IMPROVEMENT,
    "ri": REQUIRES_IMPROVEMENT,
    "ri2g": REQUIRES_IMPROVEMENT,
    "req imp": REQUIRES_IMPROVEMENT,
    "req. imp.": REQUIRES_IMPROVEMENT,
    "req improvement": REQUIRES_IMPROVEMENT,
    "3": REQUIRES_IMPROVEMENT,
    "inadequate": INADEQUATE,
    "i": INADEQUATE,
    "inad": INADEQUATE,
    "4": INADEQUATE,
    "not recorded": NOT_RECORDED,
}

# ------------------------------------------------------------------ statuses
ALLOCATED: Final = "allocated"
COMPLETED: Final = "completed"
EXTENSION: Final = "extension"
EXEMPT: Final = "exempt"
CANCELLED: Final = "cancelled"
STATUSES: Final = (ALLOCATED, COMPLETED, EXTENSION, EXEMPT, CANCELLED)
#: Statuses that take a row out of the allocated denominator.
NOT_ALLOCATED_STATUSES: Final = (EXEMPT, CANCELLED)
#: Statuses that mean allocated but not yet completed.
OPEN_STATUSES: Final = (ALLOCATED, EXTENSION)
STATUS_ALIASES: Final = {
    "allocated": ALLOCATED,
    "open": ALLOCATED,
    "in progress": ALLOCATED,
    "completed": COMPLETED,
    "complete": COMPLETED,
    "done": COMPLETED,
    "extension": EXTENSION,
    "extended": EXTENSION,
    "extension agreed": EXTENSION,
    "exempt": EXEMPT,
    "exemption": EXEMPT,
    "exemption agreed": EXEMPT,
    "cancelled": CANCELLED,
    "canceled": CANCELLED,
}

AUDIT: Final = "audit"
REAUDIT: Final = "re-audit"
AUDIT_TYPES: Final = (AUDIT, REAUDIT)
AUDIT_TYPE_ALIASES: Final = {
    "audit": AUDIT,
    "original": AUDIT,
    "re-audit": REAUDIT,
    "reaudit": REAUDIT,
    "re audit": REAUDIT,
}

CP_CATEGORIES: Final = ("neglect", "physical", "emotional", "sexual", "multiple")
CP_CATEGORY_ALIASES: Final = {
    "neglect": "neglect",
    "physical": "physical",
    "physical abuse": "physical",
    "emotional": "emotional",
    "emotional abuse": "emotional",
    "sexual": "sexual",
    "sexual abuse": "sexual",
    "multiple": "multiple",
}
CSE_RISKS: Final = ("none", "emerging", "experiencing", "significant")
CSE_AT_RISK: Final = ("emerging", "experiencing", "significant")

# ------------------------------------------------------------------- columns
AUDIT_ID: Final = "audit_id"
CHILD_ID: Final = "child_id"
AUDIT_TYPE: Final = "audit_type"
ORIGINAL_AUDIT_ID: Final = "original_audit_id"
AUDIT_MONTH: Final = "audit_month"
ALLOCATED_DATE: Final = "allocated_date"
DUE_DATE: Final = "due_date"
COMPLETED_DATE: Final = "completed_date"
STATUS: Final = "status"
TEAM: Final = "team"
AREA: Final = "area"
SERVICE: Final = "service"
AUDITOR_ID: Final = "auditor_id"
SOCIAL_WORKER_ID: Final = "social_worker_id"
OVERALL_JUDGEMENT: Final = "overall_judgement"
MODERATED_JUDGEMENT: Final = "moderated_judgement"
CIN: Final = "cin"
CP_PLAN: Final = "cp_plan"
CP_CATEGORY: Final = "cp_category"
AGE_AT_AUDIT: Final = "age_at_audit"
CSE_RISK: Final = "cse_risk"
MISSING_EPISODES_6M: Final = "missing_episodes_6m"
DOMAIN_PREFIX: Final = "judgement_"

#: Columns computed by cleaning (never read from input).
FINAL_JUDGEMENT: Final = "final_judgement"
#: On a re-audit row: the final judgement of the audit it re-audits.
ORIGINAL_JUDGEMENT: Final = "original_judgement"
SOURCE_ROW: Final = "source_row"  # row number as a person sees it in the file
SOURCE_FILE: Final = "source_file"

#: The usual audit domains, in display order; any ``judgement_<x>`` column is accepted.
DOMAINS: Final = (
    "voice_of_child",
    "assessment",
    "planning",
    "management_oversight",
    "supervision",
    "recording",
    "chronology",
    "multi_agency",
)

#: How the report names each domain.
DOMAIN_NAMES: Final = {
    "voice_of_child": "Voice of the child",
    "assessment": "Assessment",
    "planning": "Planning",
    "management_oversight": "Management oversight",
    "supervision": "Supervision",
    "recording": "Recording",
    "chronology": "Chronology",
    "multi_agency": "Multi-agency work",
}

AUDIT_REQUIRED: Final = (AUDIT_ID, CHILD_ID, AUDIT_TYPE, AUDIT_MONTH, ALLOCATED_DATE, STATUS, TEAM)
AUDIT_OPTIONAL: Final = (
    ORIGINAL_AUDIT_ID,
    DUE_DATE,
    COMPLETED_DATE,
    AREA,
    SERVICE,
    AUDITOR_ID,
    SOCIAL_WORKER_ID,
    OVERALL_JUDGEMENT,
    MODERATED_JUDGEMENT,
    CIN,
    CP_PLAN,
    CP_CATEGORY,
    AGE_AT_AUDIT,
    CSE_RISK,
    MISSING_EPISODES_6M,
)
AUDIT_DATE_COLUMNS: Final = (ALLOCATED_DATE, DUE_DATE, COMPLETED_DATE)
AUDIT_BOOL_COLUMNS: Final = (CIN, CP_PLAN)
AUDIT_INT_COLUMNS: Final = (AGE_AT_AUDIT, MISSING_EPISODES_6M)
AUDIT_TEXT_COLUMNS: Final = (
    AUDIT_ID,
    CHILD_ID,
    ORIGINAL_AUDIT_ID,
    TEAM,
    AREA,
    SERVICE,
    AUDITOR_ID,
    SOCIAL_WORKER_ID,
)

#: Columns that identify a person: never shown, never written to an output.
IDENTIFIER_COLUMNS: Final = (CHILD_ID, AUDITOR_ID, SOCIAL_WORKER_ID)

# feedback
FEEDBACK_ID: Final = "feedback_id"
SOURCE: Final = "source"
KIND: Final = "kind"
TEXT: Final = "text"
FEEDBACK_REQUIRED: Final = (FEEDBACK_ID, AUDIT_ID, AUDIT_MONTH, SOURCE, KIND, TEXT)
FEEDBACK_SOURCES: Final = (
    "parent",
    "carer",
    "foster carer",
    "child/young person",
    "partner agency: education",
    "partner agency: health",
    "partner agency: police",
    "partner agency: other",
)
STRENGTH: Final = "strength"
IMPROVEMENT: Final = "improvement"
FEEDBACK_KINDS: Final = (STRENGTH, IMPROVEMENT)

# reflections
QUESTION: Final = "question"
REFLECTIONS_REQUIRED: Final = (AUDIT_ID, AUDIT_MONTH, QUESTION, TEXT)
REFLECTION_QUESTIONS: Final = {
    1: "What do you think you have done well on this case?",
    2: "What have been the challenges in this case?",
    3: "Do you have enough tools to enable you to undertake your role?",
    4: "If you had a case like this again, what would you do differently?",
}

# --------------------------------------------------------------------- cohorts
#: The seed report's practice-theme cohorts, as programme.yml's ``cohorts:`` would write
#: them (see :mod:`auditlib.data.cohorts`): a programme's cohorts when it defines none.
#: An audit can be in several.
DEFAULT_COHORTS: Final = (
    {
        "key": "cin",
        "name": "Children in Need (CiN)",
        "label": "Children in Need",
        "where": {CIN: True},
    },
    {
        "key": "under5_cp",
        "name": "Children under 5 subject to a Child Protection plan",
        "label": "Under 5 on a CP plan",
        "where": {CP_PLAN: True, AGE_AT_AUDIT: "< 5"},
    },
    {
        "key": "cp_sexual",
        "name": "Children subject to a CP plan under the category of sexual abuse",
        "label": "CP plan: sexual abuse",
        "where": {CP_PLAN: True, CP_CATEGORY: "sexual"},
    },
    {
        "key": "cse",
        "name": "Children identified at risk of CSE (emerging, experiencing, significant)",
        "label": "At risk of CSE",
        "where": {CSE_RISK: list(CSE_AT_RISK)},
    },
    {
        "key": "missing",
        "name": "Children reported missing in the last 6 months",
        "label": "Missing (6 months)",
        "where": {MISSING_EPISODES_6M: ">= 1"},
    },
    {
        "key": "missing_cse",
        "name": "Children reported missing in the last 6 months and at risk of CSE",
        "label": "Missing and at risk of CSE",
        "where": {MISSING_EPISODES_6M: ">= 1", CSE_RISK: list(CSE_AT_RISK)},
    },
)
#: The default cohorts' keys and display names (code that predates programme-defined
#: cohorts reads this; new code takes ``programme.cohorts``).
COHORTS: Final = {entry["key"]: entry["name"] for entry in DEFAULT_COHORTS}
COHORT_PREFIX: Final = "cohort_"
#: Short names for a sentence ("after allowing for this month's CSE theme").
COHORT_SHORT_NAMES: Final = {
    "cin": "Children in Need",
    "under5_cp": "under-5s on a CP plan",
    "cp_sexual": "sexual-abuse CP plans",
    "cse": "CSE",
    "missing": "missing children",
    "missing_cse": "missing children at risk of CSE",
}

#: English month names (not calendar.month_name, which follows the machine's locale).
MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: Month format everywhere: ``YYYY-MM``.
MONTH_PATTERN: Final = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH_RE: Final = re.compile(MONTH_PATTERN)

# ------------------------------------------------------------- column specs
#: How each canonical audits column is parsed: kind → parser in :mod:`auditlib.data.parsing`.
#: ``text`` keeps the value as written (trimmed); ``id`` is text that must not become a number.
AUDIT_COLUMN_KINDS: Final = {
    AUDIT_ID: "id",
    CHILD_ID: "id",
    AUDIT_TYPE: "audit_type",
    ORIGINAL_AUDIT_ID: "id",
    AUDIT_MONTH: "month",
    ALLOCATED_DATE: "date",
    DUE_DATE: "date",
    COMPLETED_DATE: "date",
    STATUS: "status",
    TEAM: "name",
    AREA: "name",
    SERVICE: "name",
    AUDITOR_ID: "id",
    SOCIAL_WORKER_ID: "id",
    OVERALL_JUDGEMENT: "judgement",
    MODERATED_JUDGEMENT: "judgement",
    CIN: "bool",
    CP_PLAN: "bool",
    CP_CATEGORY: "cp_category",
    AGE_AT_AUDIT: "int",
    CSE_RISK: "cse_risk",
    MISSING_EPISODES_6M: "int",
}
FEEDBACK_COLUMN_KINDS: Final = {
    FEEDBACK_ID: "id",
    AUDIT_ID: "id",
    AUDIT_MONTH: "month",
    SOURCE: "feedback_source",
    KIND: "feedback_kind",
    TEXT: "free_text",
}
REFLECTIONS_COLUMN_KINDS: Final = {
    AUDIT_ID: "id",
    AUDIT_MONTH: "month",
    QUESTION: "question",
    TEXT: "free_text",
}
FEEDBACK_SOURCE_ALIASES: Final = {
    "parent": "parent",
    "mother": "parent",
    "father": "parent",
    "mum": "parent",
    "dad": "parent",
    "carer": "carer",
    "kinship carer": "carer",
    "foster carer": "foster carer",
    "child": "child/young person",
    "young person": "child/young person",
    "child/young person": "child/young person",
    "child / young person": "child/young person",
    "education": "partner agency: education",
    "school": "partner agency: education",
    "partner agency: education": "partner agency: education",
    "health": "partner agency: health",
    "partner agency: health": "partner agency: health",
    "police": "partner agency: police",
    "partner agency: police": "partner agency: police",
    "partner agency": "partner agency: other",
    "partner agency: other": "partner agency: other",
    "other": "partner agency: other",
}
FEEDBACK_KIND_ALIASES: Final = {
    "strength": STRENGTH,
    "strengths": STRENGTH,
    "practice strength": STRENGTH,
    "positive": STRENGTH,
    "improvement": IMPROVEMENT,
    "improvements": IMPROVEMENT,
    "area for improvement": IMPROVEMENT,
    "areas for improvement": IMPROVEMENT,
    "negative": IMPROVEMENT,
}
CSE_RISK_ALIASES: Final = {
    "none": "none",
    "no": "none",
    "n/a": "none",
    "not at risk": "none",
    "emerging": "emerging",
    "emerging risk": "emerging",
    "experiencing": "experiencing",
    "significant": "significant",
    "significant risk": "significant",
}
BOOL_ALIASES: Final = {
    "true": True,
    "yes": True,
    "y": True,
    "1": True,
    "t": True,
    "false": False,
    "no": False,
    "n": False,
    "0": False,
    "f": False,
}

# ------------------------------------------------------------- trend table
MONTH_LABEL: Final = "month_label"
STATE: Final = "state"
AUDITED: Final = "audited"
PAUSED: Final = "paused"
NO_AUDITS: Final = "no audits"
TREND_STATES: Final = (AUDITED, PAUSED, NO_AUDITS)
