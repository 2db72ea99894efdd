"""Practice-theme cohorts: which audits belong to each, as programme.yml defines them.

A cohort has a key (what ``themes:`` names), a name (how the report names it), a
short label (for charts and narrow tables) and the conditions that mark its audits;
an audit is in the cohort when every condition holds, and can be in several cohorts.
A condition names a column (canonical, e.g. ``cp_plan``, or the council's own header)
and a test:

- ``yes`` / ``no`` — a yes/no column (``column: X`` is short for ``where: {X: yes}``);
- ``"< 5"``, ``">= 1"`` — a whole number compared (``<``, ``<=``, ``>``, ``>=``, ``=``, ``!=``);
- a value, or a list of values — the column holds one of them (case and spaces ignored).

A blank cell never meets a condition. Without a ``cohorts:`` key a programme has the
seed report's six (:data:`auditlib.data.schema.DEFAULT_COHORTS`).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data import parsing, schema
from auditlib.errors import ConfigError

#: A cohort key: what ``themes:`` names and the flag column's suffix (``cohort_<key>``).
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
_COMPARISON = re.compile(r"\s*(<=|>=|!=|==|=|<|>)\s*(\d+)\s*")
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}
#: The parsers of canonical columns whose values are a vocabulary (condition values are
#: read through them, so ``Sexual abuse`` names the canonical ``sexual``).
_VOCABULARY_KINDS = ("status", "audit_type", "judgement", "cp_category", "cse_risk")
#: How a council's own cohort column is parsed, by the kind of test made on it.
_KIND_FOR_TEST = {"flag": "bool", "compare": "int", "one_of": "name"}


@dataclass(frozen=True)
class Condition:
    """One test on one column; an audit meets it only when its cell is not blank."""

    #: the column's canonical name (a council's own header, normalised)
    column: str
    #: "flag" (yes/no), "compare" (a number compared) or "one_of" (one of some values)
    test: str
    flag: bool | None = None
    comparison: str | None = None
    number: int | None = None
    #: for "one_of": canonical values (vocabulary columns) or normalised text (others)
    values: tuple[Any, ...] = ()
    #: "one_of" on text: compare case- and space-insensitively
    normalised: bool = False
    #: the column as programme.yml writes it (a council's own header)
    header: str | None = None

    def describe(self) -> str:
        """The condition in words, as the data-quality section and messages show it.

        >>> Condition("age_at_audit", "compare", comparison="<", number=5).describe()
        'age_at_audit < 5'
        """
        if self.test == "flag":
            return f"{self.column} is {'yes' if self.flag else 'no'}"
        if self.test == "compare":
            return f"{self.column} {self.comparison} {self.number}"
        shown = ", ".join(str(v) for v in self.values)
        return (
            f"{self.column} is {shown}"
            if len(self.values) == 1
            else f"{self.column} is one of {shown}"
        )

    def holds(self, column: pd.Series) -> np.ndarray:
        """True where the (cleaned) column meets the condition; blank cells never do."""
        if self.test == "flag":
            return column.astype("boolean").eq(bool(self.flag)).fillna(False).to_numpy(dtype=bool)
        if self.test == "compare":
            numbers = pd.to_numeric(column, errors="coerce")
            met = _OPERATORS[str(self.comparison)](numbers, self.number)
            return (met & numbers.notna()).to_numpy(dtype=bool)
        if not self.normalised:
            # Vocabulary columns are categoricals after cleaning: isin works on their codes.
            return column.isin(list(self.values)).to_numpy(dtype=bool, na_value=False)
        codes, distinct = pd.factorize(column.astype("string"))
        keys = pd.Series(distinct, dtype="string").str.strip().str.lower()
        keys = keys.str.replace(r"\s+", " ", regex=True)
        inside = np.append(keys.isin(list(self.values)).to_numpy(dtype=bool, na_value=False), False)
        return inside[codes]


@dataclass(frozen=True)
class Cohort:
    """A practice-theme cohort: key, display name, short label, and what marks its audits."""

    key: str
    name: str
    label: str
    conditions: tuple[Condition, ...]

    @property
    def flag_column(self) -> str:
        """The boolean column cleaning adds for this cohort (``cohort_<key>``)."""
        return schema.COHORT_PREFIX + self.key

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns its conditions read, in order, each once."""
        return tuple(dict.fromkeys(c.column for c in self.conditions))

    def describe(self) -> str:
        """What marks the cohort, in words ("cp_plan is yes and age_at_audit < 5")."""
        return " and ".join(c.describe() for c in self.conditions)

    def members(self, audits: pd.DataFrame) -> np.ndarray:
        """True for each audit in the cohort (a missing column: nobody is known to be in it)."""
        inside = np.ones(len(audits), dtype=bool)
        for condition in self.conditions:
            if condition.column not in audits:
                return np.zeros(len(audits), dtype=bool)
            inside &= condition.holds(audits[condition.column])
        return inside


def cohorts_from_config(
    raw: Mapping[str, Any],
    where: str,
    columns: Mapping[str, str] | None = None,
) -> dict[str, Cohort]:
    """Every cohort of programme.yml's ``cohorts:`` mapping (key → settings), checked.

    ``columns`` is programme.yml's ``columns:`` (canonical → the council's header): a
    condition may name a column by either. Raises :class:`ConfigError` naming the
    cohort and the setting that is wrong.
    """
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: 'cohorts' must be a mapping of cohort key: settings")
    local = {parsing.normalise_header(header): canon for canon, header in (columns or {}).items()}
    found = {}
    for key, settings in raw.items():
        cohort = cohort_from_config(str(key), settings, where, local)
        found[cohort.key] = cohort
    kinds: dict[str, str] = {}
    for cohort in found.values():
        for condition in cohort.conditions:
            kind = _KIND_FOR_TEST[condition.test]
            if condition.column in schema.AUDIT_COLUMN_KINDS:
                continue
            if kinds.setdefault(condition.column, kind) != kind:
                raise ConfigError(
                    f"{where}: cohorts: column {condition.column!r} is tested both as "
                    f"{_test_words(kinds[condition.column])} and as {_test_words(kind)}; "
                    "a column holds one kind of value"
                )
    return found


