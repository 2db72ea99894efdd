"""An exact audit of disclosure control: can a suppressed count be worked out from everything
published? The check sdcTable and τ-ARGUS run on protected tables, over a whole report.

**Model.** Every published number about people is a *query*: how many rows of one
*universe* (the cleaned audits, the feedback rows, the rows an input file lost) satisfy a
predicate, such as "audits of September 2020, completed, final judgement Inadequate".
Rows that fall in exactly the same queries form an *atom*; the unknowns are the atoms'
sizes, whole numbers of at least 0. Everything published is a fact about them:

* a count shown is an equation (:class:`Equals`);
* a count shown as ``[c]`` is at least 1, because 0 is always shown (:class:`Suppressed`);
* a rounded percentage is two inequalities, e.g. "34%" (half up) of k out of n is
  ``33.5 n <= 100 k < 34.5 n`` (:class:`Within`, built by :func:`rounded_share`);
* a statistic (a p-value, a test statistic) is a condition on the counts it is computed
  from (:class:`Computed`): the audit lists every combination of those counts that the
  other facts allow and keeps the ones that reproduce the printed text.

For each suppressed cell the audit finds the smallest and largest value consistent with
all of that (a mixed-integer linear programme, solved by HiGHS through
:func:`scipy.optimize.milp`). **The rule**: a suppressed cell is *pinned*, a disclosure,
when that range holds a single whole number. A range of two or more whole numbers (say
"2 or 3") is allowed: the ``[c]`` symbol already says the count is 1 to 5 or was hidden
with one, and DfE's rule protects the exact count.

The attacker modelled knows which combinations of characteristics occur in the data (the
atoms) but not how often: more than a real reader knows, so the audit errs on the side of
calling a cell pinned.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final, Protocol

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

#: Largest number of combinations a :class:`Computed` fact may have to try.
MAX_COMBINATIONS: Final = 200_000
#: Seconds HiGHS may spend on one bound; past it the audit reports the bound as not proven.
MILP_TIME_LIMIT: Final = 20.0
#: Atoms unpacked at a time when the incidence matrix is built (bounds its memory).
_UNPACK_CHUNK: Final = 20_000
#: How close to a whole number an LP solution's every value must be to count as whole.
_WHOLE: Final = 1e-7
#: Rounds of :meth:`_Model._spread`, and the seed of its random directions.
_SPREAD_ROUNDS: Final = 6
_SPREAD_SEED: Final = 15
#: Cost of moving one row in :meth:`_LinearProgramme.move_many` (progress on a cell is 1).
_MOVE_COST: Final = 1e-4
#: Largest factor that makes a fact's coefficients whole (beyond it they stay fractions).
_MAX_SCALE: Final = 10**6
#: Denominators above this are not expected of a percentage of counts (float to fraction).
_MAX_DENOMINATOR: Final = 10**7


class Query(Protocol):
    """A count of the rows of ``universe`` that satisfy a predicate (hashable, comparable)."""

    universe: str

    def mask(self, frame: Any) -> np.ndarray:
        """True for each row of the universe (a :class:`auditlib.disclosure.queries.Table`)
        that the query counts."""
        ...

    def describe(self) -> str:
        """Plain words for messages ("audits of 2020-09, completed, Inadequate")."""
        ...


#: A linear combination of queries: query → coefficient.
Expr = Mapping[Query, int | Fraction]


class AuditDefinitionError(ValueError):
    """A fact does not hold for the real data: a query no longer means what the report shows."""


# ---------------------------------------------------------------- facts
@dataclass(frozen=True)
class Equals:
    """A published count (or a sum of counts): ``expr == value``."""

    source: str
    expr: Expr
    value: int


@dataclass(frozen=True)
class Suppressed:
    """A count published as ``[c]``: at least 1 (0 is always shown). The cells audited."""

    source: str
    query: Query


@dataclass(frozen=True)
class Within:
    """``low <= expr <= high`` (None: no bound; ``*_strict``: < instead of <=)."""

    source: str
    expr: Expr
    low: Fraction | None = None
    high: Fraction | None = None
    low_strict: bool = False
    high_strict: bool = False


@dataclass(frozen=True)
class Computed:
    """A number computed from some counts and printed (a p-value, a statistic).

    ``accepts(values)`` is True when counts ``values`` (in the order of ``inputs``) give the
    printed text; the audit tries every combination the linear facts allow.
    """

    source: str
    inputs: tuple[Query, ...]
    accepts: Callable[[tuple[int, ...]], bool] = field(compare=False)


Fact = Equals | Suppressed | Within | Computed


def count(source: str, query: Query, value: int | str) -> Fact:
    """A count as published: a number, or ``"[c]"``."""
    if isinstance(value, str):
        if value != "[c]":
            raise ValueError(f"{source}: expected a count or '[c]', got {value!r}")
        return Suppressed(source, query)
    return Equals(source, {query: 1}, int(value))


def rounded_share(
    source: str,
    numerator: Expr | Query,
    denominator: Expr | Query,
    shown: Fraction | float | int,
    decimals: int = 0,
    *,
    half_width: Fraction | None = None,
) -> list[Within]:
    """A percentage shown rounded half up to ``decimals`` places: the two inequalities.

    ``half_width`` widens the interval for other roundings: 1 for a label of a 100% bar
    rounded by largest remainder (the floor or the floor + 1, so within 1 point either way).
    """
    num, den = _as_expr(numerator), _as_expr(denominator)
    centre = Fraction(str(shown)) if isinstance(shown, float) else Fraction(shown)
    width = half_width if half_width is not None else Fraction(1, 2 * 10**decimals)
    low, high = centre - width, centre + width
    # 100 * num - low * den >= 0 and 100 * num - high * den < 0: the top is open (half up
    # sends x.5 up; a largest-remainder label never reaches its floor + 2).
    return [
        Within(source, _combine(num, 100, den, -low), low=Fraction(0)),
        Within(source, _combine(num, 100, den, -high), high=Fraction(0), high_strict=True),
    ]


def exact_share(
    source: str, numerator: Expr | Query, denominator: Expr | Query, value: float
) -> Equals:
    """An unrounded percentage (figures.json): 100 × numerator / denominator == value."""
    fraction = Fraction(value).limit_denominator(_MAX_DENOMINATOR)
    num, den = _as_expr(numerator), _as_expr(denominator)
    # 100 * b * num - a * den == 0 for value == a / b.
    expr = _combine(num, 100 * fraction.denominator, den, -fraction.numerator)
    return Equals(source, expr, 0)


def _as_expr(value: Expr | Query) -> dict[Query, Fraction]:
    if isinstance(value, Mapping):
        return {q: Fraction(c) for q, c in value.items()}
    return {value: Fraction(1)}


def _combine(a: Expr, ka: int | Fraction, b: Expr, kb: int | Fraction) -> dict[Query, Fraction]:
    out: dict[Query, Fraction] = {}
    for expr, k in ((a, ka), (b, kb)):
        for query, coefficient in expr.items():
            out[query] = out.get(query, Fraction(0)) + Fraction(k) * Fraction(coefficient)
    return {q: c for q, c in out.items() if c != 0}


# ---------------------------------------------------------------- results
@dataclass(frozen=True)
class Cell:
    """One suppressed count and what everything published leaves of it.

    ``low`` and ``high`` are values the count can take given everything published. With
    ``exact`` they are the smallest and largest such values; without, the audit stopped
    once it had found two (enough to show the cell is not pinned), so the range may be
    wider. ``high`` is None when nothing published bounds the count from above.
    """

    query: Query
    sources: tuple[str, ...]
    value: int
    low: int
    high: int | None
    exact: bool
    #: False when HiGHS hit its time limit before proving a bound: nothing is known.
    decided: bool = True

    @property
    def pinned(self) -> bool:
        """True when only one whole number fits everything published.

        A hidden 0 (a report hides a whole row, zeros and all) is never a disclosure: the
        rule protects counts of people, and there is no one in it.
        """
        return self.decided and self.exact and self.low == self.high and self.value > 0

    def describe(self) -> str:
        where = "; ".join(self.sources[:3]) + (" …" if len(self.sources) > 3 else "")
        if not self.decided:
            return f"{self.query.describe()} [{where}]: not decided (time limit)"
        high = "no upper bound" if self.high is None else str(self.high)
        if self.pinned:
            span = f"exactly {self.low}"
        else:
            span = f"{self.low} to {high}" + ("" if self.exact else " or wider")
        return f"{self.query.describe()} [{where}]: {span}"


@dataclass
class AuditResult:
    """The audit of one set of published facts."""

    cells: list[Cell]
    facts: int
    atoms: int
    #: Statistics whose combinations were too many to try: the audit could not check them.
    unresolved: list[str] = field(default_factory=list)

    @property
    def pinned(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.pinned]

    @property
    def undecided(self) -> list[Cell]:
        return [cell for cell in self.cells if not cell.decided]

    @property
    def passed(self) -> bool:
        return not self.pinned and not self.unresolved and not self.undecided

    def summary(self) -> str:
        """One line of figures and, when it fails, the pinned cells."""
        head = (
            f"{len(self.cells)} suppressed cells audited against {self.facts} published facts "
            f"({self.atoms} atoms): {len(self.pinned)} pinned"
        )
        if self.unresolved:
            head += f", {len(self.unresolved)} statistics not checked"
        if self.undecided:
            head += f", {len(self.undecided)} not decided"
        lines = [head, *(f"  pinned: {cell.describe()}" for cell in self.pinned)]
        lines += [f"  not decided: {cell.describe()}" for cell in self.undecided]
        lines += [f"  not checked: {source}" for source in self.unresolved]
        return "\n".join(lines)


# ---------------------------------------------------------------- the audit
def run_audit(
    facts: Iterable[Fact],
    frames: Mapping[str, Any],
    *,
    exact: bool = False,
    time_limit: float = MILP_TIME_LIMIT,
) -> AuditResult:
    """Audit ``facts`` about the rows of ``frames`` (universe name → its rows).

    ``exact=True`` finds every suppressed cell's smallest and largest value (two MILPs
    each); by default the audit stops at proof that a cell can take two values, reusing
    the solutions it has found for other cells, which is several times faster.

    Raises :class:`AuditDefinitionError` when a fact is false for the real rows: the query
    behind a published figure has drifted from the code that computes the figure.
    """
    model = _Model(list(facts), frames, time_limit)
    model.check_truth()
    return model.solve(exact)


class _Model:
    def __init__(self, facts: list[Fact], frames: Mapping[str, Any], time_limit: float):
        self.facts = facts
        self.time_limit = time_limit
        queries: dict[Query, None] = {}
        for fact in facts:
            for query in _fact_queries(fact):
                queries.setdefault(query, None)
        self.queries = list(queries)
        self.index = {q: i for i, q in enumerate(self.queries)}
        # Atoms: per universe, the distinct patterns of membership over its queries. A
        # universe may hold rows that are not real (``frame.real`` False): combinations a
        # reader cannot rule out, which become atoms whose real size is 0.
        by_universe: dict[str, list[int]] = {}
        for i, query in enumerate(self.queries):
            by_universe.setdefault(query.universe, []).append(i)
        rows, columns, sizes = [], [], []
        offset = 0
        for universe, members in by_universe.items():
            if universe not in frames:
                raise AuditDefinitionError(f"no rows given for universe {universe!r}")
            frame = frames[universe]
            packed = np.zeros((len(frame), (len(members) + 7) // 8), dtype=np.uint8)
            for j, i in enumerate(members):
                mask = np.asarray(self.queries[i].mask(frame), dtype=bool)
                if mask.shape != (len(frame),):
                    raise AuditDefinitionError(
                        f"{self.queries[i].describe()}: mask of shape {mask.shape} "
                        f"for {len(frame)} rows"
                    )
                packed[:, j >> 3] |= mask.astype(np.uint8) << np.uint8(7 - (j & 7))
            real = np.asarray(getattr(frame, "real", np.ones(len(frame), dtype=bool)))
            patterns, counts = _atoms(packed, real)
            for start in range(0, len(patterns), _UNPACK_CHUNK):
                block = np.unpackbits(patterns[start : start + _UNPACK_CHUNK], axis=1)
                atom, member = np.nonzero(block[:, : len(members)])
                rows.append(np.asarray(members)[member])
                columns.append(atom + start + offset)
            offset += len(patterns)
            sizes.append(counts)
        self.n_atoms = offset
        self.incidence = sparse.csr_array(
            (
                np.ones(sum(len(r) for r in rows)),
                (np.concatenate(rows) if rows else [], np.concatenate(columns) if columns else []),
            ),
            shape=(len(self.queries), self.n_atoms),
        )
        self.truth_atoms = np.concatenate(sizes).astype(float) if sizes else np.zeros(0)
        # Each query's real value.
        self.truth = np.rint(self.incidence @ self.truth_atoms).astype(np.int64)

    @property
    def n_base(self) -> int:
        """The programme's variables before any choice block: the atoms, then the queries."""
        return self.n_atoms + len(self.queries)

    def atoms_of(self, query: Query) -> np.ndarray:
        """A query as an objective over the variables (its own variable: 1, the rest 0)."""
        out = np.zeros(self.n_base)
        out[self.n_atoms + self.index[query]] = 1.0
        return out

    # ------------------------------------------------------------ truth
    def value(self, query: Query) -> int:
        return int(self.truth[self.index[query]])

    def expr_value(self, expr: Expr) -> Fraction:
        return sum((Fraction(c) * self.value(q) for q, c in expr.items()), Fraction(0))

    def check_truth(self) -> None:
        """Every fact must hold for the real rows, or the audit would prove nothing."""
        for fact in self.facts:
            if isinstance(fact, Equals):
                got = self.expr_value(fact.expr)
                if got != fact.value:
                    raise AuditDefinitionError(
                        f"{fact.source}: published {fact.value}, but the query "
                        f"{_expr_words(fact.expr)} gives {_number(got)}"
                    )
            elif isinstance(fact, Within):
                got = self.expr_value(fact.expr)
                if not _within(got, fact):
                    raise AuditDefinitionError(
                        f"{fact.source}: {_expr_words(fact.expr)} is {_number(got)}, outside "
                        f"the published bounds {fact.low} to {fact.high}"
                    )
            elif isinstance(fact, Computed):
                values = tuple(self.value(q) for q in fact.inputs)
                if not fact.accepts(values):
                    raise AuditDefinitionError(
                        f"{fact.source}: the real counts {values} do not give the printed value"
                    )

    # ------------------------------------------------------------ constraints
    def linear_rows(self) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
        """Every linear fact as rows over the variables (the atoms, then the queries), with
        the rows defining each query as the sum of its atoms first: (A, lower, upper)."""
        entries: list[tuple[int, int, float]] = []  # (fact row, query, coefficient)
        lows, highs = [], []
        for fact in self.facts:
            row = len(lows)
            if isinstance(fact, Equals):
                scale = self._add_row(entries, row, fact.expr)
                target = fact.value * (scale or 1)
                lows.append(target)
                highs.append(target)
            elif isinstance(fact, Within):
                scale = self._add_row(entries, row, fact.expr)
                low, high = -np.inf, np.inf
                if scale is None:
                    # Coefficients too fine to make whole (a mean of many shares): the bounds
                    # as they are, strict ones taken as closed (a boundary of no width).
                    low = float(fact.low) if fact.low is not None else -np.inf
                    high = float(fact.high) if fact.high is not None else np.inf
                else:
                    # The row is whole-numbered over whole atoms: "< b" is "<= ceil(b) - 1".
                    if fact.low is not None:
                        bound = fact.low * scale
                        low = math.floor(bound) + 1 if fact.low_strict else math.ceil(bound)
                    if fact.high is not None:
                        bound = fact.high * scale
                        high = math.ceil(bound) - 1 if fact.high_strict else math.floor(bound)
                lows.append(low)
                highs.append(high)
            elif isinstance(fact, Suppressed):
                entries.append((row, self.index[fact.query], 1.0))
                # 0 is always shown, so a [c] is at least 1 — unless the report hid a real 0,
                # in which case that belief is wrong and the count is only known to be >= 0.
                lows.append(min(1, self.value(fact.query)))
                highs.append(np.inf)
        if entries:
            r, q, c = zip(*entries, strict=True)
        else:
            r, q, c = (), (), ()
        by_query = sparse.csr_array(
            (np.array(c, dtype=float), (np.array(r, dtype=int), np.array(q, dtype=int))),
            shape=(len(lows), len(self.queries)),
        )
        # Each query is a variable of its own, defined as the sum of its atoms, and the facts
        # are rows over the queries: a fact over a cumulative count then has one entry, not
        # one per atom (a tenth of the entries, and of HiGHS's time, on a year of data).
        n_queries = len(self.queries)
        definitions = sparse.hstack(
            [-self.incidence, sparse.eye_array(n_queries, format="csr")], format="csr"
        )
        facts = sparse.hstack([sparse.csr_array((len(lows), self.n_atoms)), by_query], format="csr")
        a = sparse.csr_array(sparse.vstack([definitions, facts], format="csr"))
        low = np.concatenate([np.zeros(n_queries), np.array(lows, dtype=float)])
        high = np.concatenate([np.zeros(n_queries), np.array(highs, dtype=float)])
        return a, low, high

    def _add_row(self, entries: list[tuple[int, int, float]], row: int, expr: Expr) -> int | None:
        """Add an expression's terms with whole coefficients; the factor applied (None: the
        coefficients as they are, when whole ones would be too large)."""
        scale: int | None = (
            math.lcm(*(Fraction(c).denominator for c in expr.values())) if expr else 1
        )
        if scale is not None and scale > _MAX_SCALE:
            scale = None
        for query, coefficient in expr.items():
            entries.append((row, self.index[query], float(Fraction(coefficient) * (scale or 1))))
        return scale

    # ------------------------------------------------------------ solving
    def solve(self, exact: bool) -> AuditResult:
        a, low, high = _distinct_rows(*self.linear_rows())
        n_atoms = self.n_atoms
        truth = np.concatenate([self.truth_atoms, self.truth.astype(float)])
        lp = _LinearProgramme(a, low, high, truth, self.time_limit)
        unresolved: list[str] = []
        computed = [fact for fact in self.facts if isinstance(fact, Computed)]
        # Every statistic's inputs' ranges from the linear facts alone (each a superset).
        ranges = {
            query: lp.relaxed_range(self.atoms_of(query))
            for query in dict.fromkeys(q for fact in computed for q in fact.inputs)
        }
        for fact in computed:
            tuples = self._combinations(fact, ranges)
            if tuples is None:
                unresolved.append(fact.source)
            elif tuples:
                real = tuple(self.value(q) for q in fact.inputs)
                lp.add_choice([self.atoms_of(q) for q in fact.inputs], tuples, real)
        cells: dict[Query, list[str]] = {}
        for fact in self.facts:
            if isinstance(fact, Suppressed):
                cells.setdefault(fact.query, []).append(fact.source)
        solutions: list[np.ndarray] = []  # whole-number atom sizes that fit every fact
        if not exact and cells:
            self._spread(list(cells), lp, solutions)
        results = [
            self._cell(query, tuple(sources), lp, solutions, exact)
            for query, sources in cells.items()
        ]
        return AuditResult(results, len(self.facts), n_atoms, unresolved)

    def _spread(
        self, cells: list[Query], lp: _LinearProgramme, solutions: list[np.ndarray]
    ) -> None:
        """Solutions that move many hidden cells at once, kept while each round moves a cell
        no earlier solution has: most cells are then proven unpinned by a few linear
        programmes instead of one or two each. Every cell up, every cell down, then random
        directions (cells that only move together, one up and one down, need a round
        that asks for just that; the seed is fixed, so the audit is repeatable)."""
        open_cells = list(cells)
        random = np.random.default_rng(_SPREAD_SEED)
        for round_ in range(_SPREAD_ROUNDS):
            if not open_cells:
                return
            objectives = np.vstack([self.atoms_of(q) for q in open_cells])
            if round_ < 2:
                directions = np.full(len(open_cells), 1 if round_ == 0 else -1)
            else:
                directions = random.choice([-1, 1], size=len(open_cells))
            solution = lp.move_many(objectives, directions)
            if solution is None:
                continue
            solutions.append(solution[: self.n_base])
            moved = objectives @ solutions[-1] != np.array([self.value(q) for q in open_cells])
            open_cells = [q for q, m in zip(open_cells, moved, strict=True) if not m]

    def _cell(
        self,
        query: Query,
        sources: tuple[str, ...],
        lp: _LinearProgramme,
        solutions: list[np.ndarray],
        exact: bool,
    ) -> Cell:
        """The range of one suppressed count: exact, or until two values are found."""
        objective = self.atoms_of(query)
        value = self.value(query)
        seen = {value, *(round(float(objective @ x)) for x in solutions)}
        if exact:
            return self._exact_cell(query, sources, lp, objective, value)
        if len(seen) > 1:
            return Cell(query, sources, value, min(seen), max(seen), exact=False)
        closed = 0
        for direction in (1, -1):
            outcome = lp.move(objective, direction)
            if outcome.solution is not None:
                solutions.append(outcome.solution[: self.n_base])
                seen.add(round(float(objective @ solutions[-1])))
                return Cell(query, sources, value, min(seen), max(seen), exact=False)
            if outcome.status == "infeasible":
                closed += 1
        # Neither way has a whole-number solution: pinned (or undecided if HiGHS gave up).
        return Cell(query, sources, value, value, value, exact=True, decided=closed == 2)

    def _exact_cell(
        self,
        query: Query,
        sources: tuple[str, ...],
        lp: _LinearProgramme,
        objective: np.ndarray,
        value: int,
    ) -> Cell:
        """The smallest and largest whole values of one suppressed count."""
        bounds: dict[float, int | None] = {}
        decided = True
        for sense in (-1.0, 1.0):
            outcome = lp.optimise(sense * objective)
            if outcome.status == "unbounded":
                bounds[sense] = None
            elif outcome.status != "optimal":
                decided = False
                bounds[sense] = None
            else:
                bounds[sense] = round(sense * outcome.bound)
        high = bounds[-1.0]
        low = bounds[1.0] if bounds[1.0] is not None else 0
        return Cell(query, sources, value, low, high, exact=True, decided=decided)

    def _combinations(
        self, fact: Computed, bounds: Mapping[Query, tuple[int, int | None]]
    ) -> list[tuple[int, ...]] | None:
        """The combinations of the fact's inputs that the linear facts allow and that give the
        printed text; [] when every input is known already; None when there are too many."""
        ranges = []
        for query in fact.inputs:
            low, high = bounds[query]
            if high is None:
                return None
            ranges.append(range(low, high + 1))
        size = math.prod(len(r) for r in ranges)
        if size <= 1:
            return []
        if size > MAX_COMBINATIONS:
            return None
        return [values for values in itertools.product(*ranges) if fact.accepts(values)]


