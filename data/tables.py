"""Typed, validated input tables: the contract between data/ and models/ / optimizer/.

Everything here is plain Python (no pandas objects in the hot path, no Pyomo) so that a
validated `Inputs` can be hashed, copied, pickled to worker processes and compared.
Ids are stored in their canonical spelling (as written in the defining sheet); every
reference elsewhere has already been resolved to that spelling by the validator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

ALLIANCE = "ALLIANCE"
OBJECTIVE_SENSES: dict[str, Literal["max", "min"]] = {
    "capability": "max",
    "cost": "min",
    "shortfall": "min",
    "interoperability": "max",
    "risk": "min",
}
AREA_OBJECTIVE_PREFIX = "capability:"


class FrozenMap(dict):  # type: ignore[type-arg]
    """A dict that cannot be changed after it is made: the mapping fields of the frozen
    input tables. They were plain dicts, shared by every what-if that left them alone, so
    `scenario.inputs.budgets[key] = 0` changed the base scenario, each of its variants and
    every earlier Result at once, and a what-if then recorded "changes: none". Still a
    dict for reading, equality, pandas and JSON; hashable (so is a Scenario); pickled as
    a plain dict to worker processes and rebuilt there."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError(
            "validated inputs cannot be changed in place — make a what-if instead "
            "(Scenario.with_budget, with_settings, with_programme, … or dataclasses.replace "
            "with a new dict, then Scenario.with_inputs)"
        )

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[object, tuple[dict]]:  # type: ignore[override]
        return (FrozenMap, (dict(self),))

    def __copy__(self) -> FrozenMap:
        return self

    def __deepcopy__(self, memo: dict) -> FrozenMap:
        return self


def _freeze(instance: object, *names: str) -> None:
    """Make the named mapping fields of a frozen dataclass read-only (FrozenMap)."""
    for name in names:
        value = getattr(instance, name)
        if not isinstance(value, FrozenMap):
            object.__setattr__(instance, name, FrozenMap(value))


@dataclass(frozen=True)
class Settings:
    """The Settings sheet with every default applied (WORKBOOK.md)."""

    first_year: int
    last_year: int
    currency: str = "EUR million"
    carry_over_fraction: float = 0.0
    borrow_fraction: float = 0.0
    planning_cycle_years: int = 1
    discount_rate: float = 0.0
    service_years_after_horizon: int = 0
    objective: Literal["lexicographic", "weighted", "pareto"] = "lexicographic"
    priority: tuple[str, ...] = ("shortfall", "capability", "cost")
    lexicographic_tolerance: float = 0.001
    # objective name (incl. "capability:<area>") -> weight; absent means weight 0
    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "capability": 1.0,
            "cost": 0.0,
            "shortfall": 10.0,
            "interoperability": 0.0,
            "risk": 0.0,
        }
    )
    pareto_objectives: tuple[str, ...] = ("capability", "cost")
    pareto_points: int = 10
    pareto_exact: bool = False
    time_limit_seconds: float = 300.0
    mip_gap: float = 0.01
    # Γ of the robust budget (docs/robust.md, family 13): programmes per nation and year
    # whose overrun every budget must absorb; 0 = nominal budgets only
    robust_overruns: int = 0

    def __post_init__(self) -> None:
        _freeze(self, "weights")

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.last_year + 1))


@dataclass(frozen=True)
class Nation:
    """One row of the Nations sheet, its fractions resolved: a MODEL.md nation n."""

    code: str
    name: str
    role: Literal["ally", "partner"]
    max_concurrent_programmes: int | None
    carry_over_fraction: float  # already resolved against Settings
    borrow_fraction: float  # already resolved against Settings
    robust_overruns: int | None = None  # None = the Settings value (see Inputs.robust_overruns)
    # the fractions the Nations sheet gave this nation itself (a blank cell takes Settings');
    # None when not known (inputs built in code): a Settings what-if then moves a fraction
    # equal to the old Settings value. An own 0 beside a Settings 0 was moved (audit).
    own_fractions: tuple[str, ...] | None = field(default=None, compare=False)  # metadata: not the model

    def follows_settings(self, key: str, setting: float) -> bool:
        """Whether this nation's fraction `key` is Settings' `setting` (its cell blank): not
        one the Nations sheet gave it, and equal to `setting` (a value set since, e.g. by a
        flexibility lever, is the nation's own whatever the sheet said)."""
        own = self.own_fractions
        return (own is None or key not in own) and getattr(self, key) == setting


