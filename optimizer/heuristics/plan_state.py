"""A plan built one funding at a time, each MODEL.md rule checked as it grows, with undo.

`optimizer.heuristics.targets_first` grows a plan around the capability targets and asks many "can
nation n also fund P here?" questions; re-verifying a whole plan with `optimizer.checks.verify`
takes about 20 ms on the reference dataset. `PlanState` keeps what the rules look at —
every nation's spend per year, programmes in development, exclusive groups, adopters per
standard, the capability levels the targets read — so an addition is checked against
only what it touches, and undone from a journal when it breaks a rule.

Joint programmes are started by one payer who pays everything; each nation that joins
pays its minimum share (`min_share × cost`, year by year), taken off what the members
paying more than theirs pay. That is how the optimizer itself plans consortia (small
members pay their minimum, a large one the rest) and it is what lets small nations join.

Robust budgets (rule 13) and plan stability (rule 14) are not modelled; callers check
what they get with `optimizer.checks.verify.check_plan`, as for any start plan.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

import numpy as np

from data.tables import ALLIANCE, Inputs, JointDecision, PlanDecisions
from optimizer.heuristics.greedy import balances_fit

_PAYMENT_MIN = 1e-9


class PlanState:
    """A growing plan (empty at first) with incremental rule checks and an undo journal."""

    def __init__(self, inputs: Inputs):
        self.inputs = inputs
        self.y0, self.Y = inputs.settings.first_year, len(inputs.years)
        self.prog = inputs.programme_by_id
        self.budget = {n.code: np.array([inputs.budget(n.code, y) for y in inputs.years]) for n in inputs.nations}
        self.eligible = {p.id: frozenset(inputs.eligible_nations(p)) for p in inputs.programmes}
        self.allowed = {p.id: inputs.allowed_starts(p) for p in inputs.programmes}
        self.requires: dict[str, list[str]] = defaultdict(list)
        for pid, sid in inputs.requirements:
            self.requires[pid].append(sid)
        self.rules_after: dict[str, list] = defaultdict(list)
        self.rules_before: dict[str, list] = defaultdict(list)
        for rule in inputs.precedences:
            self.rules_after[rule.after].append(rule)
            self.rules_before[rule.before].append(rule)
        self.excluded = {(c.nation, c.programme) for c in inputs.commitments if c.action == "exclude"}
        self.committed = {(c.nation, c.programme): c.start_year for c in inputs.commitments if c.action == "fund"}
        self.allies = frozenset(inputs.allies)
        # programme -> (target index, points in the target's area)
        self._hits: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, g in enumerate(inputs.targets):
            for p in inputs.programmes:
                if inputs.values.get((p.id, g.area), 0.0):
                    self._hits[p.id].append((i, inputs.values[(p.id, g.area)]))

        self.spend = {n: np.zeros(self.Y) for n in self.budget}
        self.busy = {n: np.zeros(self.Y, dtype=int) for n in self.budget}
        self.groups: Counter[tuple[str, str]] = Counter()
        # (nation, programme) -> start year, national fundings and memberships alike
        self.starts: dict[tuple[str, str], int] = {}
        self.by_prog: dict[str, dict[str, int]] = defaultdict(dict)
        self.by_nation: dict[str, dict[str, int]] = defaultdict(dict)
        self.jstart: dict[str, int] = {}
        # joint programme -> member -> its payments by horizon year
        self.pay: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
        self.adoptions: dict[tuple[str, str], int] = {}
        self.adopters: Counter[str] = Counter()
        # cap[n,c,t] (or the allies' sum) as each target reads it
        self.level = [0.0] * len(inputs.targets)
        self._journal: list[Callable[[], None]] = []

    # --- the plan and its shortfall ---------------------------------------------------------
    def decisions(self) -> PlanDecisions:
        """The plan as `PlanDecisions` (payments below 1e-9 dropped)."""
        national = {k: t for k, t in self.starts.items() if not self.prog[k[1]].is_joint}
        joint = {pid: JointDecision(t, tuple(sorted(self.pay[pid]))) for pid, t in self.jstart.items()}
        payments = {
            (n, pid, self.y0 + k): float(amount)
            for pid in self.jstart
            for n, vec in self.pay[pid].items()
            for k, amount in enumerate(vec)
            if amount > _PAYMENT_MIN
        }
        return PlanDecisions(national=national, joint=joint, payments=payments, adoptions=dict(self.adoptions))

    def shortfalls(self) -> tuple[float, float]:
        """(shortfall of nations' own targets, shortfall of ALLIANCE targets)."""
        own = alliance = 0.0
        for g, level in zip(self.inputs.targets, self.level):
            if g.nation == ALLIANCE:
                alliance += max(0.0, g.target - level)
            else:
                own += max(0.0, g.target - level)
        return own, alliance

    # --- journal ------------------------------------------------------------------------------
    def mark(self) -> int:
        return len(self._journal)

    def undo(self, mark: int) -> None:
        """Roll back every change made since `mark`."""
        while len(self._journal) > mark:
            self._journal.pop()()

    def attempt(self, change: Callable[[], bool]) -> bool:
        """Apply `change`; if it reports a broken rule, undo everything it did."""
        mark = self.mark()
        if change():
            return True
        self.undo(mark)
        return False

    # --- primitive changes (bookkeeping only, journaled) ---------------------------------------
    def shifted(self, pid: str, start: int, per_offset: str = "cost") -> np.ndarray:
        """A programme's yearly cost (or per-participant cost) over the horizon, started in `start`."""
        p = self.prog[pid]
        at = p.cost_in_offset if per_offset == "cost" else p.per_participant_cost_in_offset
        return np.array([at(year - start) for year in self.inputs.years])

    def _set_start(self, n: str, pid: str, start: int | None) -> None:
        """Fund (start) or unfund (None) nation n's funding of pid, national or membership."""
        old = self.starts.get((n, pid))
        if old is not None:
            self._account(n, pid, old, -1)
            del self.starts[n, pid], self.by_prog[pid][n], self.by_nation[n][pid]
        if start is not None:
            self.starts[n, pid] = start
            self.by_prog[pid][n] = start
            self.by_nation[n][pid] = start
            self._account(n, pid, start, +1)
        self._journal.append(lambda: self._restore(self._set_start, n, pid, old))

    def _restore(self, setter: Callable[..., None], *args: object) -> None:
        setter(*args)
        self._journal.pop()  # the setter journaled its own inverse: not wanted while undoing

    def _account(self, n: str, pid: str, start: int, sign: int) -> None:
        p = self.prog[pid]
        own = self.shifted(pid, start, "ppc" if p.is_joint else "cost")
        self.spend[n] += sign * own
        self.busy[n][start - self.y0 : start - self.y0 + p.duration_years] += sign
        if p.exclusive_group is not None:
            self.groups[n, p.exclusive_group] += sign
        for i, value in self.target_points(n, pid, start):
            self.level[i] += sign * value

    def target_points(self, n: str, pid: str, start: int) -> list[tuple[int, float]]:
        """(target index, points) that n's funding of pid from `start` adds to each target:
        its own, and ALLIANCE ones if n is an ally, when in service by the target's year."""
        d = self.prog[pid].duration_years
        targets = self.inputs.targets
        return [
            (i, value)
            for i, value in self._hits[pid]
            if start + d <= targets[i].year
            and (targets[i].nation == n or (targets[i].nation == ALLIANCE and n in self.allies))
        ]

    def _set_pay(self, pid: str, n: str, vec: np.ndarray | None) -> None:
        old = self.pay[pid].pop(n, None)
        if old is not None:
            self.spend[n] -= old
        if vec is not None:
            self.spend[n] += vec
            self.pay[pid][n] = vec
        self._journal.append(lambda: self._restore(self._set_pay, pid, n, old))

    def _set_jstart(self, pid: str, start: int | None) -> None:
        old = self.jstart.pop(pid, None)
        if start is not None:
            self.jstart[pid] = start
        self._journal.append(lambda: self._restore(self._set_jstart, pid, old))

    def _set_adoption(self, n: str, sid: str, year: int | None) -> None:
        old = self.adoptions.pop((n, sid), None)
        cost = self.inputs.standard_by_id[sid].adoption_cost
        if old is not None:
            self.spend[n][old - self.y0] -= cost
            self.adopters[sid] -= 1
        if year is not None:
            self.spend[n][year - self.y0] += cost
            self.adopters[sid] += 1
            self.adoptions[n, sid] = year
        self._journal.append(lambda: self._restore(self._set_adoption, n, sid, old))

    # --- rule checks on the plan as it stands ----------------------------------------------
    def fits(self, n: str) -> bool:
        """MODEL.md's greedy balances of n stay above the borrowing floor (rule 4)."""
        return balances_fit(self.inputs.nation_by_code[n], self.budget[n], self.spend[n])

    def capacity_ok(self, n: str) -> bool:
        cap = self.inputs.nation_by_code[n].max_concurrent_programmes
        return cap is None or int(self.busy[n].max()) <= cap

    def group_ok(self, n: str, pid: str) -> bool:
        group = self.prog[pid].exclusive_group
        return group is None or self.groups[n, group] <= 1

    def precedence_ok(self, n: str, pid: str) -> bool:
        """n's funding of pid starts after each predecessor is completed (rule 6)."""
        start = self.starts[n, pid]
        for rule in self.rules_after.get(pid, ()):
            d = self.prog[rule.before].duration_years
            if rule.scope == "same_nation":
                before = self.starts.get((n, rule.before))
                done = before is not None and before + d <= start
            elif rule.before in self.jstart:
                done = self.jstart[rule.before] + d <= start
            else:
                done = any(t + d <= start for t in self.by_prog[rule.before].values())
            if not done:
                return False
        return True

    def dependents_ok(self, pid: str) -> bool:
        """Every funding that must follow pid still starts after it is completed."""
        return all(
            self.precedence_ok(n, rule.after)
            for rule in self.rules_before.get(pid, ())
            for n in self.by_prog[rule.after]
        )

    def critical_ok(self, sid: str) -> bool:
        need = self.inputs.standard_by_id[sid].min_adopters
        return need <= 1 or self.adopters[sid] == 0 or self.adopters[sid] >= need

    def shares_ok(self, pid: str) -> bool:
        """Members pay at least their minimum share, at most the year's cost (rule 3)."""
        p = self.prog[pid]
        cost = self.shifted(pid, self.jstart[pid])
        tol = 1e-7 * max(1.0, p.total_cost)
        floor = p.min_share * p.total_cost
        return all(
            v.sum() >= floor - tol and (v <= cost + tol).all() and (v >= -tol).all() for v in self.pay[pid].values()
        )

    def size_ok(self, pid: str) -> bool:
        """Consortium size within [min_participants, max_participants] (rule 2)."""
        p, k = self.prog[pid], len(self.pay[pid])
        return k >= p.min_participants and (p.max_participants is None or k <= p.max_participants)

    def may_fund(self, n: str, pid: str) -> bool:
        """Eligibility and exclusions: could n fund pid at all (no start chosen yet)."""
        return n in self.eligible[pid] and (n, pid) not in self.excluded and (n, pid) not in self.starts

    def _funding_ok(self, n: str, pid: str) -> bool:
        """The rules a new funding of pid by n takes part in (its budget last: the costliest check)."""
        return (
            self.capacity_ok(n)
            and self.group_ok(n, pid)
            and self.precedence_ok(n, pid)
            and self.fits(n)
            and self.adopt_for(n, pid)
        )

    # --- adoptions ----------------------------------------------------------------------------
    def adopt_for(self, n: str, pid: str) -> bool:
        """Adopt the standards n needs for pid, each in the latest affordable year (rule 9).

        A standard with critical mass that is not yet in use needs other adopters too: the
        nations with the largest budgets adopt it in the last year, as the greedy does.
        """
        completion = self.starts[n, pid] + self.prog[pid].duration_years - 1
        for sid in self.requires.get(pid, ()):
            had = self.adoptions.get((n, sid))
            if had is not None and had <= completion:
                continue
            if had is not None or not self._adopt_latest(n, sid, completion) or not self._recruit(sid):
                return False  # an adoption is once and permanent: a late one cannot move
        return True

    def _recruit(self, sid: str) -> bool:
        """Bring a critical-mass standard up to its minimum number of adopters (rule 10)."""
        last = self.y0 + self.Y - 1
        for m in sorted(self.budget, key=lambda m: -float(self.budget[m].sum())):
            if self.critical_ok(sid):
                break
            if (m, sid) not in self.adoptions:
                self.attempt(lambda m=m: self._adopt_latest(m, sid, last))  # type: ignore[misc]
        return self.critical_ok(sid)

    def _adopt_latest(self, n: str, sid: str, latest: int) -> bool:
        for year in range(latest, self.y0 - 1, -1):
            self._set_adoption(n, sid, year)
            if self.fits(n):
                return True
        return False

    # --- additions (each checks its rules and undoes itself on failure) ----------------------
    def add_national(self, n: str, pid: str, start: int) -> bool:
        """n starts national pid in `start`."""
        if self.prog[pid].is_joint or not self.may_fund(n, pid) or start not in self.allowed[pid]:
            return False
        if self.committed.get((n, pid)) not in (None, start):
            return False

        def change() -> bool:
            self._set_start(n, pid, start)
            return self._funding_ok(n, pid)

        return self.attempt(change)

    def start_joint(self, pid: str, start: int, payer: str) -> bool:
        """Start joint pid in `start` with `payer` alone paying everything; `join` adds members.

        The consortium is below its minimum size until enough nations join: callers check
        `size_ok` after the joins and undo to a mark if it never gets there.
        """
        if pid in self.jstart or not self.may_fund(payer, pid) or start not in self.allowed[pid]:
            return False
        if any(t not in (None, start) for (_, q), t in self.committed.items() if q == pid):
            return False

        def change() -> bool:
            self._set_jstart(pid, start)
            self._set_start(payer, pid, start)
            self._set_pay(pid, payer, self.shifted(pid, start))
            return self._funding_ok(payer, pid)

        return self.attempt(change)

    def join(self, n: str, pid: str) -> bool:
        """n joins running joint pid, paying its minimum share (taken off members paying more)."""
        if pid not in self.jstart or not self.may_fund(n, pid):
            return False
        p, start = self.prog[pid], self.jstart[pid]
        k = len(self.pay[pid]) + 1
        if (p.max_participants is not None and k > p.max_participants) or k * p.min_share > 1 + 1e-9:
            return False

        def change() -> bool:
            self._set_start(n, pid, start)
            share = p.min_share * self.shifted(pid, start)
            if not self._release(pid, share):
                return False
            self._set_pay(pid, n, share)
            return self._funding_ok(n, pid) and self.shares_ok(pid)

        return self.attempt(change)

    def remove(self, n: str, pid: str) -> bool:
        """n stops funding pid (a membership's payments move to members with budget to spare).

        Adoptions stay: they are permanent, and other fundings may need them.
        """
        if (n, pid) not in self.starts or (n, pid) in self.committed:
            return False
        if not self.prog[pid].is_joint:
            return self.attempt(lambda: self._unfund(n, pid))
        return self.attempt(lambda: self._leave(n, pid))

    def _unfund(self, n: str, pid: str) -> bool:
        self._set_start(n, pid, None)
        return self.dependents_ok(pid)

    def _leave(self, n: str, pid: str) -> bool:
        share = self.pay[pid][n]
        self._set_pay(pid, n, None)
        self._set_start(n, pid, None)
        return self._absorb(pid, share) and self.size_ok(pid) and self.shares_ok(pid) and self.dependents_ok(pid)

    def _absorb(self, pid: str, amount: np.ndarray) -> bool:
        """Add `amount` (per year) to members' payments, most budget to spare in those years
        first, each within its budget and the year's cost."""
        cost = self.shifted(pid, self.jstart[pid])
        rest, years = amount.copy(), amount > 0
        for m in sorted(self.pay[pid], key=lambda m: -float((self.budget[m] - self.spend[m])[years].sum())):
            give = np.minimum(rest, np.maximum(cost - self.pay[pid][m], 0.0))
            part = self._affordable_part(m, give)
            if part > 0:
                self._set_pay(pid, m, self.pay[pid][m] + part * give)
                rest -= part * give
        return rest.sum() <= 1e-9 * max(1.0, amount.sum())

    def _affordable_part(self, n: str, extra: np.ndarray) -> float:
        """The largest fraction λ ∈ [0, 1] of `extra` that n's budget can take (bisection)."""
        nation, budget = self.inputs.nation_by_code[n], self.budget[n]
        if balances_fit(nation, budget, self.spend[n] + extra):
            return 1.0
        lo, hi = 0.0, 1.0
        for _ in range(12):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if balances_fit(nation, budget, self.spend[n] + mid * extra) else (lo, mid)
        return lo

    def _release(self, pid: str, amount: np.ndarray) -> bool:
        """Lower members' payments by `amount` per year, from those paying most above their minimum."""
        floor = self.prog[pid].min_share * self.shifted(pid, self.jstart[pid])
        need = amount.copy()
        for m in sorted(self.pay[pid], key=lambda m: -float(np.maximum(self.pay[pid][m] - floor, 0).sum())):
            take = np.minimum(np.maximum(self.pay[pid][m] - floor, 0.0), need)
            if take.sum() > 0:
                self._set_pay(pid, m, self.pay[pid][m] - take)
                need -= take
        return need.sum() <= 1e-9 * max(1.0, amount.sum())
