"""A start plan that meets the capability targets: commitments first, then each target.

Why: a lexicographic run starts by minimising shortfall, and shortfall is a sum of
non-negative terms, so a plan with shortfall 0 *is* that stage's optimum, proven by its own
value (`optimizer.solve.objectives.proven_by_start`). The greedy start
(`optimizer.heuristics.greedy`) spends budgets and capacity on value per euro and large consortia before the targets
are looked at, and on the reference dataset it leaves a shortfall of 50, which HiGHS then
needs about 8 s to remove. Built the other way round — from nothing, commitments, then
every target while budgets and capacity are still free — the plan meets the targets in a
fraction of a second, and the shortfall stage needs no solver call at all.

Order: each nation's own targets before ALLIANCE ones (only that nation can meet them;
any ally can serve an ALLIANCE target), earliest year first; within a target, the
cheapest points first (a member's minimum share plus its own cost, for a consortium).
Where a target's points no longer fit, a nation may drop up to `DISPLACE` of its fundings
in those years to make room (put back elsewhere if they fit) when that lowers the
shortfall. Consortia opened here get only their minimum size (the committed or target
nation plus the largest budgets): small nations' capacity is kept for their own targets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from data.tables import ALLIANCE, Inputs, PlanDecisions, Programme
from optimizer.heuristics.plan_state import PlanState

Candidate = tuple[str, str, tuple[int, ...]]  # nation, programme, start years to try in order
ROUNDS = 4
DISPLACE = 8  # fundings a nation may give up (in the candidate's years) to make room
# fundings tried, displacing or not: a bound on the work that does not depend on the clock
ATTEMPTS = 2_000


def targets_first_plan(inputs: Inputs) -> PlanDecisions | None:
    """The plan, or None if a commitment cannot be placed this way (the greedy start stays).

    Not checked against robust budgets or plan stability: callers verify it like any start.
    """
    builder = _Builder(PlanState(inputs))
    if not builder.honour_commitments():
        return None
    for _ in range(ROUNDS):
        if builder.shortfall_key() == (0.0, 0.0) or builder.attempts <= 0:
            break
        candidates = builder.target_candidates()
        if not (builder.fund(candidates) | builder.displace(candidates)):
            break
    return builder.s.decisions()


def own_cost(p: Programme) -> float:
    """What one more funding of p costs a nation: a member's minimum share plus its own cost."""
    return p.min_share * p.total_cost + p.per_participant_cost if p.is_joint else p.total_cost