@dataclass(frozen=True)
class Programme:
    """One row of the Programmes sheet with its cost profile: a MODEL.md programme p."""

    id: str
    name: str
    technology: str
    sharing: Literal["national", "joint"]
    duration_years: int
    total_cost: float
    per_participant_cost: float  # 0 for national programmes
    earliest_start: int | None
    deadline: int | None
    flexible_start: bool
    exclusive_group: str | None
    trl: int | None
    cost_overrun_risk: float
    min_participants: int  # joint only (national: 1)
    max_participants: int | None  # joint only; None = all eligible nations
    min_share: float  # joint only (national: 0)
    open_to_partners: bool  # joint only
    profile: tuple[float, ...]  # len == duration_years, sums to 1

    @property
    def is_joint(self) -> bool:
        return self.sharing == "joint"

    def cost_in_offset(self, offset: int) -> float:
        """cost_p[k] = total_cost * profile[k]; 0 outside 0..d-1."""
        if 0 <= offset < self.duration_years:
            return self.total_cost * self.profile[offset]
        return 0.0

    def per_participant_cost_in_offset(self, offset: int) -> float:
        """The member's integration cost, spread like the programme's profile."""
        if 0 <= offset < self.duration_years:
            return self.per_participant_cost * self.profile[offset]
        return 0.0


@dataclass(frozen=True)
class CapabilityArea:
    """One row of the CapabilityAreas sheet: an area c and its weight ω_c."""

    id: str
    name: str
    weight: float


@dataclass(frozen=True)
class Standard:
    """One row of the Standards sheet: a standard s, what adopting it costs and its critical mass."""

    id: str
    name: str
    adoption_cost: float
    min_adopters: int
    weight: float


@dataclass(frozen=True)
class Precedence:
    """One row of the Precedence sheet: `after` may start only once `before` has completed."""

    before: str
    after: str
    scope: Literal["same_nation", "any_nation"]


@dataclass(frozen=True)
class Target:
    """One row of the Targets sheet: capability T wanted in (nation or ALLIANCE, area, year)."""

    nation: str  # a nation code or ALLIANCE
    area: str
    year: int
    target: float
    row: int  # Targets sheet row, for messages


ADDED_IN_PYTHON = 0  # the `row` of a commitment made by `Scenario.with_commitment`, not read from a sheet


@dataclass(frozen=True)
class Commitment:
    """One row of the Commitments sheet: a nation made to fund a programme, or barred from it."""

    nation: str
    programme: str
    action: Literal["fund", "exclude"]
    start_year: int | None
    row: int  # Commitments sheet row, for messages; ADDED_IN_PYTHON for one added by a script

    @property
    def where(self) -> str:
        """Where a planner finds it: its Commitments row, as the cell of its nation
        (`Commitments!A4`, the form of every other message), or the script that added it
        (a row number past the sheet's end pointed planners at rows that do not exist)."""
        return f"Commitments!A{self.row}" if self.row != ADDED_IN_PYTHON else "a commitment added in Python"

    @property
    def place(self) -> tuple[str, str]:
        """(sheet, cell) for a Problem about it: its Commitments row, or the what-if that made it."""
        return ("Commitments", str(self.row)) if self.row != ADDED_IN_PYTHON else ("what-if", "")


@dataclass(frozen=True)
class Source:
    """Where the inputs came from, for traceability in every output."""

    path: str
    sha256: str
    # what was changed after the workbook was read (a script's what-ifs, a command-line
    # option such as --robust), in order: a plan of budgets ×0.6 said only "small.xlsx"
    # and that file's hash, and could not be told from the unchanged workbook's plan
    changes: tuple[str, ...] = ()


# how a Summary's `input_changes` row begins (optimizer.result writes it, data.plan_reader reads it)
INPUT_CHANGES_PREFIX = "made from input_file changed after reading: "


