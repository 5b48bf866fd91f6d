"""Independent re-pricing of a plan: every output table and objective from the decisions alone.

Written from MODEL.md and WORKBOOK.md only, never from the Pyomo model, so that it can hold
the optimizer to the contract: whatever plan the solver returns is recomputed here and the
two sets of numbers must agree. The pure-Python core (`spend_items`, `nation_spend`,
`greedy_balances`, `capability_levels`, `objective_values`) is what the verifier and the
brute-force enumerator call in their loops; `evaluate` wraps it into the tidy tables of
the output workbook.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from data.report import RESULT_SHEETS
from data.tables import (
    ALLIANCE,
    AREA_OBJECTIVE_PREFIX,
    Inputs,
    PlanDecisions,
    Programme,
)

logger = logging.getLogger(__name__)

# The output sheets' columns (WORKBOOK.md), from the one table the workbook writer uses.
PLAN_COLUMNS = RESULT_SHEETS["plan"][1]
SPEND_COLUMNS = RESULT_SHEETS["spend"][1]
STANDARDS_COLUMNS = RESULT_SHEETS["standards"][1]
CAPABILITY_COLUMNS = RESULT_SHEETS["capability"][1]
CONTRIBUTIONS_COLUMNS = RESULT_SHEETS["contributions"][1]
BY_NATION_COLUMNS = (
    "nation",
    "role",
    "programmes",
    "memberships",
    "adoptions",
    "cost",
    "lapsed",
    "capability",
    "risk",
    "shortfall",
)

SpendKind = Literal["national", "payment", "per_participant", "adoption"]


@dataclass(frozen=True)
class Funding:
    """One nation fielding one programme: a national start or a consortium membership."""

    nation: str
    programme: Programme
    start: int
    joint: bool  # True when it comes from PlanDecisions.joint (a membership)

    @property
    def completion(self) -> int:
        """Last spending year: K[n,p,t] = 1 from this year on."""
        return self.start + self.programme.duration_years - 1

    @property
    def in_service(self) -> int:
        """First year the programme's capability counts: I[n,p,t] = K[n,p,t-1]."""
        return self.start + self.programme.duration_years

    def in_development(self, year: int) -> bool:
        """S[n,p,t] - K[n,p,t-1]: one of its d_p spending years."""
        return self.start <= year <= self.completion