class _Builder:
    def __init__(self, state: PlanState):
        self.s = state
        self.attempts = ATTEMPTS  # left to try (the reference dataset needs about 1,200)

    def _spend_attempt(self) -> bool:
        self.attempts -= 1
        return self.attempts >= 0

    def shortfall_key(self) -> tuple[float, float]:
        """(own targets' shortfall, ALLIANCE targets' shortfall), rounded: smaller is better."""
        own, alliance = self.s.shortfalls()
        return round(own, 9), round(alliance, 9)

    # --- commitments ---------------------------------------------------------------------------
    def honour_commitments(self) -> bool:
        """Fund every `fund` commitment (and what must come before it); False if one cannot be."""
        s = self.s
        for c in s.inputs.commitments:
            if c.action == "fund" and (c.nation, c.programme) not in s.starts:
                starts = (c.start_year,) if c.start_year is not None else s.allowed[c.programme]
                if not any(self._attempt(c.nation, c.programme, t) for t in starts):
                    return False
        return True

    def _attempt(self, n: str, pid: str, start: int, depth: int = 0) -> bool:
        """Fund pid for n in `start`, with its predecessors; undone entirely if it fails."""
        return self.s.attempt(lambda: self._fund_chain(n, pid, start, depth))

    def _fund_chain(self, n: str, pid: str, start: int, depth: int = 0) -> bool:
        self._fund_predecessors(n, pid, start, depth)
        return self._fund_or_open(n, pid, start)

    def _fund_predecessors(self, n: str, pid: str, start: int, depth: int = 0) -> None:
        """Fund, as early as possible, what a funding of pid by n in `start` must follow."""
        s = self.s
        if depth > len(s.prog):
            return
        for rule in s.rules_after.get(pid, ()):
            before = s.prog[rule.before]
            done = (n, before.id) in s.starts or (rule.scope == "any_nation" and s.by_prog[before.id])
            if done or n not in s.eligible[before.id]:
                continue
            starts = [t for t in s.allowed[before.id] if t + before.duration_years <= start]
            any(self._attempt(n, before.id, t, depth + 1) for t in starts)

    def _fund_or_open(self, n: str, pid: str, start: int) -> bool:
        """n funds pid in `start`: national, joining its consortium, or opening one."""
        s = self.s
        if not s.prog[pid].is_joint:
            return s.add_national(n, pid, start)
        if pid in s.jstart:
            return s.jstart[pid] == start and s.join(n, pid)
        return self._open_joint(pid, start, n)

    def _open_joint(self, pid: str, start: int, member: str) -> bool:
        """Start pid with `member` in it and the largest budgets filling it up to its minimum
        size, the largest paying what the minimum shares leave; False if it cannot start."""
        s = self.s
        if not s.may_fund(member, pid):
            return False
        richest = sorted((m for m in s.eligible[pid] if m != member), key=lambda m: -float(s.budget[m].sum()))

        def change(payer: str) -> bool:
            if not (s.start_joint(pid, start, payer) and s.join(member, pid)):
                return False
            for m in richest:
                if len(s.pay[pid]) >= s.prog[pid].min_participants:
                    break
                s.join(m, pid)
            return s.size_ok(pid)

        return any(s.attempt(lambda payer=payer: change(payer)) for payer in richest[:3])  # type: ignore[misc]

    # --- targets ---------------------------------------------------------------------------------
    def target_candidates(self) -> list[Candidate]:
        """Fundings that put points in service in time for a target still in deficit."""
        s, out = self.s, []
        # ALLIANCE targets: points from the largest budgets first (small ones stay free)
        wealth = {n: float(b.sum()) for n, b in s.budget.items()}
        targets = s.inputs.targets
        order = sorted(range(len(targets)), key=lambda i: (targets[i].nation == ALLIANCE, targets[i].year))
        for rank, i in enumerate(order):
            g = targets[i]
            if g.target - s.level[i] <= 1e-9:
                continue
            nations = sorted(s.allies) if g.nation == ALLIANCE else [g.nation]
            for p in s.inputs.programmes:
                points = s.inputs.values.get((p.id, g.area), 0.0)
                window = (s.jstart[p.id],) if p.id in s.jstart else s.allowed[p.id]
                starts = tuple(t for t in window if t + p.duration_years <= g.year)
                if points > 0 and starts:
                    out += [
                        (rank, own_cost(p) / points, -wealth[n], n, p.id, starts)
                        for n in nations
                        if s.may_fund(n, p.id)
                    ]
        out.sort()
        return [(n, pid, starts) for *_, n, pid, starts in out]

    def fund(self, candidates: Sequence[Candidate]) -> bool:
        """Fund each candidate at the first of its starts that fits and lowers the shortfall."""
        return self._try_each(candidates, self._improves)

    def _improves(self, n: str, pid: str, start: int) -> bool:
        """Fund pid for n in `start` if it fits and lowers the shortfall; otherwise undo it."""
        s = self.s
        if not self._spend_attempt():
            return False
        before, mark = self.shortfall_key(), s.mark()
        if self._fund_chain(n, pid, start) and self.shortfall_key() < before:
            return True
        s.undo(mark)
        return False

    def displace(self, candidates: Sequence[Candidate]) -> bool:
        """Make room for candidates that do not fit by dropping the nation's fundings in
        their years (least needed first), then put the dropped ones back where they fit;
        kept only if the shortfall falls."""
        return self._try_each(candidates, self._displace_for)

    def _try_each(self, candidates: Sequence[Candidate], attempt: Callable[[str, str, int], bool]) -> bool:
        """`attempt` each fundable candidate at its starts in order until one succeeds."""
        improved = False
        for n, pid, starts in candidates:
            if self.s.may_fund(n, pid) and any(attempt(n, pid, t) for t in starts):
                improved = True
        return improved

    def _displace_for(self, n: str, pid: str, start: int) -> bool:
        s = self.s
        if not self._spend_attempt():
            return False
        before, mark = self.shortfall_key(), s.mark()
        removed = []
        for victim in self._victims(n, start, start + s.prog[pid].duration_years)[:DISPLACE]:
            if s.remove(n, victim):
                removed.append(victim)
            if self._fund_chain(n, pid, start):
                for q in removed:  # back in, wherever they fit now
                    window = (s.jstart[q],) if q in s.jstart else s.allowed[q]
                    any(self._fund_or_open(n, q, t) for t in window)
                if self.shortfall_key() < before:
                    return True
                break
        s.undo(mark)
        return False

    def _victims(self, n: str, first: int, end: int) -> list[str]:
        """n's fundings spending in years first..end−1 that it may drop: those no target
        would miss first, then by fewest points per euro of n's own cost."""
        s, out = self.s, []
        for pid, start in s.by_nation[n].items():
            p = s.prog[pid]
            if (n, pid) in s.committed or start >= end or start + p.duration_years <= first:
                continue
            points = sum(s.inputs.values.get((pid, a.id), 0.0) for a in s.inputs.areas)
            out.append((self._needed(n, pid, start), points / max(own_cost(p), 1e-9), pid))
        return [pid for *_, pid in sorted(out)]

    def _needed(self, n: str, pid: str, start: int) -> bool:
        """Whether dropping n's funding of pid would leave some target short."""
        s = self.s
        targets = s.inputs.targets
        return any(s.level[i] - v < targets[i].target - 1e-9 for i, v in s.target_points(n, pid, start))