@dataclass
class _Outcome:
    status: str  # "optimal", "unbounded", "limit" (time), "infeasible"
    bound: float  # the proven bound on the objective (dual bound when not optimal)
    solution: np.ndarray | None  # a feasible whole-number point, if one was found


class _LinearProgramme:
    """The atoms' constraints, with optional choice (one-of) blocks for statistics."""

    def __init__(
        self,
        a: sparse.csr_array,
        low: np.ndarray,
        high: np.ndarray,
        truth: np.ndarray,
        time_limit: float,
    ):
        self.a, self.low, self.high = a, low, high
        self.n_base = len(truth)
        self.n_vars = self.n_base
        #: The real data as a solution: the base variables (the atoms' sizes, then the
        #: queries' values), then each choice's real tuple.
        self.truth = np.asarray(truth, dtype=float)
        self.time_limit = time_limit
        self.choices: list[tuple[list[np.ndarray], list[tuple[int, ...]]]] = []
        self._constraints: LinearConstraint | None = None

    def constraints(self) -> LinearConstraint | None:
        """The constraints as HiGHS takes them (sparse: most atoms are in few facts)."""
        if self._constraints is None and self.a.shape[0]:
            self._constraints = LinearConstraint(sparse.csr_array(self.a), self.low, self.high)
        return self._constraints

    def add_choice(
        self, inputs: list[np.ndarray], tuples: list[tuple[int, ...]], real: tuple[int, ...]
    ) -> None:
        """The inputs take one of ``tuples`` (``real`` among them): a binary per tuple,
        exactly one of them 1."""
        start = self.n_vars
        self.truth = np.concatenate([self.truth, [1.0 if t == real else 0.0 for t in tuples]])
        k = len(tuples)
        self.n_vars += k
        rows = [sparse.csr_array(np.concatenate([np.zeros(start), np.ones(k)])[None, :])]
        lows, highs = [1.0], [1.0]
        for i, atoms in enumerate(inputs):
            row = np.zeros(self.n_vars)
            row[: self.n_base] = atoms
            row[start:] = [-t[i] for t in tuples]
            rows.append(sparse.csr_array(row[None, :]))
            lows.append(0.0)
            highs.append(0.0)
        widened = sparse.hstack([self.a, sparse.csr_array((self.a.shape[0], k))], format="csr")
        self.a = sparse.vstack([widened, *rows], format="csr")
        self.low = np.concatenate([self.low, lows])
        self.high = np.concatenate([self.high, highs])
        self.choices.append((inputs, tuples))
        self._constraints = None

    def _bounds(self) -> Bounds:
        upper = np.full(self.n_vars, np.inf)
        upper[self.n_base :] = 1.0
        return Bounds(np.zeros(self.n_vars), upper)

    def relaxed_range(self, objective_base: np.ndarray) -> tuple[int, int | None]:
        """Whole-number bounds of an atom expression from the LP relaxation (a superset)."""
        objective = np.zeros(self.n_vars)
        objective[: self.n_base] = objective_base
        constraints = self.constraints()
        out: list[float | None] = []
        for sense in (1.0, -1.0):
            result = milp(
                sense * objective,
                integrality=np.zeros(self.n_vars),  # continuous: the relaxation
                bounds=self._bounds(),
                constraints=constraints,
            )
            if result.status == 3:
                out.append(None)
            elif result.status != 0:
                raise AuditDefinitionError(
                    f"the published facts are inconsistent: {result.message}"
                )
            else:
                out.append(sense * float(result.fun))
        low = 0 if out[0] is None else max(0, math.ceil(out[0] - 1e-6))
        high = None if out[1] is None else math.floor(out[1] + 1e-6)
        return low, high

    def move(self, objective_base: np.ndarray, direction: int) -> _Outcome:
        """A whole-number solution where the objective is at least 1 above (``direction``
        1) or below (-1) its real value, as close to the real data as can be: found, or
        ``infeasible`` (no solution that way at all), or ``limit`` (HiGHS gave up).

        Searched as the change from the real data (up ``p``, down ``n``, their total as
        small as possible): the nearest solution is usually a few whole rows moved, which
        the LP finds without branching.
        """
        n = self.n_vars
        cell = np.zeros(n)
        cell[: self.n_base] = objective_base
        a = sparse.csr_array(self.a)
        base = a @ self.truth
        rows = sparse.vstack(
            [sparse.hstack([a, -a]), sparse.csr_array(np.concatenate([cell, -cell])[None, :])],
            format="csr",
        )
        target = float(cell @ self.truth) + direction
        low = np.concatenate([self.low - base, [1.0 if direction > 0 else -np.inf]])
        high = np.concatenate([self.high - base, [np.inf if direction > 0 else -1.0]])
        up_bound = np.full(n, np.inf)
        up_bound[self.n_base :] = 1.0 - self.truth[self.n_base :]
        bounds = Bounds(np.zeros(2 * n), np.concatenate([up_bound, self.truth]))
        constraints = LinearConstraint(rows, low, high)
        cost = np.ones(2 * n)
        for integral in (False, True):
            result = milp(
                cost,
                integrality=np.full(2 * n, 1 if integral else 0),
                bounds=bounds,
                constraints=constraints,
                options={"time_limit": self.time_limit} if integral else {},
            )
            if result.status == 2:
                return _Outcome("infeasible", np.inf, None)
            if result.x is not None and (
                integral or np.all(np.abs(result.x - np.round(result.x)) < _WHOLE)
            ):
                x = self.truth + np.round(result.x[:n]) - np.round(result.x[n:])
                return _Outcome("optimal", target, x)
            if integral:
                return _Outcome("limit", target, None)
        return _Outcome("limit", target, None)  # pragma: no cover

    def move_many(self, objectives: np.ndarray, directions: np.ndarray) -> np.ndarray | None:
        """A whole-number solution that moves as many of the objectives (rows) as it can at
        least 1 in their ``directions`` (1 up, -1 down) from their real values, from the
        linear relaxation alone (None when its optimum is not whole: the cells are then
        tried one at a time). A few rows moved is the usual answer, and it is usually whole.
        """
        n, k = self.n_vars, len(objectives)
        a = sparse.csr_array(self.a)
        base = a @ self.truth
        padded = np.zeros((k, n))
        padded[:, : objectives.shape[1]] = objectives * np.asarray(directions)[:, None]
        change = sparse.csr_array(np.hstack([padded, -padded]))
        # Each cell's progress u (at most 1) is at most its change in its direction. u has
        # no lower bound: a move the other way costs as much as one the right way gains
        # (a bound of 0 would forbid it; hidden cells often move in pairs, a row from Good
        # to Outstanding, so the caller tries several sets of directions).
        rows = sparse.vstack(
            [
                sparse.hstack([a, -a, sparse.csr_array((a.shape[0], k))]),
                sparse.hstack([-change, sparse.eye_array(k, format="csr")]),
            ],
            format="csr",
        )
        low = np.concatenate([self.low - base, np.full(k, -np.inf)])
        high = np.concatenate([self.high - base, np.zeros(k)])
        up_bound = np.full(n, np.inf)
        up_bound[self.n_base :] = 1.0 - self.truth[self.n_base :]
        bounds = Bounds(
            np.concatenate([np.zeros(2 * n), np.full(k, -np.inf)]),
            np.concatenate([up_bound, self.truth, np.ones(k)]),
        )
        # Progress first; each row moved costs a little, so the solution stays near the data.
        cost = np.concatenate([np.full(2 * n, _MOVE_COST), -np.ones(k)])
        result = milp(
            cost,
            integrality=np.zeros(len(cost)),
            bounds=bounds,
            constraints=LinearConstraint(rows, low, high),
        )
        if result.x is None:
            return None
        step = result.x[:n] - result.x[n : 2 * n]
        if not np.all(np.abs(step - np.round(step)) < _WHOLE):
            return None
        return self.truth + np.round(step)

    def optimise(self, objective_base: np.ndarray) -> _Outcome:
        """Minimise over whole numbers. The LP relaxation first: the facts are mostly sums
        of atoms, so its optimum is usually whole already, and then it is the answer (a
        hundredth of the time of the mixed-integer search)."""
        objective = np.zeros(self.n_vars)
        objective[: self.n_base] = objective_base
        constraints = self.constraints()
        relaxed = milp(
            objective,
            integrality=np.zeros(self.n_vars),
            bounds=self._bounds(),
            constraints=constraints,
        )
        if relaxed.status == 3:
            return _Outcome("unbounded", -np.inf, None)
        if relaxed.status == 2:
            raise AuditDefinitionError(f"the published facts are inconsistent: {relaxed.message}")
        if relaxed.status == 0 and np.all(np.abs(relaxed.x - np.round(relaxed.x)) < _WHOLE):
            return _Outcome("optimal", float(relaxed.fun), np.round(relaxed.x))
        result = milp(
            objective,
            integrality=np.ones(self.n_vars),
            bounds=self._bounds(),
            constraints=constraints,
            options={"time_limit": self.time_limit},
        )
        if result.status == 0:
            return _Outcome("optimal", float(result.fun), np.round(result.x))
        if result.status == 3:
            return _Outcome("unbounded", -np.inf, None)
        if result.status == 2:
            raise AuditDefinitionError(f"the published facts are inconsistent: {result.message}")
        # Time limit: HiGHS's dual bound still bounds the optimum.
        bound = getattr(result, "mip_dual_bound", None)
        solution = np.round(result.x) if result.x is not None else None
        return _Outcome("limit", float(bound) if bound is not None else -np.inf, solution)


