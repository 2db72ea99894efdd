"""The demo programme's free text: feedback and social worker reflections."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from auditlib.data import schema
from auditlib.demo.calibration import MONTH_PLANS, REPORT_MONTH, TEXT_COPIES_CAP
from auditlib.demo.identifiers import _PLANTS

# ================================================================= feedback
_PARENT, _CARER, _FOSTER, _CHILD, _EDU, _HEALTH, _POLICE, _OTHER = schema.FEEDBACK_SOURCES

#: (source, tag, phrasings). Tags let themes recur across months (_FEEDBACK_BOOSTS).
_STRENGTHS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        _PARENT,
        "relationship",
        (
            "Mother spoke positively about the social worker, saying she has an open and transparent relationship with him "
            "and that he is proactive in supporting the family.",
            "Father said the social worker is honest with him and he always knows where he stands.",
            "Mother said this is the first social worker she has trusted, because she is open with her about the concerns.",
        ),
    ),
    (
        _PARENT,
        "explains",
        (
            "Mother said the social worker is easy to work with, talks to her like an adult and spends time explaining "
            "the work so that she understands what is happening.",
            "Parents said the social worker explained the child protection process clearly and checked they understood the plan.",
        ),
    ),
    (
        _PARENT,
        "support",
        (
            "Mother felt she had the right support to end her relationship with a violent partner and can now focus on her "
            "child and her future.",
            "Mother was very complimentary about the social worker and the domestic abuse practitioner and is finding the "
            "sessions very helpful.",
            "Father praised the social worker for helping him find a nursery place and for attending the first visit with him.",
        ),
    ),
    (
        _PARENT,
        "communication_good",
        (
            "Father said the social worker always returns his calls and keeps him updated about the plan.",
            "Mother said she gets a text before every visit and a call afterwards, which helps her feel involved.",
        ),
    ),
    (
        _CARER,
        "relationship",
        (
            "Grandmother said the social worker took time to get to know the children and explained the plan clearly.",
            "Kinship carer said the social worker has been a constant for the family and visits when she says she will.",
        ),
    ),
    (
        _FOSTER,
        "relationship",
        (
            "Foster carer reported having a good relationship with the social worker, who she finds supportive.",
            "Foster carers said the social worker keeps them informed and involves them in planning for the child.",
        ),
    ),
    (
        _CHILD,
        "relationship",
        (
            "A young person said he had the best social worker in the world and was pleased with her commitment to his family.",
            "A young person said her social worker listens to her and does what she says she will do.",
            "A child told us their social worker is kind and helped them tell the judge what they wanted.",
        ),
    ),
    (
        _CHILD,
        "contact",
        (
            "A child and her father praised the social worker for enabling them to have contact again after many years "
            "and for supporting reunification.",
            "A young person said the social worker helped him see his brothers again, which was the most important thing to him.",
        ),
    ),
    (
        _EDU,
        "partnership",
        (
            "School reported good communication from the social worker, who attends every core group and shares minutes promptly.",
            "The designated safeguarding lead said the social worker's visits in school helped the child settle.",
        ),
    ),
    (
        _HEALTH,
        "partnership",
        (
            "The health visitor said the social worker shared information promptly and invited her to every meeting.",
            "CAMHS colleagues said joint visits with the social worker helped the young person engage.",
        ),
    ),
    (
        _POLICE,
        "missing_response",
        (
            "Police colleagues praised the social worker's quick response when the young person was reported missing.",
            "Police said the social worker's safety plan gave officers clear information when the young person went missing.",
        ),
    ),
    (
        _OTHER,
        "mentor",
        (
            "Extremely positive feedback from the child's mentor about the work undertaken by the social worker.",
            "The youth worker said the social worker made time to plan with her so the young person had one consistent message.",
        ),
    ),
)
_IMPROVEMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        _EDU,
        "communication",
        (
            "Education identified communication from the social worker as an area which could be improved.",
            "School said they were not told about changes to the plan until the core group.",
            "The school said it did not receive minutes of the child in need meeting.",
        ),
    ),
    (
        _FOSTER,
        "placement_information",
        (
            "A foster carer said they would have benefited from more information about the child at the start of placement.",
            "Foster carer said she did not have the child's health and school information until weeks into the placement.",
        ),
    ),
    (
        _CHILD,
        "changes_of_worker",
        (
            "One child told us he has had several different social workers and has to tell his story again each time.",
            "A young person said she did not know who her social worker was after her last one left.",
        ),
    ),
    (
        _PARENT,
        "chasing",
        (
            "Parent expressed frustration that the social worker did not respond and they had to chase for updates.",
            "Mother said she had to chase the social worker for updates and her calls were not returned.",
        ),
    ),
    (
        _OTHER,
        "chasing",
        (
            "A partner agency reported frustration that social workers do not respond and they have to chase them up for updates.",
            "The housing officer said she had to chase several times for an update before the review.",
        ),
    ),
    (
        _PARENT,
        "early_help",
        (
            "Parent of a child with significant special needs reported poor support at the early intervention stage, "
            "which led to needless delay in services.",
            "Mother said she asked for help for her son's behaviour for a year before anyone came out.",
        ),
    ),
    (
        _PARENT,
        "changes_of_worker",
        (
            "Mother said she was not told her social worker was changing until the new worker arrived.",
            "Father said the family has had four social workers in a year and the plan starts again each time.",
        ),
    ),
    (
        _HEALTH,
        "communication",
        (
            "The GP surgery said it was not invited to the child protection conference.",
            "Health said reports were requested at short notice before the review conference.",
        ),
    ),
    (
        _POLICE,
        "communication",
        ("Police said the outcome of the strategy discussion was not shared with them.",),
    ),
    (
        _CARER,
        "support",
        (
            "Grandmother said she needed more support with the children's behaviour and did not know who to ask.",
            "Kinship carer said financial support was agreed but took months to arrive.",
        ),
    ),
    (
        _PARENT,
        "communication",
        (
            "A common theme running through feedback was that communication from the social work team needed to improve.",
            "Parents said letters and plans use jargon they do not understand.",
        ),
    ),
)
#: Months where a feedback theme is heard more often (it recurs month to month).
_FEEDBACK_BOOSTS: Mapping[str, tuple[str, ...]] = {
    "changes_of_worker": ("2019-04", "2019-05", "2019-06", "2020-06", "2020-07"),
    "chasing": ("2019-09", "2019-10", "2019-11", "2020-06", "2020-07", "2020-08"),
    "communication": ("2018-12", "2019-01", "2019-02", "2020-01", "2020-02", "2020-09"),
    "early_help": ("2019-10", "2019-11", "2020-01"),
    "placement_information": ("2019-06", "2019-07", "2019-09"),
    "missing_response": ("2019-09", "2019-11", "2020-09"),
}
#: The seed's own feedback (sections 11.1 and 11.2), lightly edited, for its months.
_SEED_FEEDBACK: tuple[tuple[str, str, str, str], ...] = (
    (
        "2020-08",
        schema.STRENGTH,
        _PARENT,
        "Mother spoke positively about the SW stating she had an open transparent relationship with him, and he is "
        "proactive in his support of the family. Prior to this she had 14 other SW's who worked with her son.",
    ),
    (
        "2020-08",
        schema.STRENGTH,
        _CHILD,
        "A young person reported that he had the best social worker in the world. She had just taken him and his "
        "grandmother to view a residential unit where he would be going. Both his grandmother and the young person were "
        "pleased with the social workers commitment to their family.",
    ),
    (
        "2020-08",
        schema.STRENGTH,
        _PARENT,
        "Generally positive feedback for the social worker and the intervention. Child and her father praised the social "
        "worker for enabling them to have contact after 10yrs and supporting reunification.",
    ),
    (
        "2020-08",
        schema.STRENGTH,
        _FOSTER,
        "Foster carer reported having a good relationship with the social worker who she finds supportive.",
    ),
    (
        "2020-09",
        schema.STRENGTH,
        _OTHER,
        "Extremely positive feedback received from mum and child's mentor about work undertaken by social worker.",
    ),
    (
        "2020-09",
        schema.STRENGTH,
        _PARENT,
        "Mother was very complimentary about both SW and DA practitioner and their approach to working with her. She said "
        "that she has found the SW so easy to work with as she talks to her like she is an adult and spends time explaining "
        "the work so that she understands what is happening.",
    ),
    (
        "2020-09",
        schema.STRENGTH,
        _PARENT,
        "Mother felt that she had got the right support to help her end her relationship with her violent partner when "
        "she was pregnant. She praised the social worker for the help support and direction she has now obtained.",
    ),
    (
        "2020-08",
        schema.IMPROVEMENT,
        _EDU,
        "Education identified communication from the social worker as an area which could be improved.",
    ),
    (
        "2020-08",
        schema.IMPROVEMENT,
        _FOSTER,
        "Foster carer stated that they would have benefited from more information about a child at the start of placement.",
    ),
    (
        "2020-09",
        schema.IMPROVEMENT,
        _CHILD,
        "One child told us that he has had several different social workers. He has not yet achieved permanency or stability.",
    ),
    (
        "2020-09",
        schema.IMPROVEMENT,
        _PARENT,
        "Frustration that social workers are not responding and parents then have to chase them up for updates.",
    ),
    (
        "2020-09",
        schema.IMPROVEMENT,
        _OTHER,
        "Partner agency frustration at social workers not responding to them, so that they have to chase them up for updates.",
    ),
    (
        "2020-09",
        schema.IMPROVEMENT,
        _PARENT,
        "Parent of a child with significant special needs received poor support at the early intervention stage which led "
        "to the child suffering needless delay of services.",
    ),
)


def _pick_weighted(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """``k`` indices drawn with probability ∝ weights, without replacement while possible."""
    p = weights / weights.sum()
    nonzero = int((weights > 0).sum())
    if k <= nonzero:
        return rng.choice(len(weights), size=k, replace=False, p=p)
    return rng.choice(len(weights), size=k, replace=True, p=p)


def _month_weights(
    items: Sequence[tuple], boosts: Mapping[str, tuple[str, ...]], month: str, tag_at: int
) -> np.ndarray:
    return np.array([6.0 if month in boosts.get(item[tag_at], ()) else 1.0 for item in items])


def _feedback_rows(
    rng: np.random.Generator, month: str, audit_ids: Sequence[str], plant: bool
) -> list[dict]:
    """One month's feedback: seed sentences in its months, recombined phrasings elsewhere."""
    rows = []
    for m, kind, source, text in _SEED_FEEDBACK:
        if m == month:
            rows.append((source, kind, text))
    wanted = int(rng.integers(5, 16)) - len(rows)
    n_strength = max(0, math.floor(wanted * 0.55 + 0.5))
    for kind, pool, n in (
        (schema.STRENGTH, _STRENGTHS, n_strength),
        (schema.IMPROVEMENT, _IMPROVEMENTS, wanted - n_strength),
    ):
        if n <= 0:
            continue
        for i in _pick_weighted(rng, _month_weights(pool, _FEEDBACK_BOOSTS, month, 1), n):
            source, _, phrasings = pool[i]
            rows.append((source, kind, phrasings[int(rng.integers(len(phrasings)))]))
    if plant:
        for m, what, source, text in _PLANTS:
            if m == month and what.startswith("feedback:"):
                rows.append((str(source), what.split(":")[1], text))
    order = rng.permutation(len(rows))
    audits = rng.choice(
        np.asarray(audit_ids, dtype=object), size=len(rows), replace=len(rows) > len(audit_ids)
    )
    return [
        {
            schema.AUDIT_ID: audits[j],
            schema.AUDIT_MONTH: month,
            schema.SOURCE: rows[i][0],
            schema.KIND: rows[i][1],
            schema.TEXT: rows[i][2],
        }
        for j, i in enumerate(order)
    ]


