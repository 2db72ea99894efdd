"""Identifiers planted in the demo's free text, so that redaction can be shown working."""

from __future__ import annotations

# ============================================================ planted identifiers
#: Personal names planted in free text (written to names.txt, the denylist).
PLANTED_NAMES = (
    "Okafor",
    "Tomasz",
    "Kowalski",
    "Demi",
    "Jayden",
    "Brennan",
    "Priya",
    "Haddad",
    "Amelia",
    "Callum",
)


def nhs_check_digit(first_nine: str) -> int | None:
    """The NHS number check digit (modulus 11) for nine digits; None if there is none.

    >>> nhs_check_digit("943476591")
    9
    """
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else None if check == 10 else check


def _test_nhs_number() -> str:
    """A valid-format NHS number from the 999 range reserved for testing."""
    for tail in range(100000, 1000000):
        digits = f"999{tail:06d}"
        check = nhs_check_digit(digits)
        if check is not None:
            number = digits + str(check)
            return f"{number[:3]} {number[3:6]} {number[6:]}"
    raise AssertionError("unreachable")


_NHS = _test_nhs_number()
#: (month, kind, source or question, text): identifiers planted in copy 0's free text
#: so that redaction can be shown working. Phone numbers are from Ofcom's ranges
#: for drama (01632 960xxx, 07700 900xxx); postcodes are valid in form but unused;
#: e-mail domains are reserved for examples (RFC 2606).
_PLANTS: tuple[tuple[str, str, str | int, str], ...] = (
    (
        "2019-03",
        "feedback:strength",
        "parent",
        "Mrs Okafor said the social worker always calls her back on 01632 960 123 and keeps her up to date with the plan.",
    ),
    (
        "2019-06",
        "feedback:improvement",
        "foster carer",
        "Foster carer Tomasz Kowalski said he would have benefited from more information about Demi at the start of "
        "placement, and asked for it to be sent to t.kowalski@example.org next time.",
    ),
    (
        "2019-10",
        "feedback:strength",
        "child/young person",
        "Jayden (DOB 03/04/2012) said his social worker listens to him and helped him stay at the same school.",
    ),
    (
        "2020-01",
        "feedback:improvement",
        "partner agency: health",
        "The health visitor said the family moved to KT99 9ZZ and the new address was not shared with health for three weeks.",
    ),
    (
        "2020-02",
        "feedback:improvement",
        "partner agency: education",
        "School asked for updates to come to the safeguarding inbox, dsl.office@example.com, or to 01632 960 987, "
        "as messages left for the social worker went unanswered.",
    ),
    (
        "2020-07",
        "feedback:improvement",
        "parent",
        "Mr Brennan said he had to keep chasing for updates and left messages on 07700 900 461 that were not returned.",
    ),
    (
        "2020-08",
        "feedback:strength",
        "partner agency: health",
        f"The school nurse said the social worker shared Priya's health plan promptly (NHS number {_NHS}) "
        "and invited her to every core group.",
    ),
    (
        "2019-04",
        "reflection",
        2,
        "Mother moved between refuges (last known postcode ZZ99 3CZ), which made regular visits hard to plan.",
    ),
    (
        "2019-11",
        "reflection",
        1,
        "Worked closely with Ms Haddad, the designated safeguarding lead, to keep Amelia's voice at the centre of the plan.",
    ),
    (
        "2020-06",
        "reflection",
        2,
        "The transfer was not clear: the family's new address (GU99 1ZZ) was not on LCS for weeks.",
    ),
    (
        "2020-09",
        "reflection",
        4,
        "I would give Callum (date of birth 21/11/2009) my direct line, 07700 900 782, from the start so that he "
        "does not have to go through the duty desk.",
    ),
)


def list_planted_identifiers() -> dict[str, tuple[str, ...]]:
    """Every identifier planted in the demo's free text, by kind.

    Redaction must remove every one of these; tests scan outputs for them.
    Each appears, exactly as written here, in feedback.csv or reflections.csv.
    """
    return {
        "name": PLANTED_NAMES,
        "email": ("t.kowalski@example.org", "dsl.office@example.com"),
        "phone": ("01632 960 123", "01632 960 987", "07700 900 461", "07700 900 782"),
        "postcode": ("KT99 9ZZ", "ZZ99 3CZ", "GU99 1ZZ"),
        "date_of_birth": ("03/04/2012", "21/11/2009"),
        "nhs_number": (_NHS,),
    }