@dataclass(frozen=True)
class SpendItem:
    """One amount a nation pays in one horizon year, and what for."""

    nation: str
    year: int
    ref: str  # programme id or standard id
    kind: SpendKind
    amount: float


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Everything the output workbook reports about one plan, recomputed from its decisions.

    Tables follow WORKBOOK.md "Output workbook" column for column, sorted by their key
    columns so two evaluations can be compared row by row. `by_nation` is an extra
    per-nation digest for planners; its columns add up to the alliance objectives, except
    shortfall where ALLIANCE targets exist (a shortfall of the alliance as a whole belongs
    to no nation, so it is in the objective and in no nation's row).
    """

    plan: pd.DataFrame
    spend: pd.DataFrame
    standards: pd.DataFrame
    capability: pd.DataFrame
    contributions: pd.DataFrame
    objectives: dict[str, float]
    by_nation: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """WORKBOOK.md's five plan tables by the keys the workbook writers take (`plan`, …)."""
        return {
            "plan": self.plan,
            "spend": self.spend,
            "standards": self.standards,
            "capability": self.capability,
            "contributions": self.contributions,
        }

    def nation_capability(self, nation: str) -> float:
        """The nation's share of the combined (weighted, discounted) capability objective."""
        rows = self.by_nation[self.by_nation["nation"] == nation]
        return float(rows["capability"].sum())


# --- references -----------------------------------------------------------------------


def unknown_references(inputs: Inputs, decisions: PlanDecisions) -> list[str]:
    """Every id in the decisions that the inputs do not define (nothing else can be judged)."""
    nations = inputs.nation_by_code
    programmes = inputs.programme_by_id
    standards = inputs.standard_by_id
    lines: list[str] = []

    def need(kind: str, ident: str, known: Mapping[str, object], where: str) -> None:
        if ident not in known:
            lines.append(f"{where} names unknown {kind} {ident!r}")

    for nation, pid in decisions.national:
        need("nation", nation, nations, f"National start ({nation}, {pid})")
        need("programme", pid, programmes, f"National start ({nation}, {pid})")
    for pid, jd in decisions.joint.items():
        need("programme", pid, programmes, f"Joint start of {pid}")
        for nation in jd.members:
            need("nation", nation, nations, f"Consortium of {pid}")
    for nation, pid, year in decisions.payments:
        need("nation", nation, nations, f"Payment ({nation}, {pid}, {year})")
        need("programme", pid, programmes, f"Payment ({nation}, {pid}, {year})")
    for nation, sid in decisions.adoptions:
        need("nation", nation, nations, f"Adoption ({nation}, {sid})")
        need("standard", sid, standards, f"Adoption ({nation}, {sid})")
    return lines


def _require_known(inputs: Inputs, decisions: PlanDecisions) -> None:
    lines = unknown_references(inputs, decisions)
    if lines:
        raise ValueError("cannot evaluate the plan: " + "; ".join(lines))


# --- the pure-Python core -------------------------------------------------------------


def fundings(inputs: Inputs, decisions: PlanDecisions) -> list[Funding]:
    """Every (nation, programme) the plan funds, sorted by nation then programme.

    A membership counts once even if the member is listed twice (the verifier reports the
    duplicate); a decision of the wrong kind (a national start of a joint programme) is
    priced as what it claims to be, so invalid plans still evaluate.
    """
    out: dict[tuple[str, str], Funding] = {}
    for (nation, pid), start in decisions.national.items():
        out[(nation, pid)] = Funding(nation, inputs.programme_by_id[pid], start, joint=False)
    for pid, jd in decisions.joint.items():
        for nation in jd.members:
            out.setdefault((nation, pid), Funding(nation, inputs.programme_by_id[pid], jd.start_year, True))
    return [out[key] for key in sorted(out)]


def spend_items(inputs: Inputs, decisions: PlanDecisions) -> list[SpendItem]:
    """What each nation pays, year by year, inside the horizon (MODEL.md constraint 4).

    National programmes cost their profile; a consortium member pays its joint payments f
    and its per-participant cost (spread like the profile); an adoption costs its
    adoption cost in the adoption year. Amounts outside the horizon are not spend.
    """
    years = set(inputs.years)
    items: list[SpendItem] = []
    for funding in fundings(inputs, decisions):
        p = funding.programme
        for year in range(funding.start, funding.completion + 1):
            if year not in years:
                continue
            offset = year - funding.start
            if funding.joint:
                amount, kind = p.per_participant_cost_in_offset(offset), "per_participant"
            else:
                amount, kind = p.cost_in_offset(offset), "national"
            if amount:
                items.append(SpendItem(funding.nation, year, p.id, kind, amount))  # type: ignore[arg-type]
    for (nation, pid, year), amount in decisions.payments.items():
        if year in years and amount:
            items.append(SpendItem(nation, year, pid, "payment", float(amount)))
    for (nation, sid), year in decisions.adoptions.items():
        cost = inputs.standard_by_id[sid].adoption_cost
        if year in years and cost:
            items.append(SpendItem(nation, year, sid, "adoption", cost))
    return items


def nation_spend(inputs: Inputs, decisions: PlanDecisions) -> dict[tuple[str, int], float]:
    """spend[n,t] for every nation and horizon year (0 where nothing is paid)."""
    spend = {(n.code, year): 0.0 for n in inputs.nations for year in inputs.years}
    for item in spend_items(inputs, decisions):
        spend[(item.nation, item.year)] += item.amount
    return spend


def carry_cap(inputs: Inputs, nation: str, year: int) -> float:
    """Most a nation may carry out of `year`: carry_over_fraction_n * budget[n,year]."""
    return inputs.nation_by_code[nation].carry_over_fraction * inputs.budget(nation, year)


def borrowing_floor(inputs: Inputs, nation: str, year: int) -> float:
    """Lowest allowed balance at the end of `year`: -borrow * next budget; 0 at the end."""
    if year >= inputs.settings.last_year:
        return 0.0
    return -inputs.nation_by_code[nation].borrow_fraction * inputs.budget(nation, year + 1)


def greedy_balances(
    inputs: Inputs, spend: Mapping[tuple[str, int], float]
) -> dict[tuple[str, int], tuple[float, float]]:
    """(balance, lapsed) per nation and year, by MODEL.md "Precise rules".

    The greedy balance keeps as much as the carry-over cap allows and lapses only the
    excess; it is the pointwise-largest feasible balance, so a plan is budget-feasible iff
    these balances respect the borrowing floors.
    """
    out: dict[tuple[str, int], tuple[float, float]] = {}
    for n in inputs.nations:
        balance = 0.0
        for year in inputs.years:
            available = balance + inputs.budget(n.code, year) - spend.get((n.code, year), 0.0)
            cap = carry_cap(inputs, n.code, year)
            balance = min(available, cap)
            out[(n.code, year)] = (balance, max(0.0, available - cap))
    return out


def capability_levels(inputs: Inputs, decisions: PlanDecisions) -> dict[tuple[str, str, int], float]:
    """cap[n,c,t] for every nation, area and horizon year, plus ALLIANCE (allies only)."""
    levels = {
        (who, a.id, year): 0.0
        for who in (*(n.code for n in inputs.nations), ALLIANCE)
        for a in inputs.areas
        for year in inputs.years
    }
    allies = set(inputs.allies)
    for funding in fundings(inputs, decisions):
        for a in inputs.areas:
            value = inputs.values.get((funding.programme.id, a.id), 0.0)
            if not value:
                continue
            for year in inputs.years:
                if year >= funding.in_service:
                    levels[(funding.nation, a.id, year)] += value
                    if funding.nation in allies:
                        levels[(ALLIANCE, a.id, year)] += value
    return levels


def discount(inputs: Inputs, year: int) -> float:
    """delta_t = (1 + r)^-(t - y0)."""
    s = inputs.settings
    return (1.0 + s.discount_rate) ** -(year - s.first_year)


def service_weight(inputs: Inputs, funding: Funding) -> float:
    """Discounted in-service years of one funding, including those after the horizon.

    Sum of delta_t over horizon years in service, plus, if it completes by yL, the
    discounted H years after the horizon (MODEL.md capability objective).
    """
    s = inputs.settings
    weight = sum(discount(inputs, t) for t in inputs.years if t >= funding.in_service)
    if funding.completion <= s.last_year:
        weight += sum(discount(inputs, s.last_year + h) for h in range(1, s.service_years_after_horizon + 1))
    return weight


def shortfalls(inputs: Inputs, levels: Mapping[tuple[str, str, int], float]) -> dict[tuple[str, str, int], float]:
    """max(0, T - cap) per target (nation or ALLIANCE, area, year): the real shortfall."""
    return {
        (g.nation, g.area, g.year): max(0.0, g.target - levels.get((g.nation, g.area, g.year), 0.0))
        for g in inputs.targets
    }


def _paid_by(items: Iterable[SpendItem]) -> dict[tuple[str, str], float]:
    """What nation n pays for programme p over the horizon (payments + own costs)."""
    paid: dict[tuple[str, str], float] = defaultdict(float)
    for item in items:
        if item.kind != "adoption":
            paid[(item.nation, item.ref)] += item.amount
    return dict(paid)


def _nation_capabilities(inputs: Inputs, plan_fundings: list[Funding]) -> tuple[dict[str, float], dict[str, float]]:
    """(combined weighted capability per nation, unweighted capability per area)."""
    by_nation: dict[str, float] = defaultdict(float)
    by_area: dict[str, float] = {a.id: 0.0 for a in inputs.areas}
    for funding in plan_fundings:
        weight = service_weight(inputs, funding)
        for a in inputs.areas:
            points = inputs.values.get((funding.programme.id, a.id), 0.0) * weight
            by_area[a.id] += points
            by_nation[funding.nation] += a.weight * points
    return dict(by_nation), by_area


def _risk_by_nation(inputs: Inputs, paid: Mapping[tuple[str, str], float]) -> dict[str, float]:
    risk: dict[str, float] = defaultdict(float)
    for (nation, pid), amount in paid.items():
        risk[nation] += inputs.programme_by_id[pid].cost_overrun_risk * amount
    return dict(risk)


def _in_horizon_adoptions(inputs: Inputs, decisions: PlanDecisions) -> list[tuple[str, str]]:
    """(nation, standard) pairs with A[n,s,yL] = 1 (adopted inside the horizon)."""
    s = inputs.settings
    return [key for key, year in decisions.adoptions.items() if s.first_year <= year <= s.last_year]


def _joint_memberships(inputs: Inputs, decisions: PlanDecisions) -> dict[str, int]:
    """Number of joint consortia each nation sits in (sum over t of w[n,p,t])."""
    count: dict[str, int] = defaultdict(int)
    for pid, jd in decisions.joint.items():
        if inputs.programme_by_id[pid].is_joint:
            for nation in set(jd.members):
                count[nation] += 1
    return dict(count)


OBJECTIVE_DECIMALS = 9  # far below any unit a workbook states, far above float round-off


def objective_values(inputs: Inputs, decisions: PlanDecisions) -> dict[str, float]:
    """Every objective in `inputs.objective_names()`, exactly per MODEL.md "Objectives"."""
    _require_known(inputs, decisions)
    return _objectives_from(inputs, decisions, spend_items(inputs, decisions))


def _objectives_from(inputs: Inputs, decisions: PlanDecisions, items: list[SpendItem]) -> dict[str, float]:
    plan_fundings = fundings(inputs, decisions)
    by_nation, by_area = _nation_capabilities(inputs, plan_fundings)
    weights = {s.id: s.weight for s in inputs.standards}
    interoperability = sum(weights[sid] for _, sid in _in_horizon_adoptions(inputs, decisions))
    interoperability += sum(_joint_memberships(inputs, decisions).values())
    # math.fsum: the exactly rounded sum, whatever the order of its terms, so a total reads
    # 40052.3 and not 40052.30000000001, and two plans paying the same amounts in another
    # order differ by 0, not 1.8e-15 (a helper saw both in the workbooks)
    out = {
        "capability": math.fsum(by_nation.values()),
        "cost": math.fsum(item.amount for item in items),
        "shortfall": math.fsum(shortfalls(inputs, capability_levels(inputs, decisions)).values()),
        "interoperability": float(interoperability),
        "risk": math.fsum(_risk_by_nation(inputs, _paid_by(items)).values()),
    }
    out.update({AREA_OBJECTIVE_PREFIX + area: value for area, value in by_area.items()})
    # … and to 9 decimals: the terms themselves carry round-off (a cost of 10 spread 1/3 a
    # year is 3.3333333333333335 three times), which left 37.00000000000001 in a front's cells
    return {name: round(value, OBJECTIVE_DECIMALS) for name, value in out.items()}


# --- tables ---------------------------------------------------------------------------


def evaluate(inputs: Inputs, decisions: PlanDecisions) -> Evaluation:
    """Recompute the output workbook's tables and every objective from the decisions.

    Raises ValueError if the decisions name ids the inputs do not define; any other
    invalid decision is priced as given (use `optimizer.checks.verify.check_plan` to judge it).
    """
    _require_known(inputs, decisions)
    items = spend_items(inputs, decisions)
    spend = nation_spend(inputs, decisions)
    balances = greedy_balances(inputs, spend)
    levels = capability_levels(inputs, decisions)
    evaluation = Evaluation(
        plan=_plan_table(inputs, decisions, items),
        spend=_with_overrun_reserve(inputs, decisions, _spend_table(inputs, spend, balances)),
        standards=_standards_table(inputs, decisions),
        capability=_capability_table(inputs, levels),
        contributions=_contributions_table(inputs, decisions),
        objectives=_objectives_from(inputs, decisions, items),
        by_nation=_by_nation_table(inputs, decisions, items, balances, levels),
    )
    logger.debug("evaluated plan: %s", evaluation.objectives)
    return evaluation


def robust_protection(inputs: Inputs, decisions: PlanDecisions) -> dict[tuple[str, int], float]:
    """β[n,τ]: the sum of the Γ_n largest overruns risk_p · (what n pays for p in τ).

    Only nations with Γ_n > 0 and years with an overrun appear. What n pays for p is its
    national cost, or its joint payment plus per-participant cost; adoptions never overrun.
    """
    paid: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for item in spend_items(inputs, decisions):
        if item.kind != "adoption":
            paid[(item.nation, item.year)][item.ref] += item.amount
    out: dict[tuple[str, int], float] = {}
    for (nation, year), by_programme in paid.items():
        gamma = inputs.robust_overruns(nation)
        overruns = sorted(
            (inputs.programme_by_id[pid].cost_overrun_risk * amount for pid, amount in by_programme.items()),
            reverse=True,
        )
        if gamma > 0 and overruns and overruns[0] > 0:
            out[(nation, year)] = sum(overruns[:gamma])
    return out


def _frame(rows: list[tuple], columns: tuple[str, ...], keys: list[str]) -> pd.DataFrame:
    """A table with exactly `columns`, sorted by `keys` with a fresh 0..n-1 index."""
    frame = pd.DataFrame(rows, columns=list(columns))
    if rows:
        frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    return frame


def _plan_table(inputs: Inputs, decisions: PlanDecisions, items: list[SpendItem]) -> pd.DataFrame:
    paid = _paid_by(items)
    rows = [
        (
            f.nation,
            f.programme.id,
            "joint" if f.joint else "national",
            f.start,
            f.completion,
            f.in_service,
            paid.get((f.nation, f.programme.id), 0.0),
        )
        for f in fundings(inputs, decisions)
    ]
    return _frame(rows, PLAN_COLUMNS, ["nation", "programme"])


def _spend_table(
    inputs: Inputs,
    spend: Mapping[tuple[str, int], float],
    balances: Mapping[tuple[str, int], tuple[float, float]],
) -> pd.DataFrame:
    rows = [
        (
            n,
            year,
            inputs.budget(n, year),
            spend[(n, year)],
            *(_without_residue(v, inputs.budget(n, year)) for v in balances[(n, year)]),
        )
        for (n, year) in spend
    ]
    return _frame(rows, SPEND_COLUMNS, ["nation", "year"])


def _without_residue(amount: float, budget: float) -> float:
    """A balance or lapse as the Spend sheet shows it: floating-point residue of the year's
    sums (−2.8e-14) is 0, which the sheet showed as "-0.0", a balance that read like
    borrowing (audit). Only residue a billionth of the budget or less is cleared."""
    return 0.0 if abs(amount) <= 1e-9 * max(1.0, abs(budget)) else amount


def _with_overrun_reserve(inputs: Inputs, decisions: PlanDecisions, spend: pd.DataFrame) -> pd.DataFrame:
    """Robust plans (some Γ_n > 0, docs/robust.md) get an `overrun_reserve` column: β[n,τ],
    the Γ_n largest overruns of the year, which the robust budget holds back beside spend.
    Without it the Spend sheet of a robust plan showed only nominal spend, and a planner
    could not see how much of each budget the plan keeps for overruns. Blank for nations
    with Γ_n = 0; nominal plans keep exactly WORKBOOK.md's columns."""
    robust = {n.code for n in inputs.nations if inputs.robust_overruns(n.code) > 0}
    if not robust:
        return spend
    reserve = robust_protection(inputs, decisions)
    out = spend.copy()
    out["overrun_reserve"] = [
        reserve.get((n, year), 0.0) if n in robust else None for n, year in zip(out["nation"], out["year"])
    ]
    return out


def _standards_table(inputs: Inputs, decisions: PlanDecisions) -> pd.DataFrame:
    rows = [
        (nation, sid, year, inputs.standard_by_id[sid].adoption_cost)
        for (nation, sid), year in decisions.adoptions.items()
    ]
    return _frame(rows, STANDARDS_COLUMNS, ["nation", "standard"])


def _capability_table(inputs: Inputs, levels: Mapping[tuple[str, str, int], float]) -> pd.DataFrame:
    targets = {(g.nation, g.area, g.year): g.target for g in inputs.targets}
    rows = []
    for key, level in levels.items():
        target = targets.get(key)
        short = max(0.0, target - level) if target is not None else 0.0
        rows.append((*key, level, target, short))
    frame = _frame(rows, CAPABILITY_COLUMNS, ["nation", "capability_area", "year"])
    # numbers, NaN where a year has no target (written as a blank cell): None in an object
    # column made `capability >= target` a TypeError in an analyst's script (audit)
    frame["target"] = pd.to_numeric(frame["target"], errors="coerce").astype(float)
    return frame


def _contributions_table(inputs: Inputs, decisions: PlanDecisions) -> pd.DataFrame:
    years = set(inputs.years)
    rows = [
        (pid, nation, year, float(amount))
        for (nation, pid, year), amount in decisions.payments.items()
        if amount and year in years
    ]
    return _frame(rows, CONTRIBUTIONS_COLUMNS, ["programme", "nation", "year"])


def _by_nation_table(
    inputs: Inputs,
    decisions: PlanDecisions,
    items: list[SpendItem],
    balances: Mapping[tuple[str, int], tuple[float, float]],
    levels: Mapping[tuple[str, str, int], float],
) -> pd.DataFrame:
    plan_fundings = fundings(inputs, decisions)
    capability, _ = _nation_capabilities(inputs, plan_fundings)
    risk = _risk_by_nation(inputs, _paid_by(items))
    memberships = _joint_memberships(inputs, decisions)
    adoptions: dict[str, int] = defaultdict(int)
    for nation, _sid in _in_horizon_adoptions(inputs, decisions):
        adoptions[nation] += 1
    cost: dict[str, float] = defaultdict(float)
    for item in items:
        cost[item.nation] += item.amount
    short = shortfalls(inputs, levels)
    rows = [
        (
            n.code,
            n.role,
            sum(1 for f in plan_fundings if f.nation == n.code),
            memberships.get(n.code, 0),
            adoptions[n.code],
            cost[n.code],
            sum(balances[(n.code, year)][1] for year in inputs.years),
            capability.get(n.code, 0.0),
            risk.get(n.code, 0.0),
            sum((v for (who, _, _), v in short.items() if who == n.code), 0.0),
        )
        for n in inputs.nations
    ]
    return _frame(rows, BY_NATION_COLUMNS, ["nation"])