# ============================================================== reflections
#: question → (tag, phrasings). Tags recur across consecutive months via _REFLECTION_BOOSTS.
_REFLECTIONS: Mapping[int, tuple[tuple[str, tuple[str, ...]], ...]] = {
    1: (
        (
            "relationships",
            (
                "Building an open and honest relationship with the child and their parents.",
                "I have built an open and honest relationship with the young person and her carers.",
            ),
        ),
        (
            "partners_cse",
            (
                "Working closely with partner agencies with regards to CSE and missing.",
                "Close joint working with the police and the exploitation team when the young person went missing.",
            ),
        ),
        (
            "voice",
            (
                "Direct work with the child so that their wishes and feelings are clearly recorded.",
                "Kept the child's voice at the centre of the plan; she knows who I am and why I visit.",
            ),
        ),
        (
            "visits",
            (
                "Visits have been timely and in line with the plan.",
                "Saw the child alone at every visit and recorded what she said in her own words.",
            ),
        ),
        (
            "lockdown_visits",
            (
                "Kept visiting in line with the plan, using doorstep and video visits during lockdown.",
            ),
        ),
        ("life_story", ("Started life story work with the child and his carers.",)),
        (
            "partners",
            (
                "Good communication with school and health, who attend every core group.",
                "Regular multi-agency meetings meant everyone knew the plan.",
            ),
        ),
        ("father", ("Persistent engagement with a father who had not been involved before.",)),
        (
            "chronology",
            (
                "Updated the chronology and used it to inform the assessment.",
                "Clear safety plan agreed with the family and their network.",
            ),
        ),
    ),
    2: (
        (
            "transfer",
            (
                "A clear and consistent transfer process.",
                "The case transferred between teams without a transfer meeting, so work was repeated.",
            ),
        ),
        (
            "caseloads",
            (
                "The impact of high caseloads on direct work, keeping LCS up to date and progressing the plan in a meaningful way.",
                "High caseload meant recording fell behind and direct work was squeezed.",
            ),
        ),
        (
            "different_workers",
            (
                "The family has had visits from different social workers because people are leaving, isolating or unwell.",
                "Several changes of social worker meant the child had to retell her story.",
            ),
        ),
        (
            "camhs",
            (
                "Getting CAMHS on board at critical times of trauma and disruption.",
                "Long waits for CAMHS while the placement was under strain.",
            ),
        ),
        (
            "missing",
            ("The young person goes missing often, which makes building a relationship hard.",),
        ),
        (
            "engagement",
            (
                "Engaging the parents, who cancel visits at short notice.",
                "Mother's mistrust of services after previous involvement.",
            ),
        ),
        ("remote", ("Remote working during lockdown limited face-to-face direct work.",)),
        (
            "placements",
            (
                "Not enough placement choices for a child with complex needs.",
                "Waiting times for specialist services meant the plan drifted.",
            ),
        ),
    ),
    3: (
        (
            "tools_yes",
            (
                "Overall yes: I have the tools, skills, support and training I need.",
                "Yes, with good support from my manager and the team.",
                "Yes. Supervision is regular and reflective, which helps.",
            ),
        ),
        (
            "training",
            (
                "More training and information on how to improve my practice.",
                "I would value training on CSE risk assessments.",
            ),
        ),
        ("life_story", ("Life story work training.",)),
        ("caseloads", ("I need more time rather than more tools; the caseload is the barrier.",)),
        (
            "it",
            (
                "The laptop and LCS work well now; remote access was a problem at first.",
                "Access to interpreters is slow to arrange.",
            ),
        ),
    ),
    4: (
        (
            "shadowing",
            (
                "More shadowing experiences so that I understand the processes better.",
                "Shadow an experienced colleague through a child protection conference first.",
            ),
        ),
        (
            "missing",
            ("Think outside the usual ways of engaging children who frequently go missing.",),
        ),
        (
            "placement",
            ("Earlier and more purposeful intervention to prevent placement breakdown.",),
        ),
        (
            "culture",
            (
                "Gain a greater knowledge of different cultural backgrounds to support my engagement with children.",
            ),
        ),
        (
            "recording",
            (
                "Update the chronology as I go rather than at the end.",
                "Record management oversight and decisions at the time they are made.",
            ),
        ),
        ("father", ("Involve the father from the start.",)),
        (
            "camhs",
            (
                "Escalate to CAMHS earlier.",
                "Hold a multi-agency meeting as soon as drift starts to show.",
            ),
        ),
        ("life_story", ("Start life story work sooner.",)),
    ),
}
_REFLECTION_BOOSTS: Mapping[str, tuple[str, ...]] = {
    "transfer": ("2020-06", "2020-07", "2020-08", "2020-09"),
    "caseloads": (
        "2019-09",
        "2019-10",
        "2019-11",
        "2020-01",
        "2020-02",
        "2020-07",
        "2020-08",
        "2020-09",
    ),
    "different_workers": (
        "2019-04",
        "2019-05",
        "2019-06",
        "2020-06",
        "2020-07",
        "2020-08",
        "2020-09",
    ),
    "camhs": ("2019-10", "2019-11", "2020-01"),
    "missing": ("2019-09", "2019-11", "2020-09"),
    "partners_cse": ("2019-09", "2019-11", "2020-09"),
    "life_story": ("2019-06", "2019-07", "2019-09"),
    "training": ("2019-06", "2019-07", "2020-08", "2020-09"),
    "shadowing": ("2019-03", "2019-04", "2019-05"),
    "culture": ("2020-01", "2020-02", "2020-09"),
    "remote": ("2020-06", "2020-07", "2020-08"),
    "lockdown_visits": ("2020-06", "2020-07"),
}
#: Themes that only make sense from a month on (no lockdown before the pandemic).
_REFLECTION_FROM = {"remote": "2020-06", "lockdown_visits": "2020-06"}
#: The seed's own reflection answers (section 10), for September 2020.
_SEED_REFLECTIONS: Mapping[int, tuple[str, ...]] = {
    1: (
        "Regular risk intervention meetings support me as the worker and ensures a cohesive multiagency response and "
        "support plan for the child.",
        "Working closely with partner agencies with regards to CSE and missing.",
        "Non statutory organisations support in working with children who are at risk of CSE and go missing, i.e. "
        "the culturally matched mentor.",
    ),
    2: (
        "A clear and consistent transfer process.",
        "The impact of high caseloads on direct work, ensuring LCS is up to date and progressing intervention in a "
        "meaningful way.",
        "Children and their families having visits from different SW's due to people leaving, isolating or being unwell.",
        "Positive partner agency support/response (police) regarding children who go missing on multiple occasions.",
        "Getting CAMHS/ ACT/ Wise on board at critical times of trauma and disruption to support the child, family, "
        "their placement and the plan.",
    ),
    3: (
        "Overall I feel I have the necessary tools, skills, support and training to undertake my role.",
        "More training and information for SW's on how to improve their practice.",
        "Life story work training.",
    ),
    4: (
        "More shadowing experiences so that I have a greater understanding of the processes.",
        "Thinking outside of the usual for engaging children who frequently go missing.",
        "Earlier and more purposeful intervention to prevent placement breakdown.",
        "Gain a greater knowledge of different cultural backgrounds to support my engagement with children.",
    ),
}
REFLECTION_AUDITS_PER_MONTH = 7