def cohort_from_config(
    key: str, settings: Any, where: str, local: Mapping[str, str] | None = None
) -> Cohort:
    """One cohort from its programme.yml settings: ``name``, ``label``, ``column`` or ``where``."""
    at = f"{where}: cohorts: {key}"
    if not KEY_PATTERN.fullmatch(key):
        raise ConfigError(
            f"{at}: a cohort key is lower-case letters, digits and _ (e.g. domestic_abuse)"
        )
    if not isinstance(settings, Mapping):
        raise ConfigError(f"{at}: needs name: and column: (or where:) settings")
    unknown = sorted(set(map(str, settings)) - {"name", "label", "column", "where"})
    if unknown:
        raise ConfigError(
            f"{at}: unknown setting {unknown[0]!r} (expected name, label, column or where)"
        )
    name = str(settings.get("name") or "").strip()
    if not name:
        raise ConfigError(f"{at}: needs a name (how the report names the cohort)")
    label = str(settings.get("label") or name).strip()
    tests: list[tuple[str, Any]] = []
    if settings.get("column") not in (None, ""):
        tests.append((str(settings["column"]), True))
    conditions_raw = settings.get("where") or {}
    if not isinstance(conditions_raw, Mapping):
        raise ConfigError(f"{at}: 'where' must map columns to tests (column: test)")
    tests.extend((str(column), test) for column, test in conditions_raw.items())
    if not tests:
        raise ConfigError(f"{at}: needs column: (a yes/no column) or where: (column: test)")
    conditions = tuple(_condition(column, test, at, local or {}) for column, test in tests)
    return Cohort(key, name, label, conditions)


def _condition(written: str, test: Any, at: str, local: Mapping[str, str]) -> Condition:
    normal = parsing.normalise_header(written)
    column = local.get(normal) or normal
    kind = schema.AUDIT_COLUMN_KINDS.get(column)
    header = written if column not in schema.AUDIT_COLUMN_KINDS else None
    if isinstance(test, bool):
        if kind not in (None, "bool"):
            raise ConfigError(f"{at}: {written!r} is not a yes/no column (it holds {kind} values)")
        return Condition(column, "flag", flag=test, header=header)
    if isinstance(test, str) and (match := _COMPARISON.fullmatch(test)):
        if kind not in (None, "int"):
            raise ConfigError(
                f"{at}: {written!r} {test.strip()}: the column is not a number (it holds {kind} values)"
            )
        return Condition(
            column, "compare", comparison=match[1], number=int(match[2]), header=header
        )
    if isinstance(test, Mapping) or test is None:
        raise ConfigError(
            f'{at}: {written!r}: the test must be yes/no, a comparison such as "< 5", '
            "or a value or list of values"
        )
    values = list(test) if isinstance(test, list | tuple) else [test]
    if kind in _VOCABULARY_KINDS:
        parser = parsing.PARSERS[kind]
        try:
            canonical = tuple(dict.fromkeys(parser(v) for v in values))
        except ValueError:
            bad = next(v for v in values if _refused(parser, v))
            raise ConfigError(
                f"{at}: {written!r}: {bad!r} is not a known {_kind_words(kind)}"
            ) from None
        return Condition(column, "one_of", values=canonical, header=header)
    return Condition(
        column,
        "one_of",
        values=tuple(dict.fromkeys(parsing.normalise_key(v) for v in values)),
        normalised=True,
        header=header,
    )


def _refused(parser: Callable[[Any], Any], value: Any) -> bool:
    try:
        parser(value)
    except ValueError:
        return True
    return False


def _kind_words(kind: str) -> str:
    return {"cse_risk": "CSE risk level", "cp_category": "CP category"}.get(
        kind, kind.replace("_", " ")
    )


def _test_words(kind: str) -> str:
    return {"bool": "yes/no", "int": "a number", "name": "a value"}[kind]


def extra_column_kinds(cohorts: Iterable[Cohort]) -> dict[str, str]:
    """The council's own columns the cohorts read (not canonical ones), with how to parse each.

    >>> cohort = cohort_from_config("da", {"name": "Domestic abuse", "column": "DA flag"}, "p.yml")
    >>> extra_column_kinds([cohort])
    {'da_flag': 'bool'}
    """
    kinds = {}
    for cohort in cohorts:
        for condition in cohort.conditions:
            if condition.column not in schema.AUDIT_COLUMN_KINDS:
                kinds[condition.column] = _KIND_FOR_TEST[condition.test]
    return kinds


def add_cohort_flags(audits: pd.DataFrame, cohorts: Iterable[Cohort]) -> pd.DataFrame:
    """A new frame with a boolean ``cohort_<key>`` column for each cohort."""
    out = audits.copy(deep=False)
    for cohort in cohorts:
        out[cohort.flag_column] = cohort.members(out)
    return out


def _defaults() -> dict[str, Cohort]:
    return {
        entry["key"]: cohort_from_config(
            entry["key"],
            {k: v for k, v in entry.items() if k != "key"},
            "auditlib.data.schema.DEFAULT_COHORTS",
        )
        for entry in schema.DEFAULT_COHORTS
    }


#: The seed report's six cohorts: a programme's cohorts when programme.yml defines none.
DEFAULT_COHORTS: Mapping[str, Cohort] = _defaults()
