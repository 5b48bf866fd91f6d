"""A greedy plan by benefit per cost: the spreadsheet method, and every solve's first MIP start.

This is what a planning staff does without an optimizer, and the baseline the benchmark
measures the optimizer's gain against. It is a fair version of it: every MODEL.md rule is
respected (windows, planning cycles, deadlines, precedence, exclusive groups, capacity,
required standards, critical mass, commitments, carry-over and borrowing), so the plan
passes `optimizer.checks.verify.check_plan` and can also serve as a MIP warm start.

    from optimizer.heuristics.greedy import greedy_plan
    plan = greedy_plan(inputs)

How it ranks: a national programme for a nation by `value / cost`, where value is the
capability objective's coefficient of its earliest allowed start (weighted points × the
discounted service years it would earn); a joint programme by the same value per
member's share (`total / k + per_participant_cost` with k the largest consortium its
min_share and max_participants allow). Items are taken best first, each at its earliest
start that fits; passes repeat until nothing more fits (a programme blocked by precedence
in one pass can open up in the next). Joint consortia are the largest group of eligible
nations that can each afford an equal share.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from data.tables import ALLIANCE, Inputs, JointDecision, Nation, PlanDecisions, Programme

log = logging.getLogger(__name__)

_EPS = 1e-7


def balances_fit(nation: Nation, budget: np.ndarray, spend: np.ndarray) -> bool:
    """Whether MODEL.md's greedy balances stay above the borrowing floor (last one ≥ 0).

    The greedy balance is the largest feasible one, so a yearly spend is affordable iff
    these balances never fall below the floor (budget rule 4, "Precise rules").
    """
    carried = 0.0
    years = len(budget)
    for k in range(years):
        available = carried + budget[k] - spend[k]
        floor = -nation.borrow_fraction * budget[k + 1] if k + 1 < years else 0.0
        if available < floor - _EPS * max(1.0, abs(budget[k])):
            return False
        carried = min(available, nation.carry_over_fraction * budget[k])
    return True


@dataclass
class _State:
    """The plan under construction and each nation's committed spend per year."""

    inputs: Inputs
    spend: dict[str, np.ndarray]
    national: dict[tuple[str, str], int] = field(default_factory=dict)
    joint: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    adoptions: dict[tuple[str, str], int] = field(default_factory=dict)
    busy: dict[str, np.ndarray] = field(default_factory=dict)  # programmes in development per year
    groups: set[tuple[str, str]] = field(default_factory=set)

    def funded(self) -> dict[tuple[str, str], int]:
        out = dict(self.national)
        for pid, (start, members) in self.joint.items():
            for n in members:
                out[n, pid] = start
        return out