@dataclass(frozen=True)
class Inputs:
    """A complete, validated input workbook."""

    settings: Settings
    nations: tuple[Nation, ...]
    budgets: Mapping[tuple[str, int], float]  # (nation, year) -> budget; every horizon year present
    programmes: tuple[Programme, ...]
    areas: tuple[CapabilityArea, ...]
    values: Mapping[tuple[str, str], float]  # (programme, area) -> points; only non-zero entries
    standards: tuple[Standard, ...] = ()
    requirements: tuple[tuple[str, str], ...] = ()  # (programme, standard)
    precedences: tuple[Precedence, ...] = ()
    targets: tuple[Target, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    source: Source | None = None

    def __post_init__(self) -> None:
        _freeze(self, "budgets", "values")

    # --- lookups -------------------------------------------------------------------
    @property
    def years(self) -> tuple[int, ...]:
        return self.settings.years

    @cached_property
    def nation_by_code(self) -> dict[str, Nation]:
        return FrozenMap({n.code: n for n in self.nations})  # a lookup changed in place was solved, unrecorded

    @cached_property
    def programme_by_id(self) -> dict[str, Programme]:
        return FrozenMap({p.id: p for p in self.programmes})  # a lookup changed in place was solved, unrecorded

    @cached_property
    def standard_by_id(self) -> dict[str, Standard]:
        return FrozenMap({s.id: s for s in self.standards})  # a lookup changed in place was solved, unrecorded

    @property
    def allies(self) -> tuple[str, ...]:
        return tuple(n.code for n in self.nations if n.role == "ally")

    def budget(self, nation: str, year: int) -> float:
        return float(self.budgets.get((nation, year), 0.0))

    def robust_overruns(self, nation: str) -> int:
        """Γ_n: the nation's own value, else Settings `robust_overruns` (0 = not robust).

        Resolved on use, not when read, so `with_settings(robust_overruns=…)` reaches every
        nation without an own value.
        """
        own = self.nation_by_code[nation].robust_overruns
        return self.settings.robust_overruns if own is None else own

    def eligible_nations(self, programme: Programme) -> tuple[str, ...]:
        """Who may fund p: allies always; partners only joint programmes open to them."""
        return tuple(
            n.code for n in self.nations if n.role == "ally" or (programme.is_joint and programme.open_to_partners)
        )

    def allowed_starts(self, programme: Programme) -> tuple[int, ...]:
        """Start years allowed by MODEL.md 'Programme timing' (window, deadline, cycle)."""
        s = self.settings
        d = programme.duration_years
        lo = max(programme.earliest_start or s.first_year, s.first_year)
        hi = s.last_year - d + 1
        if programme.deadline is not None:
            hi = min(hi, programme.deadline - d)
        cycle = s.planning_cycle_years
        return tuple(
            t for t in range(lo, hi + 1) if cycle <= 1 or programme.flexible_start or (t - s.first_year) % cycle == 0
        )

    def objective_names(self) -> tuple[str, ...]:
        """The five named objectives, then one per capability area."""
        return tuple(OBJECTIVE_SENSES) + tuple(AREA_OBJECTIVE_PREFIX + a.id for a in self.areas)

    def with_changes(self, **changes: object) -> Inputs:
        """A copy with some fields replaced (what-ifs never mutate)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def objective_sense(name: str) -> Literal["max", "min"]:
    """'max' or 'min' for a named objective or a capability:<area> objective."""
    if name.startswith(AREA_OBJECTIVE_PREFIX):
        return "max"
    return OBJECTIVE_SENSES[name]


@dataclass(frozen=True)
class JointDecision:
    """A joint programme's start year and its members: z[p,t] and the w[n,p,t] that are 1."""

    start_year: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class PlanDecisions:
    """The decisions of one plan, from which everything else follows (MODEL.md).

    `national` maps (nation, programme) -> start year; `joint` maps programme -> start and
    members; `payments` maps (nation, joint programme, year) -> f[n,p,t] (only non-zero);
    `adoptions` maps (nation, standard) -> adoption year.
    """

    national: Mapping[tuple[str, str], int]
    joint: Mapping[str, JointDecision]
    payments: Mapping[tuple[str, str, int], float]
    adoptions: Mapping[tuple[str, str], int]

    def funded(self) -> dict[tuple[str, str], int]:
        """(nation, programme) -> start year, for national and joint alike."""
        out = dict(self.national)
        for pid, jd in self.joint.items():
            for n in jd.members:
                out[(n, pid)] = jd.start_year
        return out