# ---------------------------------------------------------------- helpers
def _distinct_rows(
    a: sparse.csr_array, low: np.ndarray, high: np.ndarray
) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """Drop constraints that repeat another (the same figure published twice)."""
    a = sparse.csr_array(a)
    a.sum_duplicates()
    a.sort_indices()
    seen: dict[bytes, int] = {}
    keep = []
    for i in range(a.shape[0]):
        begin, end = a.indptr[i], a.indptr[i + 1]
        key = b"".join(
            (
                a.indices[begin:end].tobytes(),
                a.data[begin:end].tobytes(),
                np.array([low[i], high[i]]).tobytes(),
            )
        )
        if key not in seen:
            seen[key] = i
            keep.append(i)
    return a[keep], low[keep], high[keep]


def _atoms(packed: np.ndarray, real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a bit-packed membership matrix, and how many real rows have each
    (sorting bytes is much faster than sorting rows of booleans)."""
    if not len(packed):
        return np.zeros((0, packed.shape[1]), dtype=np.uint8), np.zeros(0)
    packed = np.ascontiguousarray(packed)
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=real.astype(float), minlength=len(first))
    return packed[first], counts


def _fact_queries(fact: Fact) -> Iterable[Query]:
    if isinstance(fact, Equals | Within):
        return fact.expr.keys()
    if isinstance(fact, Suppressed):
        return (fact.query,)
    return fact.inputs


def _within(value: Fraction, fact: Within) -> bool:
    if fact.low is not None and (value <= fact.low if fact.low_strict else value < fact.low):
        return False
    return not (
        fact.high is not None and (value >= fact.high if fact.high_strict else value > fact.high)
    )


def _number(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.6g}"


def _expr_words(expr: Expr) -> str:
    parts = []
    for query, coefficient in expr.items():
        c = Fraction(coefficient)
        parts.append(query.describe() if c == 1 else f"{_number(c)} × ({query.describe()})")
    return " + ".join(parts) if parts else "0"


def describe_cells(cells: Sequence[Cell]) -> str:
    """The cells one per line (for messages and the script)."""
    return "\n".join(cell.describe() for cell in cells)


__all__ = [
    "MAX_COMBINATIONS",
    "MILP_TIME_LIMIT",
    "AuditDefinitionError",
    "AuditResult",
    "Cell",
    "Computed",
    "Equals",
    "Expr",
    "Fact",
    "Query",
    "Suppressed",
    "Within",
    "count",
    "describe_cells",
    "exact_share",
    "rounded_share",
    "run_audit",
]