def _reflection_rows(
    rng: np.random.Generator, month: str, audit_ids: Sequence[str], plant: bool
) -> list[dict]:
    """Four answers each for a sample of the month's completed audits."""
    chosen = rng.choice(
        np.asarray(audit_ids, dtype=object),
        size=min(REFLECTION_AUDITS_PER_MONTH, len(audit_ids)),
        replace=False,
    )
    rows = []
    for question, pool in _REFLECTIONS.items():
        weights = _month_weights(pool, _REFLECTION_BOOSTS, month, 0)
        weights *= np.array([month >= _REFLECTION_FROM.get(tag, "") for tag, _ in pool])
        picks = _pick_weighted(rng, weights, len(chosen))
        answers = [pool[i][1][int(rng.integers(len(pool[i][1])))] for i in picks]
        if month == REPORT_MONTH:
            seed_answers = _SEED_REFLECTIONS[question][: len(answers)]
            answers[: len(seed_answers)] = seed_answers
        if plant:
            planted = [
                text
                for m, what, q, text in _PLANTS
                if m == month and what == "reflection" and q == question
            ]
            answers[len(answers) - len(planted) :] = planted
        rows.extend(zip(chosen, [question] * len(chosen), answers, strict=True))
    rows.sort(key=lambda r: (list(chosen).index(r[0]), r[1]))
    return [
        {schema.AUDIT_ID: a, schema.AUDIT_MONTH: month, schema.QUESTION: q, schema.TEXT: t}
        for a, q, t in rows
    ]


