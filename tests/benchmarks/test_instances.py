"""The generator: deterministic, every MODEL.md feature present, budgets that force choices."""

from __future__ import annotations

import pytest

from benchmarks.instances import SIZES, Size, describe, generate


def test_same_seed_same_instance_other_seed_other_instance() -> None:
    assert generate("S", 7) == generate("S", 7)
    assert generate("S", 7) != generate("S", 8)
    assert generate("S", 7) != generate("S", 7, hard_caps=True)


@pytest.mark.parametrize("size", ["S", "M"])
def test_every_feature_is_present(size: str) -> None:
    counts = describe(generate(size, 1))
    missing = [name for name, count in counts.items() if count == 0]
    assert not missing, f"{size} lacks {missing}"


def test_dimensions_match_the_issue() -> None:
    assert {k: (v.nations, v.programmes, v.years) for k, v in SIZES.items()} == {
        "S": (8, 20, 8),
        "M": (20, 60, 12),
        "L": (32, 120, 15),
        "XL": (40, 250, 20),
    }
    inputs = generate("M", 1)
    assert (len(inputs.nations), len(inputs.programmes), len(inputs.years)) == (20, 60, 12)


def test_hard_caps_variant_has_no_banking_nation() -> None:
    mixed, rigid = describe(generate("S", 1)), describe(generate("S", 1, hard_caps=True))
    assert mixed["banking_nations"] > 0 and mixed["hard_cap_nations"] > 0
    assert rigid["banking_nations"] == 0 and rigid["hard_cap_nations"] == rigid["nations"]


def test_budgets_are_tight() -> None:
    """Funding every national programme in every ally would cost over twice the budgets,
    so planners (and the optimizer) must leave most of the list unfunded."""
    inputs = generate("M", 1)
    wish = sum(p.total_cost for p in inputs.programmes if not p.is_joint) * len(inputs.allies)
    budget = sum(inputs.budget(n, y) for n in inputs.allies for y in inputs.years)
    assert wish > 2 * budget


def test_commitments_are_well_formed() -> None:
    """Fund commitments name an eligible nation and an allowed start (what the validator demands)."""
    inputs = generate("L", 2)
    assert any(c.action == "fund" for c in inputs.commitments)
    for c in inputs.commitments:
        p = inputs.programme_by_id[c.programme]
        assert c.nation in inputs.eligible_nations(p)
        if c.start_year is not None:
            assert c.start_year in inputs.allowed_starts(p)


def test_tiny_sizes_are_accepted() -> None:
    inputs = generate(Size(4, 8, 6), 3)
    assert len(inputs.programmes) == 8 and len(inputs.years) == 6
    assert describe(inputs)["joint"] > 0 and describe(inputs)["precedence_any_nation"] > 0
    with pytest.raises(ValueError, match="unknown size"):
        generate("XXL", 1)