class _Greedy:
    def __init__(self, inputs: Inputs, banned_standards: frozenset[str] = frozenset()):
        self.inputs = inputs
        self.years = inputs.years
        self.y0 = inputs.settings.first_year
        self.Y = len(self.years)
        self.by_id = inputs.programme_by_id
        self.budget = {n.code: np.array([inputs.budget(n.code, y) for y in self.years]) for n in inputs.nations}
        self.nation = inputs.nation_by_code
        self.requires: dict[str, list[str]] = {}
        for pid, sid in inputs.requirements:
            self.requires.setdefault(pid, []).append(sid)
        self.adoption_cost = {s.id: s.adoption_cost for s in inputs.standards}
        self.rules_after: dict[str, list] = {}
        for r in inputs.precedences:
            self.rules_after.setdefault(r.after, []).append(r)
        self.excluded = {(c.nation, c.programme) for c in inputs.commitments if c.action == "exclude"}
        self.banned = {pid for pid, sid in inputs.requirements if sid in banned_standards}
        s = inputs.settings
        last = s.last_year + s.service_years_after_horizon
        delta = {t: (1 + s.discount_rate) ** -(t - s.first_year) for t in range(s.first_year, last + 1)}
        self.service = {t: sum(delta[u] for u in range(t, last + 1)) for t in range(s.first_year, last + 2)}
        self.points = {
            p.id: sum(a.weight * inputs.values.get((p.id, a.id), 0.0) for a in inputs.areas) for p in inputs.programmes
        }
        self.state = _State(
            inputs,
            {n: np.zeros(self.Y) for n in self.budget},
            busy={n: np.zeros(self.Y, dtype=int) for n in self.budget},
        )

    # --- feasibility of one more item ---------------------------------------------------
    def fits_budget(self, n: str, extra: np.ndarray) -> bool:
        """MODEL.md's greedy balances stay above the borrowing floor with `extra` spent."""
        return balances_fit(self.nation[n], self.budget[n], self.state.spend[n] + extra)

    def spend_vector(self, p: Programme, start: int, per_year: list[float]) -> np.ndarray:
        out = np.zeros(self.Y)
        for k, amount in enumerate(per_year):
            out[start - self.y0 + k] += amount
        return out

    def rules_ok(self, n: str, p: Programme, start: int) -> bool:
        """Eligibility, exclusion, exclusive group, capacity and precedence for n funding p at start."""
        st = self.state
        if (n, p.id) in self.excluded or (n, p.id) in st.national or p.id in self.banned:
            return False
        if p.exclusive_group is not None and (n, p.exclusive_group) in st.groups:
            return False
        cap = self.nation[n].max_concurrent_programmes
        if cap is not None:
            window = st.busy[n][start - self.y0 : start - self.y0 + p.duration_years]
            if (window >= cap).any():
                return False
        rules = self.rules_after.get(p.id, ())
        funded = st.funded() if rules else {}
        for rule in rules:
            before = self.by_id[rule.before]
            if rule.scope == "same_nation":
                done = [funded.get((n, before.id))]
            elif before.is_joint:
                done = [st.joint[before.id][0]] if before.id in st.joint else []
            else:
                done = [t for (m, pid), t in funded.items() if pid == before.id]
            if not any(t is not None and t + before.duration_years <= start for t in done):
                return False
        return True

    def adoption_plan(self, n: str, p: Programme, start: int, extra: np.ndarray) -> dict[str, int] | None:
        """Adoption years for p's required standards n lacks (latest affordable ≤ completion)."""
        plan: dict[str, int] = {}
        completion = start + p.duration_years - 1
        for sid in self.requires.get(p.id, ()):
            had = self.state.adoptions.get((n, sid))
            if had is not None and had <= completion:
                continue
            if had is not None:  # adopted too late for p: adoption is once, cannot move it
                return None
            for year in range(completion, self.y0 - 1, -1):
                trial = extra.copy()
                trial[year - self.y0] += self.adoption_cost[sid]
                if self.fits_budget(n, trial):
                    plan[sid] = year
                    extra = trial
                    break
            else:
                return None
        return plan

    def commit(self, n: str, p: Programme, start: int, extra: np.ndarray, adopt: dict[str, int]) -> None:
        st = self.state
        st.spend[n] += extra
        for sid, year in adopt.items():
            st.adoptions[n, sid] = year
        st.busy[n][start - self.y0 : start - self.y0 + p.duration_years] += 1
        if p.exclusive_group is not None:
            st.groups.add((n, p.exclusive_group))

    # --- national and joint items ----------------------------------------------------------
    def try_national(self, n: str, p: Programme, starts: tuple[int, ...]) -> bool:
        per_year = [p.cost_in_offset(k) for k in range(p.duration_years)]
        for start in starts:
            if not self.rules_ok(n, p, start):
                continue
            extra = self.spend_vector(p, start, per_year)
            if not self.fits_budget(n, extra):
                continue
            adopt = self.adoption_plan(n, p, start, extra)
            if adopt is None:
                continue
            for sid, year in adopt.items():
                extra[year - self.y0] += self.adoption_cost[sid]
            self.commit(n, p, start, extra, adopt)
            self.state.national[n, p.id] = start
            return True
        return False

    def largest_consortium(self, p: Programme) -> int:
        eligible = len(self.inputs.eligible_nations(p))
        k = eligible if p.max_participants is None else min(p.max_participants, eligible)
        if p.min_share > 0:
            k = min(k, int(np.floor(1.0 / p.min_share + 1e-9)))
        return k

    def try_joint(self, p: Programme, starts: tuple[int, ...], must: str | None = None) -> bool:
        if p.id in self.state.joint or p.id in self.banned:
            return False
        kmax = self.largest_consortium(p)
        if kmax < p.min_participants:
            return False
        for start in starts:
            candidates = [n for n in self.inputs.eligible_nations(p) if self.rules_ok(n, p, start)]
            if must is not None and must not in candidates:
                continue
            if must is not None:
                candidates = [must] + [n for n in candidates if n != must]
            k = min(kmax, len(candidates))
            while k >= p.min_participants:
                share = [p.cost_in_offset(j) / k + p.per_participant_cost_in_offset(j) for j in range(p.duration_years)]
                extra = self.spend_vector(p, start, share)
                chosen: list[tuple[str, np.ndarray, dict[str, int]]] = []
                for n in candidates:
                    if not self.fits_budget(n, extra):
                        continue
                    adopt = self.adoption_plan(n, p, start, extra)
                    if adopt is None:
                        continue
                    mine = extra.copy()
                    for sid, year in adopt.items():
                        mine[year - self.y0] += self.adoption_cost[sid]
                    chosen.append((n, mine, adopt))
                    if len(chosen) == k:
                        break
                if must is not None and (not chosen or chosen[0][0] != must):
                    chosen = []
                if len(chosen) == k:
                    for n, mine, adopt in chosen:
                        self.commit(n, p, start, mine, adopt)
                    self.state.joint[p.id] = (start, tuple(n for n, _, _ in chosen))
                    return True
                k = min(k - 1, len(chosen)) if len(chosen) >= p.min_participants else p.min_participants - 1
        return False

    # --- the ranking -----------------------------------------------------------------------
    def ranked_items(self) -> list[tuple[float, str, str | None]]:
        items: list[tuple[float, str, str | None]] = []
        for p in self.inputs.programmes:
            starts = self.inputs.allowed_starts(p)
            if not starts or not self.points[p.id]:
                continue
            value = self.points[p.id] * self.service.get(starts[0] + p.duration_years, 0.0)
            if p.is_joint:
                k = max(self.largest_consortium(p), 1)
                items.append((value / max(p.total_cost / k + p.per_participant_cost, _EPS), p.id, None))
            else:
                for n in self.inputs.eligible_nations(p):
                    items.append((value / max(p.total_cost, _EPS), p.id, n))
        items.sort(key=lambda item: (-item[0], item[1], item[2] or ""))
        return items

    def fund_predecessors(self, n: str, p: Programme, depth: int = 0) -> None:
        """Before a committed programme: fund (for nation n) what must come before it.

        A commitment to a programme with a predecessor cannot be met alone; the ranking may
        never reach the predecessor, so it is funded first, as early as it fits.
        """
        if depth > len(self.inputs.programmes):
            return
        for rule in self.inputs.precedences:
            if rule.after != p.id:
                continue
            before = self.by_id[rule.before]
            done = (
                before.id in self.state.joint
                if before.is_joint
                else (n, before.id) in self.state.national
                or (rule.scope == "any_nation" and any(q == before.id for (_, q) in self.state.national))
            )
            if done:
                continue
            self.fund_predecessors(n, before, depth + 1)
            starts = self.inputs.allowed_starts(before)
            if before.is_joint:
                self.try_joint(before, starts, must=n)
            elif n in self.inputs.eligible_nations(before):
                self.try_national(n, before, starts)

    def capability_level(self, who: str, area: str, year: int) -> float:
        """cap[n,c,t] (or the allies' sum for ALLIANCE) of the plan so far: in service from start + d."""
        members = set(self.inputs.allies) if who == ALLIANCE else {who}
        return sum(
            self.inputs.values.get((pid, area), 0.0)
            for (n, pid), start in self.state.funded().items()
            if n in members and start + self.by_id[pid].duration_years <= year
        )

    def meet_targets(self) -> None:
        """Fund the cheapest points toward each capability target, earliest target first.

        Targets are soft in the model, but a planner's first question is whether they can
        be met; a start plan that meets them makes the shortfall stage of a lexicographic
        run trivial and hands the capability stage a plan worth improving.
        """
        for target in sorted(self.inputs.targets, key=lambda g: (g.year, g.nation, g.area)):
            who = self.inputs.allies if target.nation == ALLIANCE else (target.nation,)
            tried: set[tuple[str, str | None]] = set()
            n: str | None  # the nation of an option; None for a joint programme's
            while (deficit := target.target - self.capability_level(target.nation, target.area, target.year)) > _EPS:
                options: list[tuple[float, str, str | None, tuple[int, ...]]] = []
                for p in self.inputs.programmes:
                    points = self.inputs.values.get((p.id, target.area), 0.0)
                    starts = tuple(t for t in self.inputs.allowed_starts(p) if t + p.duration_years <= target.year)
                    if points <= 0 or not starts:
                        continue
                    if p.is_joint:
                        if p.id not in self.state.joint and (p.id, None) not in tried:
                            k = max(self.largest_consortium(p), 1)
                            options.append((p.total_cost / k / min(points, deficit), p.id, None, starts))
                        continue
                    for n in who:
                        if (
                            (n, p.id) not in self.state.national
                            and (p.id, n) not in tried
                            and n in self.inputs.eligible_nations(p)
                        ):
                            options.append((p.total_cost / min(points, deficit), p.id, n, starts))
                if not options:
                    break
                options.sort(key=lambda o: (o[0], o[1], o[2] or ""))
                _, pid, n, starts = options[0]
                tried.add((pid, n))
                p = self.by_id[pid]
                must = None if target.nation == ALLIANCE else target.nation
                if p.is_joint:
                    self.try_joint(p, starts, must=must)
                else:
                    assert n is not None  # a national programme's option names its nation
                    self.fund_predecessors(n, p)
                    self.try_national(n, p, starts)

    def run(self) -> _State:
        for c in self.inputs.commitments:
            if c.action != "fund":
                continue
            p = self.by_id[c.programme]
            self.fund_predecessors(c.nation, p)
            starts = (c.start_year,) if c.start_year is not None else self.inputs.allowed_starts(p)
            ok = self.try_joint(p, starts, must=c.nation) if p.is_joint else self.try_national(c.nation, p, starts)
            if not ok:
                raise RuntimeError(f"greedy could not honour the commitment {c.nation}/{c.programme}")
        self.meet_targets()
        items = self.ranked_items()
        changed = True
        while changed:
            changed = False
            for _, pid, n in items:
                p = self.by_id[pid]
                starts = self.inputs.allowed_starts(p)
                if n is None:
                    changed |= self.try_joint(p, starts)
                elif (n, pid) not in self.state.national:
                    changed |= self.try_national(n, p, starts)
        return self.state

    def critical_mass_misses(self) -> list[str]:
        """Critical standards adopted by some but too few nations, after trying to recruit more."""
        misses = []
        for s in self.inputs.standards:
            if s.min_adopters <= 1:
                continue
            adopters = {n for (n, sid) in self.state.adoptions if sid == s.id}
            if not adopters or len(adopters) >= s.min_adopters:
                continue
            for n in self.budget:
                if len(adopters) >= s.min_adopters:
                    break
                if n in adopters:
                    continue
                for year in range(self.years[-1], self.y0 - 1, -1):
                    extra = np.zeros(self.Y)
                    extra[year - self.y0] = s.adoption_cost
                    if self.fits_budget(n, extra):
                        self.state.spend[n] += extra
                        self.state.adoptions[n, s.id] = year
                        adopters.add(n)
                        break
            if len(adopters) < s.min_adopters:
                misses.append(s.id)
        return misses


def greedy_plan(inputs: Inputs) -> PlanDecisions:
    """The benefit-per-cost plan; standards that cannot reach critical mass are given up.

    If a critical-mass standard ends with too few adopters and no other nation can afford
    to adopt it, the programmes requiring it are dropped and the ranking is run again.
    """
    banned: frozenset[str] = frozenset()
    while True:
        greedy = _Greedy(inputs, banned)
        state = greedy.run()
        misses = greedy.critical_mass_misses()
        if not misses:
            break
        log.debug("greedy: giving up standards %s (critical mass not reachable)", misses)
        banned = banned | frozenset(misses)
    payments = {}
    for pid, (start, members) in state.joint.items():
        p = inputs.programme_by_id[pid]
        for k in range(p.duration_years):
            amount = p.cost_in_offset(k) / len(members)
            if amount > 0:
                for n in members:
                    payments[n, pid, start + k] = amount
    return PlanDecisions(
        national=dict(state.national),
        joint={pid: JointDecision(start, members) for pid, (start, members) in state.joint.items()},
        payments=payments,
        adoptions=dict(state.adoptions),
    )