def generate_free_text(
    seed: int, audits: pd.DataFrame, copy: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Feedback and reflections for the first :data:`TEXT_COPIES_CAP` copies' completed audits.

    Identifiers are planted in copy 0 only (see :func:`list_planted_identifiers`).
    """
    rng = np.random.default_rng([seed, 1])
    done = audits[
        (audits[schema.STATUS] == schema.COMPLETED) & (audits[schema.AUDIT_TYPE] == schema.AUDIT)
    ]
    done_copy = copy[done.index.to_numpy()]
    feedback, reflections = [], []
    for c in range(min(TEXT_COPIES_CAP, int(copy.max()) + 1)):
        mine = done[done_copy == c]
        for plan in MONTH_PLANS:
            ids = mine.loc[mine[schema.AUDIT_MONTH] == plan.month, schema.AUDIT_ID].tolist()
            feedback.extend(_feedback_rows(rng, plan.month, ids, plant=c == 0))
            reflections.extend(_reflection_rows(rng, plan.month, ids, plant=c == 0))
    feedback_frame = pd.DataFrame(
        feedback,
        columns=[schema.AUDIT_ID, schema.AUDIT_MONTH, schema.SOURCE, schema.KIND, schema.TEXT],
    )
    feedback_frame = feedback_frame.sort_values([schema.AUDIT_MONTH], kind="stable").reset_index(
        drop=True
    )
    feedback_frame.insert(
        0, schema.FEEDBACK_ID, [f"F{i:05d}" for i in range(1, len(feedback_frame) + 1)]
    )
    reflection_frame = pd.DataFrame(
        reflections, columns=[schema.AUDIT_ID, schema.AUDIT_MONTH, schema.QUESTION, schema.TEXT]
    )
    reflection_frame = reflection_frame.sort_values(
        [schema.AUDIT_MONTH], kind="stable"
    ).reset_index(drop=True)
    return feedback_frame.astype(
        {c: "str" for c in feedback_frame.columns}
    ), reflection_frame.astype(
        {
            schema.AUDIT_ID: "str",
            schema.AUDIT_MONTH: "str",
            schema.QUESTION: "int64",
            schema.TEXT: "str",
        }
    )
