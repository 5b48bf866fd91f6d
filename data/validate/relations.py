"""Relation sheets: ProgrammeStandards, Precedence (with its cycle check) and Targets."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence

from data.schema import SHEET_BY_NAME
from data.tables import Precedence, Target
from data.validate.cells import _BAD
from data.validate.problems import _Check, _Ids, _Table
from data.validate.sheets import _reference


def _read_requirements(table: _Table | None, programmes: _Ids, standards: _Ids, check: _Check) -> list[tuple[str, str]]:
    schema = SHEET_BY_NAME["ProgrammeStandards"]
    out: dict[tuple[str, str], int] = {}
    for row in table.rows if table else []:
        pid = _reference(row, schema.column("programme"), programmes)
        sid = _reference(row, schema.column("standard"), standards)
        if pid is None or sid is None:
            continue
        if (pid, sid) in out:
            check.warn(
                row.sheet,
                row.cell("programme"),
                f"{pid} requires {sid} again (first in row {out[(pid, sid)]}); the repeat is ignored",
            )
            continue
        out[(pid, sid)] = row.number
    return list(out)


def _read_precedences(table: _Table | None, programmes: _Ids, check: _Check) -> list[Precedence]:
    schema = SHEET_BY_NAME["Precedence"]
    out: list[Precedence] = []
    rows_of: dict[tuple[str, str], int] = {}
    for row in table.rows if table else []:
        before = _reference(row, schema.column("before"), programmes)
        after = _reference(row, schema.column("after"), programmes)
        scope = row.get(schema.column("scope"))
        if before is None or after is None or scope is _BAD:
            continue
        if (before, after) in rows_of:
            check.warn(
                row.sheet,
                row.cell("before"),
                f"{before} before {after} is listed again "
                f"(first in row {rows_of[(before, after)]}); the repeat is ignored",
            )
            continue
        rows_of[(before, after)] = row.number
        out.append(Precedence(before, after, scope))
    if table is not None:
        for cycle in find_cycles([(p.before, p.after) for p in out]):
            rows = sorted(rows_of[(a, b)] for a, b in itertools.pairwise(cycle))
            check.error(
                table.sheet,
                "",
                f"programmes {' → '.join(cycle)} form a cycle "
                f"(row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))})",
                "expected no cycle: none of these programmes could ever start",
            )
    return out


def find_cycles(edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    """One cycle per strongly connected component, as [a, b, …, a], in input order.

    Iterative Tarjan, so thousands of programmes cannot hit the recursion limit.
    """
    graph: dict[str, list[str]] = defaultdict(list)
    order: dict[str, int] = {}
    for a, b in edges:
        graph[a].append(b)
        order.setdefault(a, len(order))
        order.setdefault(b, len(order))
    components = _strongly_connected(graph, list(order))
    cycles = []
    for comp in components:
        members = set(comp)
        start = min(comp, key=order.__getitem__)
        if len(comp) == 1 and start not in graph[start]:
            continue
        cycles.append(_cycle_through(start, graph, members))
    return sorted(cycles, key=lambda c: order[c[0]])


def _strongly_connected(graph: Mapping[str, list[str]], nodes: list[str]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                out.append(comp)
    return out


def _cycle_through(start: str, graph: Mapping[str, list[str]], members: set[str]) -> list[str]:
    """Shortest path start → … → start inside one component (breadth first)."""
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in graph.get(node, ()):
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return path[::-1] + [start]
                if child not in parent:
                    parent[child] = node
                    nxt.append(child)
        frontier = nxt
    return [start, start]  # unreachable for a real component


def _read_targets(
    table: _Table | None, nations: _Ids, areas: _Ids, years: tuple[int, ...] | None, check: _Check
) -> list[Target]:
    schema = SHEET_BY_NAME["Targets"]
    out: list[Target] = []
    first: dict[tuple[str, str, int], int] = {}
    for row in table.rows if table else []:
        nation = _reference(row, schema.column("nation"), nations)
        area = _reference(row, schema.column("capability_area"), areas)
        year, target = row.get(schema.column("year")), row.get(schema.column("target"))
        if year is not _BAD and years is not None and year not in years:
            check.error(
                row.sheet,
                row.cell("year"),
                f"year {year} is outside the horizon {years[0]}–{years[-1]}",
                f"expected a year from {years[0]} to {years[-1]}",
            )
            continue
        if nation is None or area is None or year is _BAD or target is _BAD:
            continue
        key = (nation, area, year)
        if key in first:
            check.error(
                row.sheet,
                row.cell("nation"),
                f"a second target for {nation}, {area}, {year} (first in row {first[key]})",
                "expected one target per nation, capability area and year",
            )
            continue
        first[key] = row.number
        out.append(Target(nation, area, year, target, row.number))
    return out
