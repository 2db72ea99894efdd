"""The demo programme's monthly practice recommendations and standards."""

from __future__ import annotations

from collections.abc import Mapping

from auditlib.demo.calibration import MONTH_PLANS

# ========================================================== recommendations
_HP_SUPERVISION = (
    "Managers to ensure that supervision is held in line with expected timescales and evidences reflective "
    "discussion, impact of intervention, proactive decision making where there is drift and delay and review of "
    "decision / actions that support driving the plan forward."
)
_HP_OVERSIGHT = (
    "Management oversights / case discussions are recorded to respond to significant events/ changes in "
    "circumstances/ how overdue task will be addressed together with the rationale for the decision making and "
    "timescales."
)
_HP_PLANNING = (
    "Managers, Social Workers, CPC's and IRO's to ensure that planning and review for children is timely and that "
    "any drift or delay is responded to with a clear plan of how this will be managed and addressed."
)
_PS_RAISE = (
    "Team Managers and Social Workers to raise any concerns with the quality of audits to the APS Team as soon as "
    "possible."
)
_PS_BLOCK_TIME = (
    "Team Managers to block out time for the audit each month, plan for the case reflection meeting, and request "
    "exemptions and extensions via the correct process and in a timely way."
)
_PS_SHARE = (
    "Monthly highlight reports to be shared with Directors, Assistant Directors and all frontline teams in order to "
    "be used and discussed in area meetings."
)
_SEXUAL_HARM = (
    "Risk assessments for children who are at risk from sexual harm both within and outside their homes and how we "
    "engage partner agencies to support the child, their family and us in the resulting plans."
)
_CSE_ASSESSMENTS = (
    "Timeliness and quality of CSE risk assessments, so that they are pertinent to the current risks, include a plan "
    "of intervention to reduce risks and evidence the child's and parent's contribution"
)
#: The seed's recommendations for August and September 2020, as published except
#: that people's names became their roles and Surrey's names became generic ones.
SEED_RECOMMENDATIONS: Mapping[str, Mapping[str, list]] = {
    "2020-08": {
        "high_priority": [_HP_SUPERVISION, _HP_OVERSIGHT, _HP_PLANNING],
        "practice_standards": [
            _HP_SUPERVISION,
            _HP_OVERSIGHT,
            _HP_PLANNING.replace("CPC's and IRO's", "CPC’s and IRO’s"),
            "All other teams to review and reflect on how to improve the quality and timeliness of recording within "
            "their teams. I.e. updating of case summaries, chronologies, involvement and family relationships.",
            _PS_RAISE,
            _PS_BLOCK_TIME,
            _PS_SHARE,
        ],
    },
    "2020-09": {
        "high_priority": [
            _HP_SUPERVISION,
            _HP_OVERSIGHT,
            _HP_PLANNING,
            {
                "text": "All teams to review and reflect on the key learning identified for children that go missing "
                "and are vulnerable to exploitation and hidden crimes:",
                "items": [
                    "Response and timeliness to children who go missing;",
                    _CSE_ASSESSMENTS + ";",
                    _SEXUAL_HARM,
                ],
            },
        ],
        "practice_standards": [
            {
                "text": "All teams to review and reflect on the key learning identified in this month's highlight "
                "report and to raise any feedback, service needs, or key barriers to the Audit and Practice "
                "Standards Manager or the Child Exploitation and Hidden Crimes Manager:",
                "items": [
                    "Response and timeliness to children who go missing, with increased confidence in the use of "
                    "missing procedure.",
                    _CSE_ASSESSMENTS + ".",
                    _SEXUAL_HARM,
                ],
            },
            {
                "text": "Review and signpost practitioners to the following key resources for CSE and Missing procedures.",
                "items": [
                    "Safeguarding Children Partnership: Safeguarding Children from Sexual Exploitation",
                    "Procedure for Children Missing from Home and Care 2019",
                    "Tri X Procedures and Documents for Missing",
                    "Return Home Interviews",
                    "CSE information on the council's public health website",
                ],
            },
            _PS_RAISE,
            _PS_BLOCK_TIME,
            "Further Workbook training and workshops to establish a consistent standard of practice when completing. "
            "[Remember to utilise Workbook champions per area and video training guides on Share point].",
        ],
    },
}
_HIGH_PRIORITY_POOL = (
    "Managers to ensure that supervision is held in line with expected timescales and is reflective, evidencing the "
    "impact of intervention and the progress of the plan.",
    "Management oversight to be recorded at key decision points, with the rationale for decisions and clear timescales.",
    "Social workers to evidence the voice of the child in assessments, plans and case recording, including what "
    "direct work has told us.",
    "Chronologies to be up to date and used to inform assessment and planning.",
    "Child in Need plans to be SMART, reviewed within timescales and clear about what will change for the child.",
    "Assessments to be completed within timescales and to analyse risk and need, not only describe them.",
    "Case summaries and family relationships to be kept up to date on LCS so that anyone picking up the case "
    "understands the child's story.",
    "Where there is drift or delay, managers to record a clear plan, with timescales, for how it will be addressed.",
    "Visits to children to be in line with the plan, with children seen alone where appropriate, and recorded "
    "within timescales.",
    "Core groups and Child in Need meetings to include all relevant partner agencies, with minutes shared promptly.",
    "For children under 5 on a Child Protection plan, the health visitor to be invited to every core group and the "
    "child's daily lived experience to be described.",
    "Return home interviews to be offered after every missing episode and their learning recorded in the child's plan.",
    "CSE risk assessments to be reviewed after every significant event and shared with partner agencies.",
    "Children on a Child Protection plan under the category of sexual abuse to have a specialist assessment of risk "
    "considered at the first core group.",
    "Where visits have been virtual during lockdown, managers to review which children need face-to-face visits to "
    "resume first.",
    "Cases to transfer between teams only after a transfer meeting with the family, the current and new social "
    "workers and both managers.",
)
_PRACTICE_STANDARD_POOL = (
    _PS_BLOCK_TIME,
    _PS_RAISE,
    _PS_SHARE,
    "Auditors to meet with the social worker for every audit and complete the reflection sheet.",
    "Audits to be completed within the month they are allocated; outstanding audits will be escalated to the Head "
    "of Service.",
    "Feedback from parents, children and partner agencies to be sought for every audit where appropriate.",
    "Actions agreed in the audit to be recorded on the child's file and reviewed in supervision.",
    "Re-audits to be completed within timescales so that improvement can be evidenced.",
)
#: month → (high-priority pool indices, practice-standard pool indices); items
#: recur month to month, as they do in real programmes.
_RECOMMENDATION_SCHEDULE: Mapping[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "2018-11": ((2, 3, 0), (3, 4)),
    "2018-12": ((2, 3, 1), (3, 4, 5)),
    "2019-01": ((3, 1, 5), (0, 4, 5)),
    "2019-02": ((4, 2, 9), (0, 5, 6)),
    "2019-03": ((4, 5, 1), (0, 6, 7)),
    "2019-04": ((5, 7, 0), (0, 1, 7)),
    "2019-05": ((10, 7, 0), (0, 1, 6)),
    "2019-06": ((0, 6, 8), (0, 1, 2)),
    "2019-07": ((0, 6, 3), (0, 1, 2, 7)),
    "2019-09": ((12, 11, 0), (0, 1, 2)),
    "2019-10": ((12, 11, 9), (0, 1, 2, 5)),
    "2019-11": ((11, 7, 1), (0, 1, 2, 4)),
    "2020-01": ((1, 7, 2), (0, 1, 2, 6)),
    "2020-02": ((13, 1, 7), (0, 1, 2, 7)),
    "2020-06": ((14, 8, 1), (0, 1, 2, 4)),
    "2020-07": ((14, 15, 4), (0, 1, 2, 5)),
}


def build_recommendations() -> dict[str, dict[str, list]]:
    """recommendations.yml as a mapping: each audited month's high-priority
    recommendations and practice standards (items are text, or
    ``{text, items}`` for a recommendation with sub-points)."""
    result: dict[str, dict[str, list]] = {}
    for plan in MONTH_PLANS:
        if plan.month in SEED_RECOMMENDATIONS:
            result[plan.month] = {k: list(v) for k, v in SEED_RECOMMENDATIONS[plan.month].items()}
        else:
            high, standards = _RECOMMENDATION_SCHEDULE[plan.month]
            result[plan.month] = {
                "high_priority": [_HIGH_PRIORITY_POOL[i] for i in high],
                "practice_standards": [_PRACTICE_STANDARD_POOL[i] for i in standards],
            }
    return result
