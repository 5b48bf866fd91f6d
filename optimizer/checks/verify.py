"""Independent plan verifier: every MODEL.md constraint, judged on the decisions alone.

Written from MODEL.md only (not from the Pyomo model, not from `Inputs.allowed_starts`),
so a plan the optimizer exports can be held against the contract by a second reading of
it. Each rule family is one small function returning planner-readable sentences naming
the nation, programme and year at fault; an empty list means the plan is feasible.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from data.tables import Inputs, PlanDecisions, Programme, objective_sense
from optimizer.checks.evaluate import (
    Funding,
    borrowing_floor,
    fundings,
    greedy_balances,
    nation_spend,
    objective_values,
    robust_protection,
    unknown_references,
)

logger = logging.getLogger(__name__)

Rule = Callable[[Inputs, PlanDecisions, float], list[str]]


class PlanVerificationError(Exception):
    """A plan breaks the model; `lines` holds one sentence per violation."""

    def __init__(self, lines: Iterable[str]):
        self.lines = list(lines)
        super().__init__("plan violates the model:\n" + "\n".join(f"  - {line}" for line in self.lines))

    def __reduce__(self) -> tuple[type, tuple[list[str]]]:
        """Rebuilt from its lines when it crosses to another process (a sweep's worker):
        the default rebuilt it from the message, and each character became a violation."""
        return type(self), (self.lines,)


def _num(x: float) -> str:
    """Money and points as a planner reads them: no float noise, no trailing zeros."""
    return f"{x + 0.0:.10g}"  # + 0.0 turns -0.0 into 0


def _slack(tol: float, *magnitudes: float) -> float:
    """Tolerance relative to the amounts compared, absolute below 1 (solver-style)."""
    return tol * max([1.0, *(abs(m) for m in magnitudes)])


def _horizon(inputs: Inputs) -> str:
    return f"{inputs.settings.first_year}–{inputs.settings.last_year}"


def _by_key(plan_fundings: list[Funding]) -> dict[tuple[str, str], Funding]:
    return {(f.nation, f.programme.id): f for f in plan_fundings}


# --- 1, 2 and partners ----------------------------------------------------------------


def check_once(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """Once: a start per (nation, programme) or joint programme, one membership each.

    The mappings of PlanDecisions already hold one start per key; what can still go wrong
    is a decision of the wrong kind or a member listed twice.
    """
    lines = []
    for (nation, pid), year in sorted(decisions.national.items()):
        if inputs.programme_by_id[pid].is_joint:
            lines.append(
                f"Nation {nation} starts {pid} in {year} as a national programme, "
                f"but {pid} is joint (it runs once, for a consortium)"
            )
    for pid, jd in sorted(decisions.joint.items()):
        if not inputs.programme_by_id[pid].is_joint:
            lines.append(f"Programme {pid} is started as a joint programme, but it is national")
        for nation in sorted({m for m in jd.members if jd.members.count(m) > 1}):
            lines.append(f"Joint programme {pid}: nation {nation} is listed more than once")
    return lines


def check_partners(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """Partners fund no national programmes (they only join open joint programmes)."""
    return [
        f"Partner {nation} funds national programme {pid} (start {year}); "
        f"partners take part only in joint programmes open to partners"
        for (nation, pid), year in sorted(decisions.national.items())
        if inputs.nation_by_code[nation].role == "partner"
    ]


def check_consortium(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """Consortium: members eligible, between min and max participants."""
    lines = []
    for pid, jd in sorted(decisions.joint.items()):
        p = inputs.programme_by_id[pid]
        members = set(jd.members)
        for nation in sorted(members):
            if inputs.nation_by_code[nation].role == "partner" and not p.open_to_partners:
                lines.append(f"Joint programme {pid}: partner {nation} is a member, but {pid} is not open to partners")
        if len(members) < p.min_participants:
            lines.append(
                f"Joint programme {pid} (start {jd.start_year}) has {len(members)} member(s), "
                f"fewer than its minimum of {p.min_participants}"
            )
        if p.max_participants is not None and len(members) > p.max_participants:
            lines.append(
                f"Joint programme {pid} (start {jd.start_year}) has {len(members)} members, "
                f"more than its maximum of {p.max_participants}"
            )
    return lines


# --- 3. burden sharing ----------------------------------------------------------------


def check_burden_sharing(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """Joint payments: yearly sums equal the cost, members pay while members, min share."""
    lines = []
    years = set(inputs.years)
    paid: dict[str, dict[tuple[str, int], float]] = defaultdict(dict)
    for (nation, pid, year), amount in decisions.payments.items():
        paid[pid][(nation, year)] = float(amount)
    for pid in sorted(paid):
        jd = decisions.joint.get(pid)
        for (nation, year), amount in sorted(paid[pid].items()):
            if amount < -_slack(tol):
                lines.append(f"Nation {nation} pays {_num(amount)} to {pid} in {year}: negative")
            if year not in years and abs(amount) > _slack(tol):
                lines.append(
                    f"Nation {nation} pays {_num(amount)} to {pid} in {year}, outside the horizon {_horizon(inputs)}"
                )
        total = sum(abs(a) for a in paid[pid].values())
        if (jd is None or not inputs.programme_by_id[pid].is_joint) and total > _slack(tol):
            lines.append(f"Payments of {_num(total)} go to {pid}, which is not a started joint programme")
    for pid, jd in sorted(decisions.joint.items()):
        p = inputs.programme_by_id[pid]
        if p.is_joint:
            lines += _joint_payment_lines(inputs, p, jd.start_year, set(jd.members), paid[pid], tol)
    return lines


def _joint_payment_lines(
    inputs: Inputs,
    p: Programme,
    start: int,
    members: set[str],
    paid: Mapping[tuple[str, int], float],
    tol: float,
) -> list[str]:
    lines = []
    spending_years = set(range(start, start + p.duration_years)) & set(inputs.years)
    for year in sorted(spending_years | {y for _, y in paid if y in inputs.years}):
        expected = p.cost_in_offset(year - start)
        got = sum(a for (_, y), a in paid.items() if y == year)
        if abs(got - expected) > _slack(tol, expected):
            lines.append(
                f"Joint programme {p.id} in {year}: payments sum to {_num(got)}, expected its cost {_num(expected)}"
            )
    for (nation, year), amount in sorted(paid.items()):
        if abs(amount) <= _slack(tol) or year not in inputs.years:
            continue  # out-of-horizon payments are reported once, by the caller
        cap = p.cost_in_offset(year - start)
        if nation not in members:
            lines.append(
                f"Nation {nation} pays {_num(amount)} to {p.id} in {year} but is not a member of its consortium"
            )
        elif amount > cap + _slack(tol, cap):
            lines.append(
                f"Nation {nation} pays {_num(amount)} to {p.id} in {year}, more than the "
                f"programme's cost that year ({_num(cap)})"
            )
    floor = p.min_share * p.total_cost
    for nation in sorted(members):
        total = sum(a for (n, y), a in paid.items() if n == nation and y in inputs.years)
        if total < floor - _slack(tol, floor):
            lines.append(
                f"Nation {nation} pays {_num(total)} in total to {p.id}, below its minimum "
                f"share {_num(p.min_share)} × {_num(p.total_cost)} = {_num(floor)}"
            )
    return lines


# --- 4. budget ------------------------------------------------------------------------


def check_budget(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """Greedy balances stay above the borrowing floor; the final balance is ≥ 0.

    Only a nation's first breach is reported: after it the balances no longer describe a
    plan anyone could run, and the later "breaches" are the same overspend echoing on.

    A balance carries every earlier year's budget and spend, and the solver meets each
    year's row only to its tolerance, so the slack is relative to the money that flowed
    through the balance so far, not to this year's alone: a fuzzed front's plan was
    refused for a balance of −2.4e-6 in a year with no budget and no spend, left by four
    years of joint payments each within HiGHS's 1e-6.
    """
    spend = nation_spend(inputs, decisions)
    balances = greedy_balances(inputs, spend)
    lines = []
    for n in inputs.nations:
        flowed = 0.0
        for year in inputs.years:
            balance, _ = balances[(n.code, year)]
            floor = borrowing_floor(inputs, n.code, year)
            flowed += abs(inputs.budget(n.code, year)) + abs(spend[(n.code, year)])
            if balance < floor - _slack(tol, floor, flowed):
                lines.append(_budget_line(inputs, n.code, year, balance, spend[(n.code, year)]))
                break
    return lines


def _budget_line(inputs: Inputs, nation: str, year: int, balance: float, spend: float) -> str:
    head = f"Nation {nation} in {year}: balance {_num(balance)} (spend {_num(spend)}, budget "
    head += f"{_num(inputs.budget(nation, year))})"
    if year == inputs.settings.last_year:
        return head + " at the end of the horizon; the final balance must be ≥ 0"
    borrow = inputs.nation_by_code[nation].borrow_fraction
    if borrow == 0:
        return head + " is below 0 and the nation may not borrow"
    nxt = inputs.budget(nation, year + 1)
    floor = borrowing_floor(inputs, nation, year)
    return head + f" is below the borrowing floor {_num(floor)} ({_num(borrow)} × {year + 1} budget {_num(nxt)})"


# --- 13. robust budgets (docs/robust.md) ----------------------------------------------


def check_robust_budget(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """With Γ_n > 0: budgets hold with every year's Γ_n largest overruns added to spend.

    The balances are MODEL.md's greedy ones, computed on spend + β; like the nominal rule,
    only a nation's first breach is reported.
    """
    protection = robust_protection(inputs, decisions)
    if not protection:
        return []
    spend = nation_spend(inputs, decisions)
    robust_spend = {key: amount + protection.get(key, 0.0) for key, amount in spend.items()}
    balances = greedy_balances(inputs, robust_spend)
    lines = []
    for n in inputs.nations:
        gamma = inputs.robust_overruns(n.code)
        if gamma <= 0:
            continue
        for year in inputs.years:
            balance, _ = balances[(n.code, year)]
            floor = borrowing_floor(inputs, n.code, year)
            if balance < floor - _slack(tol, floor, robust_spend[(n.code, year)]):
                extra = protection.get((n.code, year), 0.0)
                lines.append(
                    f"Nation {n.code} in {year}: with its {gamma} largest overrun(s) "
                    f"(+{_num(extra)}) spend {_num(robust_spend[(n.code, year)])} against budget "
                    f"{_num(inputs.budget(n.code, year))} leaves balance {_num(balance)}, below "
                    f"{_num(floor)} (robust budget, Γ = {gamma})"
                )
                break
    return lines


# --- 5. schedule windows --------------------------------------------------------------


def start_window_violations(inputs: Inputs, p: Programme, start: int) -> list[str]:
    """Why `start` is not an allowed start of p (MODEL.md "Programme timing"); [] if it is.

    Deliberately written apart from `Inputs.allowed_starts` so the two can be compared.
    """
    s = inputs.settings
    d = p.duration_years
    reasons = []
    if start < s.first_year:
        reasons.append(f"before the first planning year {s.first_year}")
    if p.earliest_start is not None and start < p.earliest_start:
        reasons.append(f"before its earliest start {p.earliest_start}")
    if start + d - 1 > s.last_year:
        reasons.append(f"so it spends until {start + d - 1}, after the horizon ends in {s.last_year}")
    if p.deadline is not None and start + d > p.deadline:
        reasons.append(f"so it enters service in {start + d}, after its deadline {p.deadline}")
    k = s.planning_cycle_years
    if k > 1 and not p.flexible_start and (start - s.first_year) % k != 0:
        reasons.append(f"not a planning-cycle year (every {k} years from {s.first_year}) and {p.id} is not flexible")
    return reasons


def check_schedule(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """Starts inside each programme's window; adoptions inside the horizon."""
    lines = []
    for (nation, pid), start in sorted(decisions.national.items()):
        for reason in start_window_violations(inputs, inputs.programme_by_id[pid], start):
            lines.append(f"Nation {nation} starts {pid} in {start}, {reason}")
    for pid, jd in sorted(decisions.joint.items()):
        for reason in start_window_violations(inputs, inputs.programme_by_id[pid], jd.start_year):
            lines.append(f"Joint programme {pid} starts in {jd.start_year}, {reason}")
    s = inputs.settings
    for (nation, sid), year in sorted(decisions.adoptions.items()):
        if not s.first_year <= year <= s.last_year:
            lines.append(f"Nation {nation} adopts standard {sid} in {year}, outside the horizon {_horizon(inputs)}")
    return lines


# --- 6-9 ------------------------------------------------------------------------------


def check_precedence(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """A programme starts only after its predecessor is completed (by it, or by anyone)."""
    plan_fundings = fundings(inputs, decisions)
    funded = _by_key(plan_fundings)
    completions: dict[str, list[int]] = defaultdict(list)
    for f in plan_fundings:
        completions[f.programme.id].append(f.completion)
    for pid, jd in decisions.joint.items():  # a joint predecessor completes as one programme
        completions[pid].append(jd.start_year + inputs.programme_by_id[pid].duration_years - 1)
    lines = []
    for rule in inputs.precedences:
        for f in plan_fundings:
            if f.programme.id != rule.after:
                continue
            if rule.scope == "same_nation":
                before = funded.get((f.nation, rule.before))
                if before is None or before.completion > f.start - 1:
                    done = "never funds it" if before is None else f"completes it in {before.completion}"
                    lines.append(
                        f"Nation {f.nation} starts {rule.after} in {f.start} before completing "
                        f"its predecessor {rule.before} (same_nation): it {done}"
                    )
            elif not any(c <= f.start - 1 for c in completions.get(rule.before, [])):
                lines.append(
                    f"Nation {f.nation} starts {rule.after} in {f.start}, but no nation has "
                    f"completed its predecessor {rule.before} by {f.start - 1} (any_nation)"
                )
    return lines


def check_exclusive_groups(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """A nation funds at most one programme of each exclusive group (memberships count)."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in fundings(inputs, decisions):
        if f.programme.exclusive_group is not None:
            groups[(f.nation, f.programme.exclusive_group)].append(f.programme.id)
    return [
        f"Nation {nation} funds {len(pids)} programmes of exclusive group {group}: {', '.join(sorted(pids))}"
        for (nation, group), pids in sorted(groups.items())
        if len(pids) > 1
    ]


def check_capacity(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """At most max_concurrent_programmes in development per nation and year."""
    plan_fundings = fundings(inputs, decisions)
    lines = []
    for n in inputs.nations:
        if n.max_concurrent_programmes is None:
            continue
        for year in inputs.years:
            busy = [f.programme.id for f in plan_fundings if f.nation == n.code and f.in_development(year)]
            if len(busy) > n.max_concurrent_programmes:
                lines.append(
                    f"Nation {n.code} has {len(busy)} programmes in development in {year} "
                    f"({', '.join(busy)}), above its cap of {n.max_concurrent_programmes}"
                )
    return lines


def check_standards_compliance(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """A required standard is adopted no later than the year the nation completes p."""
    required: dict[str, list[str]] = defaultdict(list)
    for pid, sid in inputs.requirements:
        required[pid].append(sid)
    lines = []
    for f in fundings(inputs, decisions):
        if f.completion > inputs.settings.last_year:
            continue  # K is 0 throughout the horizon; the schedule rule reports the start
        for sid in sorted(required.get(f.programme.id, [])):
            adopted = decisions.adoptions.get((f.nation, sid))
            if adopted is None or adopted > f.completion:
                when = "never adopts it" if adopted is None else f"adopts it in {adopted}"
                lines.append(
                    f"Nation {f.nation} completes {f.programme.id} in {f.completion} without "
                    f"having adopted its required standard {sid}: it {when}"
                )
    return lines


# --- 10, 11 ---------------------------------------------------------------------------


def check_critical_mass(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """A standard with min_adopters > 1 has no adopter or at least min_adopters by yL."""
    s = inputs.settings
    lines = []
    for standard in inputs.standards:
        if standard.min_adopters <= 1:
            continue
        adopters = sorted(
            n
            for (n, sid), year in decisions.adoptions.items()
            if sid == standard.id and s.first_year <= year <= s.last_year
        )
        if 0 < len(adopters) < standard.min_adopters:
            lines.append(
                f"Standard {standard.id} has {len(adopters)} adopter(s) by {s.last_year} "
                f"({', '.join(adopters)}); it needs none or at least {standard.min_adopters}"
            )
    return lines


def check_commitments(inputs: Inputs, decisions: PlanDecisions, tol: float) -> list[str]:
    """`fund` rows are funded (in their start year if given); `exclude` rows are not."""
    funded = _by_key(fundings(inputs, decisions))
    lines = []
    for c in inputs.commitments:
        f = funded.get((c.nation, c.programme))
        where = f"{c.where}: {c.nation}"
        if c.action == "exclude":
            if f is not None:
                lines.append(f"{where} must not fund {c.programme} (exclude), but starts it in {f.start}")
        elif f is None:
            when = f" (start {c.start_year})" if c.start_year is not None else ""
            lines.append(f"{where} must fund {c.programme}{when}, but does not fund it")
        elif c.start_year is not None and f.start != c.start_year:
            lines.append(f"{where} must start {c.programme} in {c.start_year}, but starts it in {f.start}")
    return lines


# --- 14. re-planning: the frozen past (docs/robust.md) ---------------------------------


def check_plan_stability(
    inputs: Inputs, decisions: PlanDecisions, previous: PlanDecisions, from_year: int, tol: float = 1e-6
) -> list[str]:
    """A re-plan from `from_year` keeps the previous plan's past: its starts and memberships
    before that year, its adoptions before it, and a started joint programme's past
    payments where they still add up to that year's cost. Changes from the year on are
    allowed (they are penalised, not forbidden)."""
    lines = []
    old, new = previous.funded(), decisions.funded()
    for (nation, pid), start in sorted(old.items()):
        if start >= from_year or pid not in inputs.programme_by_id or nation not in inputs.nation_by_code:
            continue
        now = new.get((nation, pid))
        if now != start:
            became = "does not fund it" if now is None else f"starts it in {now}"
            lines.append(
                f"Re-plan from {from_year}: nation {nation} started {pid} in {start} in the previous "
                f"plan, but the new plan {became}"
            )
    for (nation, pid), start in sorted(new.items()):
        if start < from_year and old.get((nation, pid)) != start:
            lines.append(
                f"Re-plan from {from_year}: nation {nation} starts {pid} in {start}, before "
                f"{from_year}, which the previous plan did not (the past cannot change)"
            )
    past = {key: t for key, t in previous.adoptions.items() if t < from_year}
    now_past = {key: t for key, t in decisions.adoptions.items() if t < from_year}
    for nation, sid in sorted(set(past) | set(now_past)):
        if past.get((nation, sid)) != now_past.get((nation, sid)):
            lines.append(
                f"Re-plan from {from_year}: adoption of {sid} by {nation} before {from_year} "
                f"changed ({past.get((nation, sid))} → {now_past.get((nation, sid))})"
            )
    lines += _held_payment_lines(inputs, decisions, previous, from_year, tol)
    return lines


def _held_payment_lines(
    inputs: Inputs, decisions: PlanDecisions, previous: PlanDecisions, from_year: int, tol: float
) -> list[str]:
    lines = []
    for pid, jd in sorted(previous.joint.items()):
        p = inputs.programme_by_id.get(pid)
        if p is None or not p.is_joint or jd.start_year >= from_year:
            continue
        for year in range(jd.start_year, min(from_year, jd.start_year + p.duration_years)):
            split = {n: a for (n, q, y), a in previous.payments.items() if q == pid and y == year}
            cost = p.cost_in_offset(year - jd.start_year)
            if not set(split) <= set(jd.members) or abs(sum(split.values()) - cost) > tol * max(1.0, cost):
                continue  # re-estimated cost: the split was free to change
            for nation in sorted(jd.members):
                was, now = split.get(nation, 0.0), decisions.payments.get((nation, pid, year), 0.0)
                if abs(was - now) > tol * max(1.0, cost):  # as the split adds up: of the year's cost
                    lines.append(
                        f"Re-plan from {from_year}: {nation} paid {_num(was)} to {pid} in {year} "
                        f"in the previous plan, but {_num(now)} in the new one (the past cannot change)"
                    )
    return lines


# Rule families in MODEL.md order. Bruteforce and other callers may run a subset by name:
# the two payment rules are the only ones that look at joint payments f.
RULES: dict[str, Rule] = {
    "once": check_once,
    "consortium": check_consortium,
    "partners": check_partners,
    "burden_sharing": check_burden_sharing,
    "budget": check_budget,
    "schedule": check_schedule,
    "precedence": check_precedence,
    "exclusive_groups": check_exclusive_groups,
    "capacity": check_capacity,
    "standards_compliance": check_standards_compliance,
    "critical_mass": check_critical_mass,
    "commitments": check_commitments,
    "robust_budget": check_robust_budget,
}
PAYMENT_RULES = ("burden_sharing", "budget", "robust_budget")


def check_rules(inputs: Inputs, decisions: PlanDecisions, rules: Iterable[str], tol: float = 1e-6) -> list[str]:
    """The violations of the named rule families only (names from `RULES`)."""
    missing = unknown_references(inputs, decisions)
    if missing:
        return missing
    lines: list[str] = []
    for name in rules:
        lines += RULES[name](inputs, decisions, tol)
    return lines


def check_plan(inputs: Inputs, decisions: PlanDecisions, tol: float = 1e-6) -> list[str]:
    """Every violated MODEL.md constraint as a sentence; [] means the plan is feasible.

    `tol` is relative to the amounts compared (absolute for amounts below 1), like a
    solver's feasibility tolerance. Decisions naming unknown ids are reported alone,
    since nothing else about them can be judged.
    """
    lines = check_rules(inputs, decisions, RULES, tol)
    if lines:
        logger.debug("plan check found %d violation(s)", len(lines))
    return lines


def objective_mismatches(
    inputs: Inputs,
    decisions: PlanDecisions,
    reported_objectives: Mapping[str, float],
    rel_tol: float = 1e-6,
) -> list[str]:
    """A line per reported objective that differs from its recomputed value.

    Allowed difference: 1e-6 absolute plus rel_tol times the larger magnitude.
    """
    recomputed = objective_values(inputs, decisions)
    lines = []
    for name, reported in sorted(reported_objectives.items()):
        if name not in recomputed:
            lines.append(f"Objective {name!r} is reported but is not an objective of this model")
            continue
        value = recomputed[name]
        if abs(float(reported) - value) > 1e-6 + rel_tol * max(abs(value), abs(float(reported))):
            lines.append(
                f"Objective {name} ({objective_sense(name)}): reported {_num(float(reported))}, "
                f"recomputed {_num(value)}"
            )
    return lines


def verify_result(
    inputs: Inputs,
    decisions: PlanDecisions,
    reported_objectives: Mapping[str, float],
    rel_tol: float = 1e-6,
    tol: float = 1e-6,
) -> list[str]:
    """check_plan's violations plus a line for each objective reported wrongly."""
    lines = check_plan(inputs, decisions, tol)
    if unknown_references(inputs, decisions):
        return lines
    return lines + objective_mismatches(inputs, decisions, reported_objectives, rel_tol)


def assert_valid(
    inputs: Inputs,
    decisions: PlanDecisions,
    reported_objectives: Mapping[str, float] | None = None,
    tol: float = 1e-6,
    rel_tol: float = 1e-6,
) -> None:
    """Raise PlanVerificationError listing every violation (and objective mismatch)."""
    if reported_objectives is None:
        lines = check_plan(inputs, decisions, tol)
    else:
        lines = verify_result(inputs, decisions, reported_objectives, rel_tol, tol)
    if lines:
        raise PlanVerificationError(lines)


__all__ = [
    "PAYMENT_RULES",
    "RULES",
    "PlanVerificationError",
    "assert_valid",
    "check_plan",
    "check_plan_stability",
    "check_robust_budget",
    "check_rules",
    "objective_mismatches",
    "robust_protection",
    "start_window_violations",
    "verify_result",
]
